import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DriftDetectedV1, FeedbackReceivedV1, PerformanceDegradedV1, type PredictionLoggedV1 } from '@strata/contracts';
import type { HealthRow } from '@strata/contracts/api';
import { EventPublisher } from '@strata/messaging';
import { FeedbackEntity, PredictionEntity, WindowReportEntity } from '@strata/monitoring/data-access';
import { DatabaseService } from '@strata/shared/nest-platform';
import { DataSource, type EntityManager } from 'typeorm';
import { rocAucAlertThreshold } from './performance-threshold';
import { MONITORING_OPTIONS, type MonitoringOptions } from './monitoring.constants';
import { monitoringMetrics } from './monitoring.metrics';
import { ReferenceProfileService, type StoredProfile } from './reference-profile.service';
import { CounterSet, driftFromCounters, healthFromCounters, performanceFromCounters, type WindowFeatureDrift, type ServiceHealth, type WindowPerformanceReport } from './aggregates';
import { AggregationService, DEFAULT_COUNT_BLOCK, type CounterRow } from './aggregation.service';
import { checkCountWindowSize, reportWindowOfKey, type WindowKind } from './windows';
import { BackgroundPassService } from './background-pass.service';

/** One feedback label as accepted by `POST /feedback`. */
export interface FeedbackInput {
  predictionId: string;
  modelName: string;
  /** 0 or 1. */
  label: number;
  /** ISO-8601 UTC. */
  observedAt: string;
  source?: string;
}

/** Window kinds of `GET /models/{m}/windows`: UTC calendar windows or every N predictions. */
export type ReportWindowKind = WindowKind | 'count';

/** What `GET /models/{m}/windows` returns per window (see the README for every definition). */
export interface WindowResponse {
  windowKind: ReportWindowKind;
  /** Time windows: UTC start (inclusive) / end (exclusive), ISO-8601. Count windows: null. */
  windowStart: string | null;
  windowEnd: string | null;
  /** Count windows: arrival sequence numbers [sequenceStart, sequenceEnd) of the version; time windows: null. */
  sequenceStart: number | null;
  sequenceEnd: number | null;
  modelVersion: number;
  /** The alias filter (`_none` = requests addressed by version), or null for all traffic. */
  alias: string | null;
  predictionCount: number;
  /** Predictions with a 0/1 label and a probability (the performance sample). */
  labeledCount: number;
  /** Predictions without any feedback label yet (delayed labels): predictionCount − labeled (any). */
  unlabeledCount: number;
  /** Predictions that arrived before the version's reference profile was available (not in drift). */
  unprofiledCount: number;
  errorCount: number;
  errorRate: number | null;
  latencySeconds: ServiceHealth['latencySeconds'];
  drift: WindowFeatureDrift[];
  testedCount: number;
  driftedCount: number;
  driftShare: number;
  datasetDrift: boolean;
  performance: WindowPerformanceReport;
  referenceProfileSha256: string | null;
}

/** Options of {@link MonitoringService.windows}. */
export interface WindowQuery {
  version?: number;
  /** Only requests routed through this alias (`_none`: addressed by version). */
  alias?: string;
  /** Count windows: predictions per window (a multiple of the count block size). */
  size?: number;
}

/** One row of `GET /models/{m}/health` (serving health per window, version and alias): declared once, in the API contracts. */
export type { HealthRow };

/** Alias filter value selecting requests that addressed a version directly (no alias). */
export const NO_ALIAS = '_none';

const ROC_AUC_BASELINE_KEYS = ['roc_auc', 'rocAuc', 'test_roc_auc', 'eval_roc_auc', 'auc'];

/**
 * Monitoring use cases: storing predictions and feedback (idempotently), windowed drift and
 * performance reports (persisted in `window_report`), alerts (`drift-detected`,
 * `performance-degraded`, once per model/version/window) and gauges. A background evaluator
 * recomputes the `MONITORING_WINDOW` reports of every model periodically.
 */
