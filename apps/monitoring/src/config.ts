import { z } from 'zod';
import { loadConfig, portVar } from '@strata/shared/util-config';
import { platformEnvSchema } from '@strata/shared/nest-platform';

/** Environment of the monitoring service; see apps/monitoring/.env.example. */
export const monitoringEnvSchema = platformEnvSchema.extend({
  MONITORING_PORT: portVar(3006),
  /** Registry base URL (version metrics, reference profile URIs). */
  REGISTRY_URL: z.string().url().default('http://127.0.0.1:3004'),
  /** PSI at or above which a feature drifted. */
  MONITORING_PSI_THRESHOLD: z.coerce.number().positive().default(0.1),
  /** Share of drifted features at or above which the dataset drifted. */
  MONITORING_DRIFT_SHARE: z.coerce.number().gt(0).max(1).default(0.5),
  /** PSI epsilon for empty bins (util-drift DEFAULT_EPSILON). */
  MONITORING_PSI_EPSILON: z.coerce.number().gt(0).lt(1).default(1e-4),
  /** Predictions a closed window needs before drift-detected may fire. */
  MONITORING_MIN_PREDICTIONS: z.coerce.number().int().min(1).default(30),
  /** Labeled predictions a closed window needs before performance-degraded may fire. */
  MONITORING_MIN_LABELED: z.coerce.number().int().min(1).default(30),
  MONITORING_MIN_LABELED_SHARE: z.coerce.number().gt(0).max(1).default(0.95),
  /** Seconds a closed window's counts must stay unchanged before its alerts fire (0 = at once; `npm run up` uses 20: replays fill past windows). */
  MONITORING_SETTLE_SECONDS: z.coerce.number().min(0).max(86_400).default(0),
  /** ROC AUC floor. */
  MONITORING_MIN_ROC_AUC: z.coerce.number().min(0).max(1).default(0.6),
  /** Allowed ROC AUC drop below the registered baseline (`roc_auc` metric of the version). */
  MONITORING_MAX_ROC_AUC_DROP: z.coerce.number().min(0).max(1).default(0.05),
  /** Window kind of the background evaluation, alerts and gauges. */
  MONITORING_WINDOW: z.enum(['month', 'week', 'day']).default('month'),
  /** Background evaluation period in ms (0 = only on GET /models/{m}/windows). */
  MONITORING_EVALUATION_INTERVAL_MS: z.coerce.number().int().min(0).default(60_000),
  /** Kafka consumer group (change it for a second, independent instance). */
  MONITORING_CONSUMER_GROUP: z.string().min(1).default('monitoring'),
  /** Timeout of registry calls, ms. */
  MONITORING_HTTP_TIMEOUT_MS: z.coerce.number().int().min(100).default(5000),
  /** Period of the background aggregation pass (stored rows → counters), ms; 0 = only before reports. */
  MONITORING_AGGREGATION_INTERVAL_MS: z.coerce.number().int().min(0).default(1000),
  /** Predictions per count block (count windows are unions of whole blocks). */
  MONITORING_COUNT_BLOCK: z.coerce.number().int().min(1).max(1_000_000).default(100),
  /** Default count window size (`GET /models/{m}/windows?window=count`), a multiple of the block. */
  MONITORING_COUNT_WINDOW: z.coerce.number().int().min(1).default(1000),
  /** Drift test of the verdicts: psi (default), auto (Evidently's choice), ks, chisquare, jensenshannon, wasserstein. */
  MONITORING_DRIFT_METHOD: z.enum(['psi', 'auto', 'ks', 'chisquare', 'jensenshannon', 'wasserstein']).default('psi'),
  /** Significance level a distance drift verdict also needs (KS / χ² p-value below it); 1 = distance only. */
  MONITORING_DRIFT_ALPHA: z.coerce.number().gt(0).max(1).default(0.01),
  /** Rollout guard period in ms (0 disables automatic rollback). */
  MONITORING_ROLLOUT_GUARD_INTERVAL_MS: z.coerce.number().int().min(0).default(5000),
  /** Challenger requests since the rollout started before the guard may decide. */
  MONITORING_ROLLOUT_MIN_REQUESTS: z.coerce.number().int().min(1).default(100),
  /** Absolute challenger error-rate ceiling. */
  MONITORING_ROLLOUT_MAX_ERROR_RATE: z.coerce.number().min(0).max(1).default(0.05),
  /** Challenger error rate ceiling relative to the champion's (0 = off). */
  MONITORING_ROLLOUT_MAX_ERROR_RATE_RATIO: z.coerce.number().min(0).default(0),
  /** Absolute challenger p99 latency ceiling, seconds. */
  MONITORING_ROLLOUT_MAX_P99_SECONDS: z.coerce.number().positive().default(1),
  /** Challenger p99 ceiling relative to the champion's (0 = off). */
  MONITORING_ROLLOUT_MAX_P99_RATIO: z.coerce.number().min(0).default(0),
  /** Metric of the champion/challenger comparison on labeled traffic. */
  MONITORING_ROLLOUT_METRIC: z.enum(['roc_auc', 'accuracy', 'log_loss', 'f1', 'precision', 'recall']).default('roc_auc'),
}).refine((c) => c.MONITORING_COUNT_WINDOW % c.MONITORING_COUNT_BLOCK === 0, {
  message: 'MONITORING_COUNT_WINDOW must be a multiple of MONITORING_COUNT_BLOCK', path: ['MONITORING_COUNT_WINDOW'],
});

export type MonitoringConfig = ReturnType<typeof loadMonitoringConfig>;

/** @throws ConfigValidationError listing every missing or invalid variable */
export function loadMonitoringConfig(env: Record<string, string | undefined> = process.env) {
  return loadConfig('monitoring', monitoringEnvSchema, env);
}
