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
  /** Minimum predictions in a closed window before `drift-detected` may fire (`MONITORING_MIN_PREDICTIONS`). */
  minPredictions: number;
  /** Minimum labeled predictions before `performance-degraded` may fire (`MONITORING_MIN_LABELED`). */
  minLabeled: number;
  /**
   * Share of a closed window's predictions that must have their (delayed) label before
   * `performance-degraded` may fire, so an alert is never decided on the first few labels and
   * then deduplicated (`MONITORING_MIN_LABELED_SHARE`, default 0.95).
   */
  minLabeledShare?: number;
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
}