@Injectable()
export class MonitoringService extends BackgroundPassService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly database: DatabaseService,
    private readonly publisher: EventPublisher,
    private readonly profiles: ReferenceProfileService,
    private readonly aggregation: AggregationService,
    @Inject(MONITORING_OPTIONS) private readonly options: MonitoringOptions,
  ) {
    super('Monitoring', 'background evaluation failed', () => options.evaluationIntervalMs);
  }

  protected runPass(): Promise<unknown> {
    return this.evaluateAll();
  }

  /** Inserts a logged prediction; a prediction id seen before changes nothing. */
  async recordPrediction(manager: EntityManager, event: PredictionLoggedV1): Promise<boolean> {
    const result = await manager
      .createQueryBuilder()
      .insert()
      .into(PredictionEntity)
      .values({
        predictionId: event.predictionId,
        modelName: event.modelName,
        modelVersion: event.modelVersion,
        alias: event.alias,
        features: event.features,
        probability: event.outputs.probability ?? null,
        eventTime: new Date(event.eventTime ?? event.predictedAt),
        predictedAt: new Date(event.predictedAt),
        latencyMs: event.latencyMs,
      })
      .orIgnore()
      .returning('prediction_id')
      .execute();
    return (result.raw as unknown[]).length > 0;
  }

  /** Inserts a feedback label; the same (predictionId, observedAt) twice changes nothing. */
  async recordFeedback(manager: EntityManager, feedback: FeedbackInput): Promise<boolean> {
    const result = await manager
      .createQueryBuilder()
      .insert()
      .into(FeedbackEntity)
      .values({ predictionId: feedback.predictionId, observedAt: new Date(feedback.observedAt), modelName: feedback.modelName, label: feedback.label, source: feedback.source ?? null })
      .orIgnore()
      .returning('prediction_id')
      .execute();
    return (result.raw as unknown[]).length > 0;
  }

  /**
   * Stores feedback labels and announces each as `feedback-received`, in one transaction
   * (all or nothing). Our own consumer later sees the events and inserts nothing new.
   */
  async submitFeedback(items: FeedbackInput[]): Promise<{ accepted: number }> {
    this.database.getDataSource();
    // Multi-row statements (500 rows each): a 10 000-item list is a few dozen round trips, not 20 000.
    await this.dataSource.transaction(async (manager) => {
      for (let start = 0; start < items.length; start += 500) {
        const chunk = items.slice(start, start + 500);
        await manager
          .createQueryBuilder()
          .insert()
          .into(FeedbackEntity)
          .values(chunk.map((f) => ({ predictionId: f.predictionId, observedAt: new Date(f.observedAt), modelName: f.modelName, label: f.label, source: f.source ?? null })))
          .orIgnore()
          .execute();
      }
      await this.publisher.publishMany(
        manager,
        FeedbackReceivedV1,
        items.map((f) => ({ predictionId: f.predictionId, modelName: f.modelName, label: f.label, observedAt: f.observedAt, source: f.source ?? 'api' })),
      );
    });
    return { accepted: items.length };
  }

  /**
   * Windows of `model` from the incremental counters (never the rows): per version, UTC
   * calendar window (day counters merged into weeks/months) or count window (blocks merged),
   * optionally one alias. Time windows over all aliases are persisted in `window_report`; when
   * `kind` is the evaluation window kind (`MONITORING_WINDOW`), closed windows (end ≤ now) that
   * cross thresholds publish their alert once, and the gauges are updated.
   *
   * @throws InvalidArgumentError when a count window size is not a positive multiple of the block size
   */
  async windows(model: string, kind: ReportWindowKind, query: WindowQuery = {}): Promise<WindowResponse[]> {
    this.database.getDataSource();
    const alias = query.alias === undefined ? undefined : query.alias === NO_ALIAS ? '' : query.alias;
    const groups = new Map<string, { version: number; start: number; end: number; counters: CounterSet }>();
    const block = this.options.countBlockSize ?? DEFAULT_COUNT_BLOCK;
    const size = query.size ?? this.options.countWindowSize ?? 1000;
    if (kind === 'count') checkCountWindowSize(size, block);
    await this.aggregation.catchUp();
    const rows: CounterRow[] = await this.aggregation.read(model, kind === 'count' ? 'b:' : 'd:', { version: query.version, alias });
    for (const r of rows) {
      const { start, end } = reportWindowOfKey(kind, r.windowKey, block, size);
      const key = `${r.modelVersion}|${start}`;
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { version: r.modelVersion, start, end, counters: new CounterSet() }));
      g.counters.add(r.metric, r.bucket, r.n, r.s);
    }
    const ordered = [...groups.values()].sort((a, b) => a.start - b.start || a.version - b.version);
    const profiles = new Map<number, StoredProfile | null>();
    for (const g of ordered) if (!profiles.has(g.version)) profiles.set(g.version, await this.profiles.get(model, g.version));
    const reports = ordered.map((g): WindowResponse => {
      const stored = profiles.get(g.version) ?? null;
      const health = healthFromCounters(g.counters);
      const { labeledCount, performance } = performanceFromCounters(g.counters);
      const time = kind !== 'count';
      return {
        windowKind: kind,
        windowStart: time ? new Date(g.start).toISOString() : null,
        windowEnd: time ? new Date(g.end).toISOString() : null,
        sequenceStart: time ? null : g.start,
        sequenceEnd: time ? null : g.end,
        modelVersion: g.version,
        alias: query.alias ?? null,
        predictionCount: health.predictionCount,
        labeledCount,
        unlabeledCount: Math.max(0, health.predictionCount - g.counters.n('lbl')),
        unprofiledCount: g.counters.n('unprof'),
        errorCount: health.errorCount,
        errorRate: health.errorRate,
        latencySeconds: health.latencySeconds,
        ...driftFromCounters(stored?.profile ?? null, g.counters, {
          method: this.options.driftMethod ?? 'psi', psiThreshold: this.options.psiThreshold, driftShare: this.options.driftShare, epsilon: this.options.psiEpsilon,
          alpha: this.options.driftAlpha,
        }),
        performance,
        referenceProfileSha256: stored?.sha256 ?? null,
      };
    });
    if (kind !== 'count' && query.alias === undefined) {
      const now = Date.now();
      // alerts only for closed windows of the evaluation kind, so one window of time alerts once
      for (const r of reports) if (r.predictionCount > 0) await this.persist(model, kind, r, kind === this.options.evaluationWindow && Date.parse(r.windowEnd as string) <= now);
      if (kind === this.options.evaluationWindow) this.updateGauges(model, reports, now);
    }
    return reports;
  }

  /** Latency percentiles and error rate per UTC window, version and alias, from the counters. */
  async health(model: string, kind: WindowKind, version?: number): Promise<HealthRow[]> {
    this.database.getDataSource();
    await this.aggregation.catchUp();
    const rows = await this.aggregation.read(model, 'd:', { version, byAlias: true });
    const groups = new Map<string, { version: number; alias: string; start: number; end: number; c: CounterSet }>();
    for (const r of rows) {
      if (r.metric !== 'pred' && r.metric !== 'fail' && r.metric !== 'lat') continue;
      const { start, end } = reportWindowOfKey(kind, r.windowKey, 1, 1);
      const alias = r.alias === '' ? 'none' : r.alias;
      const key = `${r.modelVersion}|${alias}|${start}`;
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { version: r.modelVersion, alias, start, end, c: new CounterSet() }));
      g.c.add(r.metric, r.bucket, r.n, r.s);
    }
    return [...groups.values()]
      .sort((a, b) => a.start - b.start || a.version - b.version || (a.alias < b.alias ? -1 : a.alias > b.alias ? 1 : 0))
      .map((g) => {
        const h = healthFromCounters(g.c);
        return { windowStart: new Date(g.start).toISOString(), windowEnd: new Date(g.end).toISOString(), modelVersion: g.version, alias: g.alias, requestCount: h.predictionCount + h.errorCount, ...h };
      });
  }

  /** One background pass over every model with predictions. */
  async evaluateAll(): Promise<void> {
    await this.database.whenReady();
    const rows = (await this.dataSource.query(`SELECT DISTINCT model_name FROM ${this.table(PredictionEntity)}`)) as Array<{ model_name: string }>;
    for (const { model_name } of rows) {
      if (this.pass.stopped) return;
      await this.windows(model_name, this.options.evaluationWindow);
    }
  }

  private table(entity: typeof PredictionEntity | typeof FeedbackEntity): string {
    const m = this.dataSource.getMetadata(entity);
    return m.schema ? `"${m.schema}"."${m.tableName}"` : `"${m.tableName}"`;
  }

  private async persist(model: string, kind: WindowKind, r: WindowResponse, alertable: boolean): Promise<void> {
    const key = { modelName: model, modelVersion: r.modelVersion, windowKind: kind, windowStart: new Date(r.windowStart as string) };
    const degraded = alertable ? await this.performanceVerdict(model, r) : null;
    await this.dataSource.transaction(async (manager) => {
      const stableSeconds = await this.upsertReport(manager, key, r);
      // a closed window that is still filling (late events, a replay of history) is not judged yet
      if (!alertable || stableSeconds < (this.options.settleSeconds ?? 0)) return;
      const detectedAt = new Date().toISOString();
      if (r.datasetDrift && r.predictionCount >= this.options.minPredictions && (await this.claim(manager, key, 'drift_alerted_at'))) {
        await this.publisher.publish(manager, DriftDetectedV1, {
          detectionId: randomUUID(), modelName: model, modelVersion: r.modelVersion, windowStart: r.windowStart as string, windowEnd: r.windowEnd as string,
          referenceProfileId: r.referenceProfileSha256 ?? 'none', sampleSize: r.predictionCount,
          features: r.drift.filter((d) => d.score !== null).map((d) => ({ feature: d.feature, method: CONTRACT_METHOD[d.method], score: d.score as number, threshold: d.threshold, drifted: d.drifted })),
          datasetDrift: r.datasetDrift, driftShare: r.driftShare, detectedAt,
        });
        this.logger.warn({ model, version: r.modelVersion, windowStart: r.windowStart, driftShare: r.driftShare }, 'drift detected');
      }
      if (degraded && (await this.claim(manager, key, 'performance_alerted_at'))) {
        await this.publisher.publish(manager, PerformanceDegradedV1, {
          detectionId: randomUUID(), modelName: model, modelVersion: r.modelVersion, metric: 'roc_auc', direction: 'higher-is-better',
          value: degraded.value, baseline: degraded.baseline, threshold: degraded.threshold, sampleSize: r.labeledCount,
          windowStart: r.windowStart as string, windowEnd: r.windowEnd as string, detectedAt,
        });
        this.logger.warn({ model, version: r.modelVersion, windowStart: r.windowStart, rocAuc: degraded.value, threshold: degraded.threshold }, 'performance degraded');
      }
    });
  }

  /**
   * Upserts the window's report and returns for how many seconds (database clock) its prediction
   * and label counts have had their current values: 0 when this evaluation changed them.
   */
  private async upsertReport(manager: EntityManager, key: { modelName: string; modelVersion: number; windowKind: string; windowStart: Date }, r: WindowResponse): Promise<number> {
    const m = manager.connection.getMetadata(WindowReportEntity);
    const table = m.schema ? `"${m.schema}"."${m.tableName}"` : `"${m.tableName}"`;
    const drift = { features: r.drift, testedCount: r.testedCount, driftedCount: r.driftedCount, driftShare: r.driftShare, datasetDrift: r.datasetDrift, referenceProfileSha256: r.referenceProfileSha256 };
    const rows = (await manager.query(
      `INSERT INTO ${table} AS w (model_name, model_version, window_kind, window_start, window_end, prediction_count, labeled_count, drift, performance, computed_at, stable_since)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9::jsonb, now(), now())
       ON CONFLICT (model_name, model_version, window_kind, window_start) DO UPDATE SET
         window_end = EXCLUDED.window_end, drift = EXCLUDED.drift, performance = EXCLUDED.performance, computed_at = EXCLUDED.computed_at,
         stable_since = CASE WHEN w.prediction_count = EXCLUDED.prediction_count AND w.labeled_count = EXCLUDED.labeled_count THEN w.stable_since ELSE EXCLUDED.stable_since END,
         prediction_count = EXCLUDED.prediction_count, labeled_count = EXCLUDED.labeled_count
       RETURNING EXTRACT(EPOCH FROM now() - w.stable_since)::float8 AS stable_seconds`,
      [key.modelName, key.modelVersion, key.windowKind, key.windowStart, new Date(r.windowEnd as string), r.predictionCount, r.labeledCount, JSON.stringify(drift), r.performance === null ? null : JSON.stringify(r.performance)],
    )) as Array<{ stable_seconds: number }>;
    return Number(rows[0]!.stable_seconds);
  }

  /**
   * ROC AUC below {@link rocAucAlertThreshold} (max(MONITORING_MIN_ROC_AUC, baseline − MONITORING_MAX_ROC_AUC_DROP),
   * or baseline − drop for a model whose baseline is below the floor) with at
   * least MONITORING_MIN_LABELED labels covering MONITORING_MIN_LABELED_SHARE of the window; baseline = the registry version's `roc_auc` metric
   * (without one: the floor alone, reported as baseline).
   */
  private async performanceVerdict(model: string, r: WindowResponse): Promise<{ value: number; baseline: number; threshold: number } | null> {
    const value = r.performance.rocAuc;
    if (value === null || r.labeledCount < this.options.minLabeled) return null;
    if (r.labeledCount < (this.options.minLabeledShare ?? 0.95) * r.predictionCount) return null; // labels still arriving
    const metrics = await this.profiles.baselineMetrics(model, r.modelVersion);
    const baselineKey = ROC_AUC_BASELINE_KEYS.find((k) => metrics?.[k] !== undefined);
    const baseline = baselineKey ? (metrics?.[baselineKey] as number) : null;
    const threshold = rocAucAlertThreshold(this.options.minRocAuc, baseline, this.options.maxRocAucDrop);
    return value < threshold ? { value, baseline: baseline ?? threshold, threshold } : null;
  }

  /** Marks the alert as sent; true only for the first caller (dedup across evaluations and instances). */
  private async claim(manager: EntityManager, key: { modelName: string; modelVersion: number; windowKind: string; windowStart: Date }, column: 'drift_alerted_at' | 'performance_alerted_at'): Promise<boolean> {
    const m = manager.connection.getMetadata(WindowReportEntity);
    const table = m.schema ? `"${m.schema}"."${m.tableName}"` : `"${m.tableName}"`;
    const rows = (await manager.query(
      `UPDATE ${table} SET ${column} = now() WHERE model_name = $1 AND model_version = $2 AND window_kind = $3 AND window_start = $4 AND ${column} IS NULL RETURNING 1`,
      [key.modelName, key.modelVersion, key.windowKind, key.windowStart],
    )) as [unknown[], number] | unknown[];
    const list = Array.isArray(rows[0]) ? (rows[0] as unknown[]) : (rows as unknown[]);
    return list.length > 0;
  }

  private updateGauges(model: string, reports: WindowResponse[], now: number): void {
    const counts = new Map<number, number>();
    for (const r of reports) counts.set(r.modelVersion, (counts.get(r.modelVersion) ?? 0) + r.predictionCount);
    for (const [v, c] of counts) monitoringMetrics.predictionsTotal.set({ model, version: String(v) }, c);
    const latest = new Map<number, WindowResponse>();
    for (const r of reports) if (Date.parse(r.windowEnd as string) <= now) latest.set(r.modelVersion, r); // reports are sorted by start
    for (const [v, r] of latest) {
      const labels = { model, version: String(v) };
      for (const d of r.drift) {
        if (d.tests.psi !== null) monitoringMetrics.featurePsi.set({ ...labels, feature: d.feature }, d.tests.psi);
        if (d.score !== null) monitoringMetrics.featureDriftScore.set({ ...labels, feature: d.feature, method: d.method }, d.score);
      }
      monitoringMetrics.datasetDriftShare.set(labels, r.driftShare);
      monitoringMetrics.unlabeled.set(labels, r.unlabeledCount);
      if (r.performance.rocAuc !== null) monitoringMetrics.rocAuc.set(labels, r.performance.rocAuc);
      if (r.performance.accuracy !== null) monitoringMetrics.accuracy.set(labels, r.performance.accuracy);
      for (const b of r.performance.calibration) {
        if (b.meanPredicted === null || b.observedRate === null) continue;
        monitoringMetrics.calibrationPredicted.set({ ...labels, bin: String(b.bin) }, b.meanPredicted);
        monitoringMetrics.calibrationObserved.set({ ...labels, bin: String(b.bin) }, b.observedRate);
      }
    }
  }
}

/** util-drift method names → the drift-detected contract's names. */
const CONTRACT_METHOD = { psi: 'psi', ks: 'ks', chisquare: 'chi2', jensenshannon: 'js', wasserstein: 'wasserstein' } as const;
