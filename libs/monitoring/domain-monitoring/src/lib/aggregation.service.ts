import { Inject, Injectable } from '@nestjs/common';
import { DatabaseService } from '@strata/shared/nest-platform';
import type { InferenceFailedV1, ModelRolloutChangedV1 } from '@strata/contracts';
import { DataSource, type EntityManager } from 'typeorm';
import { CounterSet, labelCounters, predictionCounters, type Counter } from './aggregates';
import { MONITORING_OPTIONS, type MonitoringOptions } from './monitoring.constants';
import { ReferenceProfileService } from './reference-profile.service';
import { SegmentConfigService } from './segment-config.service';
import { segmentLabelCounters, segmentPredictionCounters } from './segments';
import { BackgroundPassService } from './background-pass.service';

/** Default number of predictions per count block (count windows are unions of whole blocks). */
export const DEFAULT_COUNT_BLOCK = 100;

/** Window key of the UTC day containing `t`: `d:YYYY-MM-DD`. */
export function dayKey(t: Date): string {
  return `d:${t.toISOString().slice(0, 10)}`;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A model's rollout as monitoring knows it from `model-rollout-changed`. */
export interface RolloutState {
  modelName: string;
  rolloutId: string;
  /** `active`, or the last action: `promoted`, `rolled-back`, `ended`. */
  status: string;
  mode: 'canary' | 'shadow' | null;
  championVersion: number | null;
  challengerVersion: number | null;
  challengerWeight: number | null;
  startedAt: Date;
  changedAt: Date;
  rollbackRequestedAt: Date | null;
  rollbackReason: string | null;
  /**
   * The challenger's training data cutoff (latest event time in its training set, announced by
   * the registry on `started`), or null when unknown. Rollout predictions with an event time at or
   * before it count in the excluded window `rx:<rolloutId>` (both versions), the rest in `r:<rolloutId>`.
   */
  challengerDataCutoff: Date | null;
}

/** Rollout window of the predictions compared live: `r:<rolloutId>`. */
export function rolloutWindow(rolloutId: string): string {
  return `r:${rolloutId}`;
}

/** Rollout window of the predictions excluded from the live comparison (event time ≤ the challenger's training data cutoff): `rx:<rolloutId>`. */
export function excludedRolloutWindow(rolloutId: string): string {
  return `rx:${rolloutId}`;
}

/** One row of counters as read back (summed over the selected aliases). */
export interface CounterRow extends Counter {
  modelVersion: number;
  alias: string;
  windowKey: string;
}

/**
 * Incremental aggregation of the event stream into `window_counter` (see aggregates.ts for the
 * counters). The consumer stores each prediction / feedback row in its inbox transaction (as
 * before: the row insert is the dedup); {@link catchUp} then folds the rows not counted yet into
 * the counters in batches (periodically, and before every report), so a report reads counters
 * only and the per-event cost stays one insert. Failures (`inference-failed`) and rollout
 * changes are applied per event in the inbox transaction.
 */
@Injectable()
export class AggregationService extends BackgroundPassService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly profiles: ReferenceProfileService,
    @Inject(MONITORING_OPTIONS) private readonly options: MonitoringOptions,
    private readonly database?: DatabaseService,
    private readonly segmentConfigs?: SegmentConfigService,
  ) {
    super('Aggregation', 'aggregation pass failed', () => options.aggregationIntervalMs ?? 1000);
  }

  protected runPass(): Promise<unknown> {
    return (this.database ? this.database.whenReady() : Promise.resolve()).then(() => this.catchUp());
  }

  private t(name: string): string {
    const schema = (this.dataSource.driver as { schema?: string }).schema ?? (this.dataSource.options as { schema?: string }).schema;
    return schema ? `"${schema}"."${name}"` : `"${name}"`;
  }

  private get blockSize(): number {
    return this.options.countBlockSize ?? DEFAULT_COUNT_BLOCK;
  }

  /**
   * Aggregates everything stored but not counted yet, in batches of `batchSize`, and returns
   * how many predictions and labels it counted. One pass at a time across all instances
   * (session advisory lock; a concurrent caller waits for the running pass and then runs its
   * own, so after `catchUp()` returns every row committed before the call is counted).
   *
   * - predictions with `seq IS NULL`, in `ingest_id` order: a sequence number per version
   *   (count blocks), the active rollout if the version is its champion/challenger and
   *   predictedAt ≥ its start, the counters of {@link predictionCounters} into the day, block
   *   and rollout windows; then `seq` / `rollout_id` are set;
   * - feedback with `counted = false` whose prediction is aggregated: the prediction's latest
   *   label (by observedAt) replaces `counted_label` (old label's counters subtracted, new
   *   added, in the prediction's windows); the feedback rows are marked counted. Feedback of a
   *   prediction not aggregated yet waits for it.
   * Each batch is one transaction: counters, marks and sequence advance together.
   */
  async catchUp(batchSize = 5000): Promise<{ predictions: number; labels: number }> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    let predictions = 0;
    let labels = 0;
    try {
      await runner.query('SELECT pg_advisory_lock(hashtextextended($1, 7))', [`strata-monitoring-aggregator:${this.t('window_counter')}`]);
      try {
        for (;;) {
          const n = await this.dataSource.transaction((m) => this.predictionBatch(m, batchSize));
          predictions += n;
          if (n < batchSize) break;
        }
        for (;;) {
          const n = await this.dataSource.transaction((m) => this.feedbackBatch(m, batchSize));
          labels += n.labels;
          if (n.rows < batchSize) break;
        }
      } finally {
        await runner.query('SELECT pg_advisory_unlock(hashtextextended($1, 7))', [`strata-monitoring-aggregator:${this.t('window_counter')}`]);
      }
    } finally {
      await runner.release();
    }
    return { predictions, labels };
  }

  private async predictionBatch(manager: EntityManager, limit: number): Promise<number> {
    const rows = (await manager.query(
      `SELECT prediction_id, model_name, model_version, alias, features, probability, latency_ms, event_time, predicted_at
         FROM ${this.t('prediction')} WHERE seq IS NULL ORDER BY ingest_id LIMIT $1`,
      [limit],
    )) as Array<{ prediction_id: string; model_name: string; model_version: number; alias: string | null; features: Record<string, number | string | null>; probability: number | null; latency_ms: number; event_time: Date; predicted_at: Date }>;
    if (rows.length === 0) return 0;
    const segments = (await this.segmentConfigs?.many([...new Set(rows.map((r) => r.model_name))], manager)) ?? new Map();
    // sequence numbers: reserve a contiguous range per (model, version)
    const perVersion = new Map<string, { model: string; version: number; count: number; first: number }>();
    for (const r of rows) {
      const k = `${r.model_name}\u0000${r.model_version}`;
      const v = perVersion.get(k) ?? { model: r.model_name, version: r.model_version, count: 0, first: 0 };
      v.count++;
      perVersion.set(k, v);
    }
    for (const v of perVersion.values()) {
      const res = (await manager.query(
        `INSERT INTO ${this.t('prediction_sequence')} (model_name, model_version, next_seq) VALUES ($1, $2, $3)
         ON CONFLICT (model_name, model_version) DO UPDATE SET next_seq = ${this.t('prediction_sequence')}.next_seq + EXCLUDED.next_seq
         RETURNING next_seq - $3 AS first`,
        [v.model, v.version, v.count],
      )) as Array<{ first: string }>;
      v.first = Number(res[0]!.first);
      v.count = 0;
    }
    const rollouts = new Map<string, RolloutState | null>();
    const states = new Map<string, CounterSet>(); // model|version|alias|window → counters
    const ids: string[] = [];
    const seqs: number[] = [];
    const rolloutIds: Array<string | null> = [];
    const excluded: Array<boolean | null> = [];
    for (const r of rows) {
      if (!rollouts.has(r.model_name)) rollouts.set(r.model_name, await this.rollout(r.model_name, manager));
      const ro = rollouts.get(r.model_name) ?? null;
      const inRollout = !!ro && ro.status === 'active' && (r.model_version === ro.championVersion || r.model_version === ro.challengerVersion) && r.predicted_at.getTime() >= ro.startedAt.getTime();
      const v = perVersion.get(`${r.model_name}\u0000${r.model_version}`)!;
      const seq = v.first + v.count++;
      const stored = await this.profiles.get(r.model_name, r.model_version);
      const windows = [dayKey(r.event_time), `b:${Math.floor(seq / this.blockSize)}`];
      // the live comparison counts only predictions after the challenger's training data (issue #19)
      const isExcluded = inRollout ? !!ro.challengerDataCutoff && r.event_time.getTime() <= ro.challengerDataCutoff.getTime() : null;
      if (inRollout) windows.push(isExcluded ? excludedRolloutWindow(ro.rolloutId) : rolloutWindow(ro.rolloutId));
      for (const w of windows) {
        const key = JSON.stringify([r.model_name, r.model_version, r.alias ?? '', w]);
        let c = states.get(key);
        if (!c) states.set(key, (c = new CounterSet()));
        predictionCounters(c, stored?.profile ?? null, r.features, r.latency_ms);
        segmentPredictionCounters(c, segments.get(r.model_name) ?? null, r.features, r.probability); // issue #17
      }
      ids.push(r.prediction_id);
      seqs.push(seq);
      rolloutIds.push(inRollout ? ro.rolloutId : null);
      excluded.push(isExcluded);
    }
    await this.writeStates(manager, states);
    await manager.query(
      `UPDATE ${this.t('prediction')} p SET seq = u.seq, rollout_id = u.rollout_id, rollout_excluded = u.rollout_excluded
         FROM unnest($1::varchar[], $2::bigint[], $3::varchar[], $4::boolean[]) AS u(prediction_id, seq, rollout_id, rollout_excluded) WHERE p.prediction_id = u.prediction_id`,
      [ids, seqs, rolloutIds, excluded],
    );
    return rows.length;
  }

  private async feedbackBatch(manager: EntityManager, limit: number): Promise<{ rows: number; labels: number }> {
    // predictions (already aggregated) with uncounted feedback, their latest label and where they were counted
    const rows = (await manager.query(
      `SELECT p.prediction_id, p.model_name, p.model_version, p.alias, p.probability, p.features, p.event_time, p.seq, p.rollout_id, p.rollout_excluded, p.counted_label,
              (SELECT f.label FROM ${this.t('feedback')} f WHERE f.prediction_id = p.prediction_id ORDER BY f.observed_at DESC LIMIT 1) AS latest
         FROM ${this.t('prediction')} p
        WHERE p.prediction_id IN (
          -- only feedback whose prediction is aggregated: orphans (prediction not seen yet) never block the queue
          SELECT f.prediction_id FROM ${this.t('feedback')} f JOIN ${this.t('prediction')} q ON q.prediction_id = f.prediction_id AND q.seq IS NOT NULL
           WHERE NOT f.counted LIMIT $1)`,
      [limit],
    )) as Array<{ prediction_id: string; model_name: string; model_version: number; alias: string | null; probability: number | null; features: Record<string, number | string | null>; event_time: Date; seq: string; rollout_id: string | null; rollout_excluded: boolean | null; counted_label: number | null; latest: number }>;
    if (rows.length === 0) return { rows: 0, labels: 0 };
    const states = new Map<string, CounterSet>();
    const segments = (await this.segmentConfigs?.many([...new Set(rows.map((r) => r.model_name))], manager)) ?? new Map();
    let labels = 0;
    for (const r of rows) {
      if (r.counted_label === r.latest) continue;
      const windows = [dayKey(r.event_time), `b:${Math.floor(Number(r.seq) / this.blockSize)}`];
      if (r.rollout_id) windows.push(r.rollout_excluded ? excludedRolloutWindow(r.rollout_id) : rolloutWindow(r.rollout_id));
      for (const w of windows) {
        const key = JSON.stringify([r.model_name, r.model_version, r.alias ?? '', w]);
        let c = states.get(key);
        if (!c) states.set(key, (c = new CounterSet()));
        if (r.counted_label !== null) labelCounters(c, r.counted_label, r.probability, -1);
        labelCounters(c, r.latest, r.probability, 1);
        const sc = segments.get(r.model_name) ?? null;
        if (r.counted_label !== null) segmentLabelCounters(c, sc, r.features, r.counted_label, r.probability, -1);
        segmentLabelCounters(c, sc, r.features, r.latest, r.probability, 1);
      }
      labels++;
    }
    await this.writeStates(manager, states);
    const ids = rows.map((r) => r.prediction_id);
    await manager.query(
      `UPDATE ${this.t('prediction')} p SET counted_label = u.label FROM unnest($1::varchar[], $2::float8[]) AS u(prediction_id, label) WHERE p.prediction_id = u.prediction_id`,
      [ids, rows.map((r) => r.latest)],
    );
    await manager.query(`UPDATE ${this.t('feedback')} SET counted = true WHERE NOT counted AND prediction_id = ANY($1::varchar[])`, [ids]);
    return { rows: rows.length, labels };
  }

  private async writeStates(manager: EntityManager, states: Map<string, CounterSet>): Promise<void> {
    const all: Array<[string, number, string, string, Counter]> = [];
    for (const [key, c] of states) {
      const [model, version, alias, w] = JSON.parse(key) as [string, number, string, string];
      for (const x of c.list()) all.push([model, version, alias, w, x]);
    }
    // key order (the primary key's) so concurrent writers lock rows in the same order
    all.sort((a, b) => cmp(a[0], b[0]) || cmp(a[3], b[3]) || a[1] - b[1] || cmp(a[2], b[2]) || cmp(a[4].metric, b[4].metric) || cmp(a[4].bucket, b[4].bucket));
    const table = this.t('window_counter');
    for (let i = 0; i < all.length; i += 2000) {
      const part = all.slice(i, i + 2000);
      await manager.query(
        `INSERT INTO ${table} (model_name, model_version, alias, window_key, metric, bucket, n, s)
         SELECT * FROM unnest($1::varchar[], $2::int[], $3::varchar[], $4::varchar[], $5::varchar[], $6::varchar[], $7::float8[], $8::float8[])
         ON CONFLICT (model_name, window_key, model_version, alias, metric, bucket) DO UPDATE SET n = ${table}.n + EXCLUDED.n, s = ${table}.s + EXCLUDED.s`,
        [part.map((x) => x[0]), part.map((x) => x[1]), part.map((x) => x[2]), part.map((x) => x[3]), part.map((x) => x[4].metric), part.map((x) => x[4].bucket), part.map((x) => x[4].n), part.map((x) => x[4].s)],
      );
    }
  }

  /** Counts a failed request (rowCount failed predictions) into the day of failedAt, the current count block and the rollout. */
  async onFailure(manager: EntityManager, e: InferenceFailedV1): Promise<void> {
    const seqRows = (await manager.query(
      `SELECT next_seq FROM ${this.t('prediction_sequence')} WHERE model_name = $1 AND model_version = $2`,
      [e.modelName, e.modelVersion],
    )) as Array<{ next_seq: string }>;
    const seq = seqRows.length ? Number(seqRows[0]!.next_seq) : 0;
    const rollout = await this.activeRollout(manager, e.modelName, e.modelVersion, new Date(e.failedAt));
    const windows = [dayKey(new Date(e.failedAt)), `b:${Math.floor(seq / this.blockSize)}`];
    // failures carry no event time: they always count for the guard's error rates
    if (rollout) windows.push(rolloutWindow(rollout.rolloutId));
    const states = new Map<string, CounterSet>();
    for (const w of windows) states.set(JSON.stringify([e.modelName, e.modelVersion, e.alias ?? '', w]), new CounterSet().add('fail', '', e.rowCount));
    await this.writeStates(manager, states);
  }

  /** Applies a rollout change: `started` (re)creates the model's state, later actions update it. */
  async onRolloutChanged(manager: EntityManager, e: ModelRolloutChangedV1): Promise<void> {
    const status = e.action === 'started' || e.action === 'updated' ? 'active' : e.action;
    const r = e.route;
    if (e.action === 'started') {
      await manager.query(
        `INSERT INTO ${this.t('rollout_state')} (model_name, rollout_id, status, mode, champion_version, challenger_version, challenger_weight, started_at, changed_at, rollback_requested_at, rollback_reason, challenger_data_cutoff)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, NULL, NULL, $9)
         ON CONFLICT (model_name) DO UPDATE SET rollout_id = EXCLUDED.rollout_id, status = EXCLUDED.status, mode = EXCLUDED.mode,
           champion_version = EXCLUDED.champion_version, challenger_version = EXCLUDED.challenger_version, challenger_weight = EXCLUDED.challenger_weight,
           started_at = EXCLUDED.started_at, changed_at = EXCLUDED.changed_at, rollback_requested_at = NULL, rollback_reason = NULL,
           challenger_data_cutoff = EXCLUDED.challenger_data_cutoff`,
        [e.modelName, e.rolloutId, status, r?.mode ?? null, r?.championVersion ?? null, r?.challengerVersion ?? null, r?.challengerWeight ?? null, new Date(e.changedAt),
          e.challengerTrainingDataCutoff ? new Date(e.challengerTrainingDataCutoff) : null],
      );
      return;
    }
    await manager.query(
      `UPDATE ${this.t('rollout_state')} SET status = $3, changed_at = $4,
         challenger_weight = COALESCE($5, challenger_weight)
       WHERE model_name = $1 AND rollout_id = $2`,
      [e.modelName, e.rolloutId, status, new Date(e.changedAt), r?.challengerWeight ?? null],
    );
  }

  /** The model's rollout state (any status), or null. */
  async rollout(model: string, manager: EntityManager = this.dataSource.manager): Promise<RolloutState | null> {
    const rows = (await manager.query(`SELECT * FROM ${this.t('rollout_state')} WHERE model_name = $1`, [model])) as Array<Record<string, unknown>>;
    const x = rows[0];
    if (!x) return null;
    return {
      modelName: x['model_name'] as string, rolloutId: x['rollout_id'] as string, status: x['status'] as string, mode: (x['mode'] as 'canary' | 'shadow' | null) ?? null,
      championVersion: (x['champion_version'] as number | null) ?? null, challengerVersion: (x['challenger_version'] as number | null) ?? null,
      challengerWeight: (x['challenger_weight'] as number | null) ?? null, startedAt: x['started_at'] as Date, changedAt: x['changed_at'] as Date,
      rollbackRequestedAt: (x['rollback_requested_at'] as Date | null) ?? null, rollbackReason: (x['rollback_reason'] as string | null) ?? null,
      challengerDataCutoff: (x['challenger_data_cutoff'] as Date | null | undefined) ?? null,
    };
  }

  /** Active rollouts without a rollback request yet (for the guard). */
  async activeRollouts(): Promise<RolloutState[]> {
    const rows = (await this.dataSource.query(`SELECT model_name FROM ${this.t('rollout_state')} WHERE status = 'active' AND rollback_requested_at IS NULL`)) as Array<{ model_name: string }>;
    const out: RolloutState[] = [];
    for (const r of rows) {
      const s = await this.rollout(r.model_name);
      if (s) out.push(s);
    }
    return out;
  }

  /** Marks the rollout's rollback as requested (true only for the first caller), or clears the mark (`reason` null). */
  async claimRollback(model: string, rolloutId: string, reason: string | null): Promise<boolean> {
    if (reason === null) {
      await this.dataSource.query(`UPDATE ${this.t('rollout_state')} SET rollback_requested_at = NULL, rollback_reason = NULL WHERE model_name = $1 AND rollout_id = $2`, [model, rolloutId]);
      return true;
    }
    const rows = (await this.dataSource.query(
      `UPDATE ${this.t('rollout_state')} SET rollback_requested_at = now(), rollback_reason = $3
        WHERE model_name = $1 AND rollout_id = $2 AND status = 'active' AND rollback_requested_at IS NULL RETURNING 1`,
      [model, rolloutId, reason],
    )) as [unknown[], number] | unknown[];
    const list = Array.isArray(rows[0]) ? (rows[0] as unknown[]) : (rows as unknown[]);
    return list.length > 0;
  }

  private async activeRollout(manager: EntityManager, model: string, version: number, at: Date): Promise<RolloutState | null> {
    const s = await this.rollout(model, manager);
    if (!s || s.status !== 'active') return null;
    if (version !== s.championVersion && version !== s.challengerVersion) return null;
    return at.getTime() >= s.startedAt.getTime() ? s : null;
  }

  /**
   * Reads counters of `model` whose window key starts with `prefix` (`d:`, `b:`, `r:<id>`),
   * summed over aliases unless `alias` selects one ('' = version-addressed requests), grouped by
   * version, window key (and alias when `byAlias`). Segment counters (`sg:…`, issue #17) only
   * with `segments: true`.
   */
  async read(model: string, prefix: string, filter: { version?: number; alias?: string; byAlias?: boolean; segments?: boolean } = {}): Promise<CounterRow[]> {
    const aliasCol = filter.byAlias ? 'alias' : `''::text`;
    const rows = (await this.dataSource.query(
      `SELECT model_version, window_key, ${aliasCol} AS alias, metric, bucket, sum(n) AS n, sum(s) AS s
         FROM ${this.t('window_counter')}
        WHERE model_name = $1 AND window_key LIKE $2 AND ($3::int IS NULL OR model_version = $3::int) AND ($4::text IS NULL OR alias = $4::text)${filter.segments ? '' : ` AND metric NOT LIKE 'sg:%'`}
        GROUP BY model_version, window_key, ${filter.byAlias ? 'alias, ' : ''}metric, bucket`,
      [model, `${prefix.replace(/[\\%_]/g, (m) => `\\${m}`)}%`, filter.version ?? null, filter.alias ?? null],
    )) as Array<{ model_version: number; window_key: string; alias: string; metric: string; bucket: string; n: number; s: number }>;
    return rows.map((r) => ({ modelVersion: r.model_version, windowKey: r.window_key, alias: r.alias, metric: r.metric, bucket: r.bucket, n: Number(r.n), s: Number(r.s) }));
  }
}
