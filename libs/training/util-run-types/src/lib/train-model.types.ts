import type { Duration } from '@temporalio/common';

/**
 * Input, output and activity contracts of {@link trainModelWorkflow}. Plain data only (it is
 * serialized into workflow history): URIs and digests travel between steps, never data.
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

/** Durations and retry knobs, so the same workflow runs quickly in tests. All optional. */
export interface TrainModelTimeouts {
  /** Poll interval of the training-set build, ms (default 1000). */
  pollIntervalMs?: number;
  /** Start-to-close of the training-set build, e.g. `'30 minutes'` (default). */
  buildStartToClose?: Duration;
  /** Start-to-close of train and evaluate, e.g. `'2 hours'` (default). */
  trainStartToClose?: Duration;
  /** Heartbeat timeout of long activities (default `'60 seconds'`). */
  heartbeatTimeout?: Duration;
  /** Start-to-close of short activities (HTTP calls, DB writes; default `'2 minutes'`). */
  shortStartToClose?: Duration;
  /** First retry delay (default `'2 seconds'`, doubling up to `'1 minute'`). */
  initialRetryInterval?: Duration;
  /** Attempts per activity before the run fails (default 5). */
  maximumAttempts?: number;
}

/** Input of {@link trainModelWorkflow}. */
export interface TrainModelInput {
  /** Run id (UUID) of the `training_run` row created before the workflow started. */
  runId: string;
  /** Registered model name, e.g. `taxi-tip`. */
  modelName: string;
  /** Idempotency key of the request; the workflow id is `train:<modelName>:<requestId>`. */
  requestId: string;
  trainer: TrainerId;
  params: TrainingParams;
  /** Training set name in the features service, e.g. `big_tipper`. */
  trainingSet: string;
  /** Dataset versions the training set is built from (at least one). */
  trainDatasetVersions: DatasetVersionInput[];
  /**
   * Time split: rows with `event_timestamp < splitTime` train, the rest evaluate. `splitTime`
   * is ISO-8601 UTC; when absent, the split is the 80% quantile of the event timestamps.
   */
  evaluation: { splitTime?: string };
  reason: TrainingReason;
  timeouts?: TrainModelTimeouts;
}

/** Output of {@link trainModelWorkflow}. */
export interface TrainModelOutput {
  runId: string;
  /** Version number the registry assigned. */
  modelVersion: number;
  /** `file:///…/artifacts/<modelName>/<runId>/model.onnx` */
  artifactUri: string;
  /** sha256 of the ONNX bytes (64 lowercase hex). */
  artifactSha256: string;
  /** Evaluation metrics on the held-out slice (finite numbers; see {@link EvaluateModelOutput}). */
  metrics: Record<string, number>;
}

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

/**
 * The activities {@link trainModelWorkflow} calls. Implemented by
 * `createTrainingActivities(deps)` in `@strata/training/activities` (the worker wiring checks
 * the implementation against this interface at compile time).
 */
export interface TrainingActivities {
  /** Checks the dataset versions exist and pins their content hashes. */
  resolveInputs(input: ResolveInputsInput): Promise<ResolveInputsOutput>;
  /** Asks the features service for a point-in-time training set and waits for it (heartbeating). */
  buildTrainingSet(input: BuildTrainingSetInput): Promise<TrainingSetRef>;
  /** Trains on the train slice, exports ONNX + reference profile to the object store. */
  trainModel(input: TrainModelActivityInput): Promise<TrainModelActivityOutput>;
  /** Scores both slices with the ONNX artifact and computes metrics. */
  evaluateModel(input: EvaluateModelInput): Promise<EvaluateModelOutput>;
  /** Registers the artifact as a new model version (idempotent per run id). */
  registerModelVersion(input: RegisterModelVersionInput): Promise<RegisterModelVersionOutput>;
  /** Marks the run COMPLETED and announces `training-run-completed` (one transaction). */
  recordRunCompleted(input: RecordRunCompletedInput): Promise<void>;
  /** Marks the run FAILED and announces `training-run-failed` (one transaction). */
  recordRunFailed(input: RecordRunFailedInput): Promise<void>;
  /** Marks the run CANCELLED. */
  recordRunCancelled(input: RecordRunCancelledInput): Promise<void>;
}
