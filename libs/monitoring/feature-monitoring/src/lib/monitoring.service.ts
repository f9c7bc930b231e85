import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DriftDetectedV1, FeedbackReceivedV1, PerformanceDegradedV1, type PredictionLoggedV1 } from '@strata/contracts';
import { EventPublisher } from '@strata/messaging';
import { FeedbackEntity, PredictionEntity, WindowReportEntity } from '@strata/monitoring/data-access';
import { DatabaseService } from '@strata/shared/nest-platform';
import { DataSource, type EntityManager } from 'typeorm';
import { MONITORING_OPTIONS, type MonitoringOptions } from './monitoring.constants';
import { monitoringMetrics } from './monitoring.metrics';
import { ReferenceProfileService, type StoredProfile } from './reference-profile.service';
import { computeWindowReports, type WindowKind, type WindowPrediction, type WindowReport } from './windows';

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

/** What `GET /models/{m}/windows` returns per window. */
export interface WindowResponse {
  windowStart: string;
  windowEnd: string;
  modelVersion: number;
  predictionCount: number;
  labeledCount: number;
  drift: WindowReport['drift'];
  driftShare: number;
  datasetDrift: boolean;
  performance: WindowReport['performance'];
  referenceProfileSha256: string | null;
}

const ROC_AUC_BASELINE_KEYS = ['roc_auc', 'rocAuc', 'test_roc_auc', 'eval_roc_auc', 'auc'];

/**
 * Monitoring use cases: storing predictions and feedback (idempotently), windowed drift and
 * performance reports (persisted in `window_report`), alerts (`drift-detected`,
 * `performance-degraded`, once per model/version/window) and gauges. A background evaluator
 * recomputes the `MONITORING_WINDOW` reports of every model periodically.
 */
