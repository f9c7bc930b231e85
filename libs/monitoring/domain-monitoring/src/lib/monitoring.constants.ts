import type { DriftMethod } from '@strata/shared/util-drift';
import { ROLLOUT_METRICS } from '@strata/contracts/api';
import type { WindowKind } from './windows';

/** DI token of {@link MonitoringOptions}. */
export const MONITORING_OPTIONS = Symbol('MONITORING_OPTIONS');

/** Options of the monitoring feature module (from the app's config). */
export interface MonitoringOptions {
  /** Registry base URL (`REGISTRY_URL`): version metrics and reference profile URIs. */
  registryUrl: string;
  /** Root of the local object store (`STRATA_DATA_DIR`), where reference profiles live. */
  dataDir: string;
  /** PSI at or above which a feature drifted (`MONITORING_PSI_THRESHOLD`, default 0.1). */
  psiThreshold: number;
  /** Share of drifted features for dataset drift (`MONITORING_DRIFT_SHARE`, default 0.5). */
  driftShare: number;
  /** PSI epsilon for empty bins (`MONITORING_PSI_EPSILON`, default 1e-4 = util-drift DEFAULT_EPSILON). */
  psiEpsilon: number;
  /**
   * Minimum predictions in a closed window before `drift-detected` may fire
   * (`MONITORING_MIN_PREDICTIONS`, default 30: the significance gate makes small windows safe,
   * see `driftAlpha`).
   */
  minPredictions: number;
  /** Minimum labeled predictions before `performance-degraded` may fire (`MONITORING_MIN_LABELED`). */
  minLabeled: number;
  /**
   * Share of a closed window's predictions that must have their (delayed) label before
   * `performance-degraded` may fire, so an alert is never decided on the first few labels and
   * then deduplicated (`MONITORING_MIN_LABELED_SHARE`, default 0.95).
   */
  minLabeledShare?: number;
  /**
   * Seconds a closed window's prediction and label counts must stay unchanged before its alerts
   * may fire (`MONITORING_SETTLE_SECONDS`, default 0 = judge a closed window at once). A window
   * whose end is past can still be filling — late events, or a replay of history sending a past
   * month in event-time order — and a partial window is not a sample of the whole one (its first
   * days differ from the reference by hour, weekday and zone, and a few hundred labels give a
   * noisy ROC AUC). Alerts fire once per window, so judging it early would decide on the partial
   * data for good. Counted from the evaluation that first saw the current counts.
   */
  settleSeconds?: number;
  /** ROC AUC floor (`MONITORING_MIN_ROC_AUC`, default 0.6). */
  minRocAuc: number;
  /** Allowed ROC AUC drop below the registered baseline (`MONITORING_MAX_ROC_AUC_DROP`, default 0.05). */
  maxRocAucDrop: number;
  /** Window kind of the background evaluation, alerts and gauges (`MONITORING_WINDOW`, default month). */
  evaluationWindow: WindowKind;
  /** Background evaluation period, ms (`MONITORING_EVALUATION_INTERVAL_MS`); 0 disables it. */
  evaluationIntervalMs: number;
  /** Timeout of registry calls, ms. */
  httpTimeoutMs: number;
  /** Period of the background aggregation pass, ms (`MONITORING_AGGREGATION_INTERVAL_MS`, default 1000; 0 = only before reports). */
  aggregationIntervalMs?: number;
  /** Predictions per count block (`MONITORING_COUNT_BLOCK`, default 100); count windows are whole blocks. */
  countBlockSize?: number;
  /** Default count window size (`MONITORING_COUNT_WINDOW`, default 1000; a multiple of the block size). */
  countWindowSize?: number;
  /** Drift test of the verdicts (`MONITORING_DRIFT_METHOD`): `psi` (default), `auto` (Evidently's choice), or one util-drift method. */
  driftMethod?: DriftMethod | 'auto';
  /**
   * Significance level of distance verdicts (`MONITORING_DRIFT_ALPHA`, default 0.01 =
   * util-drift DEFAULT_ALPHA): a feature drifts only when its distance (PSI by default) reaches
   * the threshold AND its test (KS for continuous numeric, χ² homogeneity for categorical /
   * discrete) gives p < alpha, so small windows of an unchanged distribution do not alarm on
   * PSI's (bins − 1)/n small-sample bias. 1 = distance only (the behaviour before issue #19).
   * With F features, up to F·alpha false feature alarms per window are expected; alpha/F bounds
   * the chance of any (Bonferroni).
   */
  driftAlpha?: number;
  /** Rollout guard (automatic rollback of a canary/shadow challenger); absent = disabled. */
  rolloutGuard?: RolloutGuardOptions;
}

/** Thresholds of the rollout guard; a ratio of 0 disables that relative check (sent as the comparison's `guard.thresholds`, the contract's `GuardThresholds`). */
export type RolloutGuardOptions = {
  /** Evaluation period, ms (`MONITORING_ROLLOUT_GUARD_INTERVAL_MS`, default 5000; 0 disables the guard). */
  intervalMs: number;
  /** Challenger requests (predictions + failures) since the rollout started before any verdict (`MONITORING_ROLLOUT_MIN_REQUESTS`, default 100). */
  minRequests: number;
  /** Absolute error-rate ceiling of the challenger (`MONITORING_ROLLOUT_MAX_ERROR_RATE`, default 0.05). */
  maxErrorRate: number;
  /** Challenger error rate may not exceed this × the champion's (`MONITORING_ROLLOUT_MAX_ERROR_RATE_RATIO`, default 0 = off; needs ≥ minRequests champion requests). */
  maxErrorRateRatio: number;
  /** Absolute p99 latency ceiling of the challenger, seconds (`MONITORING_ROLLOUT_MAX_P99_SECONDS`, default 1). */
  maxP99Seconds: number;
  /** Challenger p99 may not exceed this × the champion's (`MONITORING_ROLLOUT_MAX_P99_RATIO`, default 0 = off; needs ≥ minRequests champion predictions). */
  maxP99Ratio: number;
  /** Metric compared on labeled traffic (`MONITORING_ROLLOUT_METRIC`: roc_auc | accuracy | log_loss | f1 | precision | recall; default roc_auc). */
  metric: RolloutMetric;
  /** X-Strata-Actor of the rollback call (default `monitoring:auto-rollback`). */
  actor?: string;
};

/** Metrics the rollout comparison can declare (declared once, in the API contract: the comparison names them). */
export { ROLLOUT_METRICS };
/** One of {@link ROLLOUT_METRICS}. */
export type RolloutMetric = (typeof ROLLOUT_METRICS)[number];
