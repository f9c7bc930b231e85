/**
 * Inputs and outputs of the training activities. They mirror the activity contract declared
 * by `@strata/training/workflows` (`TrainingActivities`); the worker wiring in
 * feature-training assigns `createTrainingActivities(deps)` to that interface, so any drift
 * between the two fails the type check. (Module boundaries keep this data-access lib from
 * importing the workflows lib.)
 */

/** Trainer ids the workflow accepts. */
export const TRAINERS = ['logistic_regression'] as const;
/** A built-in trainer id. */
export type TrainerId = (typeof TRAINERS)[number];

/** Hyper-parameters: scalars only (JSON-safe), e.g. `{ l2: 0.001, maxIterations: 100 }`. */
export type TrainingParams = Record<string, number | string | boolean>;

/** A dataset version as requested (name + version id). */
export interface DatasetVersionInput {
  datasetName: string;
  versionId: string;
}

/** A pinned dataset version, resolved against ingestion (with its content hash). */
export interface ResolvedDatasetVersion extends DatasetVersionInput {
  contentSha256: string;
}

/** Why a run was requested (as in `TrainingRequestedV1.reason`). */
export type TrainingReason = 'manual' | 'drift' | 'performance' | 'schedule';

/** Resources spent by activities; summed over the run. */
export interface ResourceUsage {
  /** Wall-clock time, ms. */
  wallTimeMs: number;
  /** CPU time (user + system), seconds. */
  cpuSeconds: number;
  /** Highest sampled resident set size, bytes. */
  peakRssBytes: number;
}

/** A built training set (the features service's answer, trimmed). */
export interface TrainingSetRef {
  id: string;
  /** Parquet file URI. */
  uri: string;
  sha256: string;
  rowCount: number;
  /** Every column of the Parquet file, in order. */
  columns: string[];
  /** `view:feature` references joined in. */
  featureRefs: string[];
}

export interface ResolveInputsInput {
  runId: string;
  modelName: string;
  datasetVersions: DatasetVersionInput[];
}
export interface ResolveInputsOutput {
  datasetVersions: ResolvedDatasetVersion[];
}

export interface BuildTrainingSetInput {
  runId: string;
  modelName: string;
  trainingSet: string;
  datasetVersions: DatasetVersionInput[];
  pollIntervalMs?: number;
}

export interface TrainModelActivityInput {
  runId: string;
  modelName: string;
  trainer: TrainerId;
  params: TrainingParams;
  trainingSet: TrainingSetRef;
  splitTime?: string;
}
export interface TrainModelActivityOutput {
  artifactUri: string;
  artifactSha256: string;
  referenceProfileUri: string;
  referenceProfileSha256: string;
  /** Model input columns, in order. */
  featureNames: string[];
  /** The split actually used (ISO-8601 UTC). */
  splitTime: string;
  trainRows: number;
  evalRows: number;
  iterations: number;
  converged: boolean;
  resources: ResourceUsage;
}

export interface EvaluateModelInput {
  runId: string;
  modelName: string;
  artifactUri: string;
  artifactSha256: string;
  trainingSet: TrainingSetRef;
  featureNames: string[];
  splitTime: string;
}
export interface EvaluateModelOutput {
  /**
   * Flat metrics: `roc_auc`, `accuracy`, `log_loss`, `brier_score`, `precision`, `recall`, `f1`,
   * `expected_calibration_error`, `eval_rows`, `eval_positive_rate`, and the same prefixed
   * `train_` for the training slice (`roc_auc` omitted when the slice has one class).
   */
  metrics: Record<string, number>;
  /** Full reports (`BinaryClassificationReport` of util-model-evaluation), incl. calibration by decile. */
  report: { eval: Record<string, unknown>; train: Record<string, unknown> };
  resources: ResourceUsage;
}

export interface RegisterModelVersionInput {
  runId: string;
  workflowId: string;
  modelName: string;
  trainer: TrainerId;
  artifactUri: string;
  artifactSha256: string;
  referenceProfileUri: string;
  referenceProfileSha256: string;
  metrics: Record<string, number>;
  params: TrainingParams;
  datasetVersions: ResolvedDatasetVersion[];
  featureViews: string[];
  trainingSet: { name: string; id: string; uri: string; sha256: string };
}
export interface RegisterModelVersionOutput {
  modelVersion: number;
}

export interface RecordRunCompletedInput {
  runId: string;
  workflowId: string;
  modelName: string;
  requestId: string;
  trainer: TrainerId;
  params: TrainingParams;
  artifactUri: string;
  artifactSha256: string;
  referenceProfileUri: string;
  referenceProfileSha256: string;
  metrics: Record<string, number>;
  evaluationReport: Record<string, unknown>;
  datasetVersions: ResolvedDatasetVersion[];
  featureViews: string[];
  trainingSet: { id: string; uri: string; sha256: string };
  modelVersion: number;
  /** Workflow start time, ISO-8601 UTC. */
  startedAt: string;
  resources: ResourceUsage;
}

/** The workflow stage a run failed in (as in `TrainingRunFailedV1.stage`). */
export type FailedStage = 'build-training-set' | 'train' | 'evaluate' | 'export' | 'register';

export interface RecordRunFailedInput {
  runId: string;
  workflowId: string;
  modelName: string;
  requestId: string;
  stage: FailedStage;
  step: string;
  errorCode: string;
  errorMessage: string;
  attempts: number;
  startedAt: string;
  resources: ResourceUsage;
}

export interface RecordRunCancelledInput {
  runId: string;
  step: string;
  resources: ResourceUsage;
}