@Injectable()
export class MonitoringService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Monitoring');
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly database: DatabaseService,
    private readonly publisher: EventPublisher,
    private readonly profiles: ReferenceProfileService,
    @Inject(MONITORING_OPTIONS) private readonly options: MonitoringOptions,
  ) {}

  onApplicationBootstrap(): void {
    if (this.options.evaluationIntervalMs > 0) this.schedule(this.options.evaluationIntervalMs);
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
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
    await this.dataSource.transaction(async (manager) => {
      for (const f of items) {
        await this.recordFeedback(manager, f);
        await this.publisher.publish(manager, FeedbackReceivedV1, {
          predictionId: f.predictionId, modelName: f.modelName, label: f.label, observedAt: f.observedAt, source: f.source ?? 'api',
        });
      }
    });
    return { accepted: items.length };
  }

  /**
   * Computes, persists and returns the windows of `model` (every version, or one): counts,
   * PSI per profiled feature, dataset drift, performance on labeled predictions. When `kind` is
   * the evaluation window kind (`MONITORING_WINDOW`), closed windows (end ≤ now) that cross
   * thresholds publish their alert once, and the gauges are updated.
   */
  async windows(model: string, kind: WindowKind, version?: number): Promise<WindowResponse[]> {
    this.database.getDataSource();
    const predictions = await this.loadPredictions(model, version);
    const versions = [...new Set(predictions.map((p) => p.modelVersion))];
    const profiles = new Map<number, StoredProfile | null>();
    for (const v of versions) profiles.set(v, await this.profiles.get(model, v));
    const reports = computeWindowReports(kind, predictions, profiles, {
      psiThreshold: this.options.psiThreshold, driftShare: this.options.driftShare, epsilon: this.options.psiEpsilon,
    });
    const now = Date.now();
    // alerts only for closed windows of the evaluation kind, so one window of time alerts once
    for (const r of reports) await this.persist(model, r, kind === this.options.evaluationWindow && Date.parse(r.windowEnd) <= now);
    if (kind === this.options.evaluationWindow) this.updateGauges(model, predictions, reports, now);
    return reports.map((r) => ({
      windowStart: r.windowStart, windowEnd: r.windowEnd, modelVersion: r.modelVersion, predictionCount: r.predictionCount,
      labeledCount: r.labeledCount, drift: r.drift, driftShare: r.driftShare, datasetDrift: r.datasetDrift,
      performance: r.performance, referenceProfileSha256: r.referenceProfileSha256,
    }));
  }

  /** One background pass over every model with predictions. */
  async evaluateAll(): Promise<void> {
    await this.database.whenReady();
    const rows = (await this.dataSource.query(`SELECT DISTINCT model_name FROM ${this.table(PredictionEntity)}`)) as Array<{ model_name: string }>;
    for (const { model_name } of rows) {
      if (this.stopped) return;
      await this.windows(model_name, this.options.evaluationWindow);
    }
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.evaluateAll()
        .catch((err: unknown) => this.logger.warn({ err: (err as Error).message }, 'background evaluation failed'))
        .finally(() => this.schedule(this.options.evaluationIntervalMs));
    }, delayMs);
    this.timer.unref();
  }

  private table(entity: typeof PredictionEntity | typeof FeedbackEntity): string {
    const m = this.dataSource.getMetadata(entity);
    return m.schema ? `"${m.schema}"."${m.tableName}"` : `"${m.tableName}"`;
  }

  private async loadPredictions(model: string, version?: number): Promise<WindowPrediction[]> {
    const rows = (await this.dataSource.query(
      `SELECT p.prediction_id, p.model_version, p.features, p.probability, p.event_time, f.label
         FROM ${this.table(PredictionEntity)} p
         LEFT JOIN LATERAL (
           SELECT label FROM ${this.table(FeedbackEntity)} f WHERE f.prediction_id = p.prediction_id ORDER BY f.observed_at DESC LIMIT 1
         ) f ON true
        WHERE p.model_name = $1 AND ($2::int IS NULL OR p.model_version = $2::int)`,
      [model, version ?? null],
    )) as Array<{ prediction_id: string; model_version: number; features: Record<string, number | string | null>; probability: number | null; event_time: Date; label: number | null }>;
    return rows.map((r) => ({
      predictionId: r.prediction_id, modelVersion: r.model_version, features: r.features, probability: r.probability, eventTime: new Date(r.event_time), label: r.label,
    }));
  }

  private async persist(model: string, r: WindowReport, alertable: boolean): Promise<void> {
    const key = { modelName: model, modelVersion: r.modelVersion, windowKind: r.windowKind, windowStart: new Date(r.windowStart) };
    const degraded = alertable ? await this.performanceVerdict(model, r) : null;
    await this.dataSource.transaction(async (manager) => {
      await manager
        .createQueryBuilder()
        .insert()
        .into(WindowReportEntity)
        .values({
          ...key, windowEnd: new Date(r.windowEnd), predictionCount: r.predictionCount, labeledCount: r.labeledCount,
          drift: { features: r.drift, testedCount: r.testedCount, driftedCount: r.driftedCount, driftShare: r.driftShare, datasetDrift: r.datasetDrift, referenceProfileSha256: r.referenceProfileSha256 },
          performance: r.performance, computedAt: new Date(), driftAlertedAt: null, performanceAlertedAt: null,
        })
        .orUpdate(['window_end', 'prediction_count', 'labeled_count', 'drift', 'performance', 'computed_at'], ['model_name', 'model_version', 'window_kind', 'window_start'])
        .execute();
      if (!alertable) return;
      const detectedAt = new Date().toISOString();
      if (r.datasetDrift && r.predictionCount >= this.options.minPredictions && (await this.claim(manager, key, 'drift_alerted_at'))) {
        await this.publisher.publish(manager, DriftDetectedV1, {
          detectionId: randomUUID(), modelName: model, modelVersion: r.modelVersion, windowStart: r.windowStart, windowEnd: r.windowEnd,
          referenceProfileId: r.referenceProfileSha256 ?? 'none', sampleSize: r.predictionCount,
          features: r.drift.filter((d) => d.score !== null).map((d) => ({ feature: d.feature, method: 'psi' as const, score: d.score as number, threshold: d.threshold, drifted: d.drifted })),
          datasetDrift: r.datasetDrift, driftShare: r.driftShare, detectedAt,
        });
        this.logger.warn({ model, version: r.modelVersion, windowStart: r.windowStart, driftShare: r.driftShare }, 'drift detected');
      }
      if (degraded && (await this.claim(manager, key, 'performance_alerted_at'))) {
        await this.publisher.publish(manager, PerformanceDegradedV1, {
          detectionId: randomUUID(), modelName: model, modelVersion: r.modelVersion, metric: 'roc_auc', direction: 'higher-is-better',
          value: degraded.value, baseline: degraded.baseline, threshold: degraded.threshold, sampleSize: r.labeledCount,
          windowStart: r.windowStart, windowEnd: r.windowEnd, detectedAt,
        });
        this.logger.warn({ model, version: r.modelVersion, windowStart: r.windowStart, rocAuc: degraded.value, threshold: degraded.threshold }, 'performance degraded');
      }
    });
  }

  /**
   * ROC AUC below max(MONITORING_MIN_ROC_AUC, baseline − MONITORING_MAX_ROC_AUC_DROP) with at
   * least MONITORING_MIN_LABELED labels covering MONITORING_MIN_LABELED_SHARE of the window; baseline = the registry version's `roc_auc` metric
   * (without one: the floor alone, reported as baseline).
   */
  private async performanceVerdict(model: string, r: WindowReport): Promise<{ value: number; baseline: number; threshold: number } | null> {
    const value = r.performance.rocAuc;
    if (value === null || r.labeledCount < this.options.minLabeled) return null;
    if (r.labeledCount < (this.options.minLabeledShare ?? 0.95) * r.predictionCount) return null; // labels still arriving
    const metrics = await this.profiles.baselineMetrics(model, r.modelVersion);
    const baselineKey = ROC_AUC_BASELINE_KEYS.find((k) => metrics?.[k] !== undefined);
    const baseline = baselineKey ? (metrics?.[baselineKey] as number) : null;
    const threshold = baseline === null ? this.options.minRocAuc : Math.max(this.options.minRocAuc, baseline - this.options.maxRocAucDrop);
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

  private updateGauges(model: string, predictions: WindowPrediction[], reports: WindowReport[], now: number): void {
    const counts = new Map<number, number>();
    for (const p of predictions) counts.set(p.modelVersion, (counts.get(p.modelVersion) ?? 0) + 1);
    for (const [v, c] of counts) monitoringMetrics.predictionsTotal.set({ model, version: String(v) }, c);
    const latest = new Map<number, WindowReport>();
    for (const r of reports) if (Date.parse(r.windowEnd) <= now) latest.set(r.modelVersion, r); // reports are sorted by start
    for (const [v, r] of latest) {
      const labels = { model, version: String(v) };
      for (const d of r.drift) if (d.score !== null) monitoringMetrics.featurePsi.set({ ...labels, feature: d.feature }, d.score);
      if (r.performance.rocAuc !== null) monitoringMetrics.rocAuc.set(labels, r.performance.rocAuc);
      if (r.performance.accuracy !== null) monitoringMetrics.accuracy.set(labels, r.performance.accuracy);
    }
  }
}
