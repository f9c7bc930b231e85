import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { PerformanceDegradedV1 } from '@strata/contracts';
import type { FairnessWindow, SegmentWindow, SegmentWindowKind } from '@strata/contracts/api';
import { EventPublisher } from '@strata/messaging';
import { DatabaseService } from '@strata/shared/nest-platform';
import { NotFoundError } from '@strata/shared/util-errors';
import { DataSource } from 'typeorm';
import { CounterSet, performanceFromCounters } from './aggregates';
import { AggregationService, DEFAULT_COUNT_BLOCK, rolloutWindow } from './aggregation.service';
import { disparityGate, groupRates, liveGateRule, liveSegmentMismatch, segmentDisparities, segmentValueReport, type DisparityGateVerdict, type GroupRates, type LiveGateSource } from './fairness';
import type { FairnessGate } from '@strata/shared/util-model-evaluation';
import { MONITORING_OPTIONS, type MonitoringOptions } from './monitoring.constants';
import { segmentMetrics } from './segments.metrics';
import { SegmentConfigService } from './segment-config.service';
import { splitSegments, topSegments, type SegmentConfig } from './segments';
import { checkCountWindowSize, reportWindowOfKey } from './windows';
import { BackgroundPassService } from './background-pass.service';

/**
 * Calendar windows, or `count`: windows of `size` consecutive predictions of a version (blocks of
 * the count block size merged). The windows of `GET /models/{m}/segments` and `/fairness` are the
 * API contract's `SegmentWindow` / `FairnessWindow` (`@strata/contracts/api`), declared there only.
 */
export type { FairnessWindow, SegmentWindow, SegmentWindowKind };

/** Internal: the header fields shared by a segment and a fairness window (built once per window). */
type WindowHeader = Pick<SegmentWindow, 'windowKind' | 'windowStart' | 'windowEnd' | 'sequenceStart' | 'sequenceEnd' | 'modelVersion' | 'predictionCount' | 'labeledCount'>;

interface Grouped {
  version: number;
  start: number;
  end: number;
  all: CounterSet;
  bySegment: Map<string, Map<string, CounterSet>>;
}

/** Label-based disparities (alert only once the window's labels are in, like `performance-degraded`). */
const LABEL_METRICS = new Set(['equal_opportunity_difference', 'equalized_odds_difference', 'predictive_parity_difference']);

/**
 * Segment and fairness monitoring (issue #17): per-segment performance and disparity reports from
 * the segment counters (segments.ts, fairness.ts), disparity alerts once per window as
 * `performance-degraded` (metric `<disparity>:<segment>`, so retraining reacts as to any
 * degradation), bounded gauges, and the live promotion gate on a rollout's counters.
 */
@Injectable()
export class SegmentsService extends BackgroundPassService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly database: DatabaseService,
    private readonly publisher: EventPublisher,
    private readonly aggregation: AggregationService,
    private readonly configs: SegmentConfigService,
    @Inject(MONITORING_OPTIONS) private readonly options: MonitoringOptions,
  ) {
    super('Segments', 'segment evaluation failed', () => options.evaluationIntervalMs);
  }

  protected runPass(): Promise<unknown> {
    return this.evaluateAll();
  }

  /** @throws NotFoundError when the model has no segment config */
  async config(model: string): Promise<SegmentConfig> {
    const c = await this.configs.get(model);
    if (!c) throw new NotFoundError(`Model '${model}' has no segment config; PUT /models/${model}/segments/config first`);
    return c;
  }

  /**
   * The segment counters of `model` per window and version: calendar windows merge day counters,
   * count windows merge the blocks (`b:<n>`, `countBlockSize` predictions each) into windows of
   * `size` predictions (default `countWindowSize`, else 1000).
   * @throws InvalidArgumentError when a count window size is not a positive multiple of the block size
   */
  private async grouped(model: string, kind: SegmentWindowKind, version: number | undefined, size?: number): Promise<Grouped[]> {
    this.database.getDataSource();
    const block = this.options.countBlockSize ?? DEFAULT_COUNT_BLOCK;
    const n = size ?? this.options.countWindowSize ?? 1000;
    if (kind === 'count') checkCountWindowSize(n, block);
    await this.aggregation.catchUp();
    const groups = new Map<string, Grouped>();
    for (const r of await this.aggregation.read(model, kind === 'count' ? 'b:' : 'd:', { version, segments: true })) {
      const { start, end } = reportWindowOfKey(kind, r.windowKey, block, n);
      const key = `${r.modelVersion}|${start}`;
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { version: r.modelVersion, start, end, all: new CounterSet(), bySegment: new Map() }));
      g.all.add(r.metric, r.bucket, r.n, r.s);
    }
    const out = [...groups.values()].sort((a, b) => a.start - b.start || a.version - b.version);
    for (const g of out) g.bySegment = splitSegments(g.all.all());
    return out;
  }

  private header(kind: SegmentWindowKind, g: Grouped): WindowHeader {
    const time = kind !== 'count';
    return {
      windowKind: kind,
      windowStart: time ? new Date(g.start).toISOString() : null,
      windowEnd: time ? new Date(g.end).toISOString() : null,
      sequenceStart: time ? null : g.start,
      sequenceEnd: time ? null : g.end,
      modelVersion: g.version,
      predictionCount: g.all.n('pred'),
      labeledCount: performanceFromCounters(g.all).labeledCount,
    };
  }

  /** Groups (top N + `__other__`) of each configured segment, in config order, values by prediction count. */
  private static values(config: SegmentConfig, g: Grouped): Array<{ segment: string; values: Map<string, CounterSet> }> {
    return config.segments.map((s) => ({ segment: s.name, values: topSegments(g.bySegment.get(s.name) ?? new Map(), config.topN) }));
  }

  /**
   * Per UTC window and version: each segment value's counts, selection rate, label coverage,
   * confusion rates and performance (ROC AUC, accuracy, precision/recall/F1, log loss, Brier,
   * calibration) — the same counters and definitions as the overall window.
   * @throws NotFoundError when the model has no segment config
   */
  async segments(model: string, kind: SegmentWindowKind, version?: number, size?: number): Promise<SegmentWindow[]> {
    const config = await this.config(model);
    return (await this.grouped(model, kind, version, size)).map((g) => ({
      ...this.header(kind, g),
      segments: SegmentsService.values(config, g).map(({ segment, values }) => ({ segment, values: [...values].map(([v, c]) => segmentValueReport(v, c)) })),
    }));
  }

  /**
   * Per UTC window and version: each segment's group rates and disparity metrics (fairness.ts)
   * with the config's minimum count and thresholds; on the evaluation window kind, closed windows
   * (end ≤ now) that breach a threshold publish `performance-degraded` once per (window, segment,
   * metric), and the gauges show the latest closed window.
   * @throws NotFoundError when the model has no segment config
   */
  async fairness(model: string, kind: SegmentWindowKind, version?: number, size?: number): Promise<FairnessWindow[]> {
    const config = await this.config(model);
    const reports = (await this.grouped(model, kind, version, size)).map((g) => ({
      ...this.header(kind, g),
      minCount: config.minCount,
      segments: SegmentsService.values(config, g).map(({ segment, values }) => {
        const groups = [...values].map(([v, c]) => groupRates(v, c));
        return { segment, groups, disparities: segmentDisparities(groups, config) };
      }),
    }));
    if (kind === this.options.evaluationWindow) {
      const now = Date.now();
      for (const r of reports) if (Date.parse(r.windowEnd!) <= now) await this.alert(model, r);
      const segmentReports = version === undefined ? await this.segments(model, kind) : [];
      this.updateGauges(model, reports, segmentReports, now);
    }
    return reports;
  }

  /** Publishes each breached disparity of a closed window once (dedup row + outbox row in one transaction). */
  private async alert(model: string, r: FairnessWindow): Promise<void> {
    const labelsIn = r.predictionCount > 0 && r.labeledCount >= (this.options.minLabeledShare ?? 0.95) * r.predictionCount;
    const table = this.table('fairness_alert');
    for (const s of r.segments) {
      for (const d of s.disparities) {
        if (!d.breached || d.value === null || (LABEL_METRICS.has(d.metric) && !labelsIn)) continue;
        await this.dataSource.transaction(async (m) => {
          const claimed = (await m.query(
            `INSERT INTO ${table} (model_name, model_version, window_kind, window_start, segment, metric, value, alerted_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, now()) ON CONFLICT DO NOTHING RETURNING 1`,
            [model, r.modelVersion, r.windowKind, new Date(r.windowStart!), s.segment, d.metric, d.value],
          )) as unknown[];
          if (claimed.length === 0) return;
          const ratio = d.metric === 'demographic_parity_ratio';
          const eligible = s.groups.filter((g) => d.eligibleGroups.includes(g.group));
          await this.publisher.publish(m, PerformanceDegradedV1, {
            detectionId: randomUUID(), modelName: model, modelVersion: r.modelVersion, metric: `${d.metric}:${s.segment}`.slice(0, 64),
            direction: ratio ? 'higher-is-better' : 'lower-is-better', value: d.value as number, baseline: ratio ? 1 : 0, threshold: d.threshold as number,
            sampleSize: eligible.reduce((t, g) => t + (LABEL_METRICS.has(d.metric) ? g.labeledCount : g.predictionCount), 0),
            windowStart: r.windowStart!, windowEnd: r.windowEnd!, detectedAt: new Date().toISOString(),
          });
          this.logger.warn({ model, version: r.modelVersion, windowStart: r.windowStart, segment: s.segment, metric: d.metric, value: d.value, threshold: d.threshold, max: d.max, min: d.min }, 'disparity threshold breached');
        });
      }
    }
  }

  private updateGauges(model: string, fairness: FairnessWindow[], segments: SegmentWindow[], now: number): void {
    const latest = <T extends WindowHeader>(list: T[]): Map<number, T> => {
      const m = new Map<number, T>();
      for (const r of list) if (Date.parse(r.windowEnd!) <= now) m.set(r.modelVersion, r); // sorted by start (time windows only)
      return m;
    };
    for (const [v, r] of latest(fairness)) {
      for (const s of r.segments) for (const d of s.disparities) if (d.value !== null) segmentMetrics.disparity.set({ model, version: String(v), segment: s.segment, metric: d.metric }, d.value);
    }
    for (const [v, r] of latest(segments)) {
      for (const s of r.segments) {
        for (const x of s.values) {
          const labels = { model, version: String(v), segment: s.segment, value: x.group };
          segmentMetrics.predictions.set(labels, x.predictionCount);
          if (x.selectionRate !== null) segmentMetrics.positiveRate.set(labels, x.selectionRate);
          if (x.labelCoverage !== null) segmentMetrics.labelCoverage.set(labels, x.labelCoverage);
          if (x.performance.rocAuc !== null) segmentMetrics.rocAuc.set(labels, x.performance.rocAuc);
          if (x.performance.accuracy !== null) segmentMetrics.accuracy.set(labels, x.performance.accuracy);
        }
      }
    }
  }

  /** One background pass: the fairness report (alerts, gauges) of every model with a segment config. */
  async evaluateAll(): Promise<void> {
    await this.database.whenReady();
    for (const model of await this.configs.models()) {
      if (this.pass.stopped) return;
      await this.fairness(model, this.options.evaluationWindow);
    }
  }

  /**
   * The live promotion gate of a rollout, on the rollout's compared window `r:<rolloutId>` of each
   * version. The rule is the registry policy's `fairness` (`policyGate`, the single source shared
   * with the offline decision), else the deprecated segment config `gate` (fairness.ts
   * `liveGateRule`); null when there is neither. A segment the config does not count (or counts in
   * other buckets) gives an `insufficient_data` verdict naming why, so the registry refuses.
   */
  async rolloutGate(model: string, rolloutId: string, championVersion: number, challengerVersion: number, policyGate: FairnessGate | null = null): Promise<(DisparityGateVerdict & { source: LiveGateSource }) | null> {
    const config = await this.configs.get(model);
    const live = liveGateRule(policyGate, config);
    if (!live) return null;
    const mismatch = liveSegmentMismatch(live.rule, config);
    if (mismatch) {
      const v = disparityGate(live.rule, live.minCount, { version: championVersion, groups: [] }, { version: challengerVersion, groups: [] });
      return { ...v, reason: `${v.reason} (${mismatch})`, source: live.source };
    }
    const rows = await this.aggregation.read(model, rolloutWindow(rolloutId), { segments: true });
    const side = (version: number): GroupRates[] => {
      const c = new CounterSet();
      for (const r of rows) if (r.modelVersion === version && r.windowKey === rolloutWindow(rolloutId)) c.add(r.metric, r.bucket, r.n, r.s);
      const values = topSegments(splitSegments(c.all()).get(live.rule.segment) ?? new Map(), config!.topN);
      return [...values].map(([v, x]) => groupRates(v, x));
    };
    return { ...disparityGate(live.rule, live.minCount, { version: championVersion, groups: side(championVersion) }, { version: challengerVersion, groups: side(challengerVersion) }), source: live.source };
  }

  private table(name: string): string {
    const schema = (this.dataSource.driver as { schema?: string }).schema ?? (this.dataSource.options as { schema?: string }).schema;
    return schema ? `"${schema}"."${name}"` : `"${name}"`;
  }
}
