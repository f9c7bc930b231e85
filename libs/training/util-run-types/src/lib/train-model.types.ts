import type { EvaluationSegmentCounts } from './evaluation-segments.types';
import type { Duration } from '@temporalio/common';

/**
 * Input, output and activity contracts of {@link trainModelWorkflow}. Plain data only (it is
 * serialized into workflow history): URIs and digests travel between steps, never data.
 */

/** Built-in trainer ids. */
export const TRAINERS = ['logistic_regression'] as const;
/**
 * A trainer id: a built-in one, or `command:<name>` — an external command trainer configured
 * under `<name>` in the worker (`TRAINING_COMMAND_TRAINERS`), run with the file contract.
 */
export type TrainerId = (typeof TRAINERS)[number] | `command:${string}`;

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
  /** Registered model name, e.g. `adult-income`. */
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
  /**
   * Register the trained model (default true). Hyperparameter-search trials pass false: only
   * the best trial is registered, by the search workflow. Honoured only by workflow code with
   * the `strata-training-v2` patch.
   */
  register?: boolean;
}

/** Output of {@link trainModelWorkflow}. */
export interface TrainModelOutput {
  runId: string;
  /** Version number the registry assigned; 0 when the run was not registered (`register: false`). */
  modelVersion: number;
  /** `file:///…/artifacts/<modelName>/<runId>/model.onnx` */
  artifactUri: string;
  /** sha256 of the ONNX bytes (64 lowercase hex). */
  artifactSha256: string;
  /** Evaluation metrics on the held-out slice (finite numbers; see {@link EvaluateModelOutput}). */
  metrics: Record<string, number>;
  /** What the search workflow needs to register an unregistered trial (v2 runs). */
  registration?: Omit<RegisterModelVersionInput, 'runId' | 'workflowId' | 'modelName'>;
}

/** Resources spent by activities; summed over the run. */
export interface ResourceUsage {
  /** Wall-clock time, ms. */
  wallTimeMs: number;
  /** CPU time (user + system), seconds. */
  cpuSeconds: number;
  /** Highest sampled resident set size, bytes. */
  peakRssBytes: number;
  /** Mean GPU utilization in percent while training (nvidia-smi); null/absent without a GPU. */
  gpuUtilizationPct?: number | null;
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
  /** Metrics the trainer reported itself (external trainers' `metrics.json`), finite numbers. */
  trainerMetrics?: Record<string, number>;
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
  /** Flat metrics of the eval slice: `roc_auc` (omitted with one class), `accuracy`, `log_loss`, `brier_score`, `precision`, `recall`,
   * `f1`, `expected_calibration_error`, `rows`, `positive_rate`; the same prefixed `train_` for the training slice. */
  metrics: Record<string, number>;
  /** Full reports (`BinaryClassificationReport` of util-model-evaluation), incl. calibration by decile. */
  report: { eval: Record<string, unknown>; train: Record<string, unknown> };
  segments?: Record<string, EvaluationSegmentCounts>; // per-group counts of the eval slice (issue #17); absent in runs recorded before
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
  /** Registered as `lineage.evaluation` with the dataset versions (digest; the policy's fairness gate, issue #17). */
  evaluation?: { splitTime: string; segments?: Record<string, EvaluationSegmentCounts> };
}
export interface RegisterModelVersionOutput {
  modelVersion: number;
}

/** Input of `recordRunRegistered`: a completed, unregistered trial got a version (search winner). */
export interface RecordRunRegisteredInput {
  runId: string;
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
  /** Registered version; null for an unregistered hyperparameter trial. */
  modelVersion: number | null;
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

/** One trial of a hyperparameter search: a training run with its own id and params. */
export interface SearchTrial {
  /** Trial index (0-based) in generation order. */
  index: number;
  runId: string;
  /** `<searchRequestId>:trial-<index>`; the trial's workflow id is `train:<modelName>:<requestId>`. */
  requestId: string;
  params: TrainingParams;
}

/** Input of `hyperparameterSearchWorkflow`. */
export interface HyperparameterSearchInput {
  searchId: string;
  modelName: string;
  requestId: string;
  /** Metric of the trials' evaluation (e.g. `roc_auc`) the best trial is chosen by. */
  metric: string;
  direction: 'maximize' | 'minimize';
  /** Trials running at the same time (≥ 1). */
  parallelism: number;
  trials: SearchTrial[];
  /** The shared training request of every trial (params come from the trial). */
  base: Omit<TrainModelInput, 'runId' | 'requestId' | 'params' | 'register'>;
}

/** Outcome of one trial as the search saw it. */
export interface SearchTrialOutcome {
  index: number;
  runId: string;
  status: 'COMPLETED' | 'FAILED' | 'CANCELLED';
  /** The declared metric (absent when the trial failed or did not report it). */
  metric?: number;
  error?: string;
}

/** Output of `hyperparameterSearchWorkflow`. */
export interface HyperparameterSearchOutput {
  searchId: string;
  bestRunId: string;
  bestMetric: number;
  modelVersion: number;
  trials: SearchTrialOutcome[];
}

/** Input of `recordSearchFinished`. */
export interface RecordSearchFinishedInput {
  searchId: string;
  status: 'COMPLETED' | 'FAILED' | 'CANCELLED';
  completedTrials: number;
  failedTrials: number;
  bestRunId?: string;
  bestMetric?: number;
  modelVersion?: number;
  errorCode?: string;
  errorMessage?: string;
}

/** Activities of the hyperparameter search workflow (besides `registerModelVersion`). */
export interface SearchActivities {
  /** Sets `model_version` on a completed trial's run row (the search registered it). */
  recordRunRegistered(input: RecordRunRegisteredInput): Promise<void>;
  /** Marks the search row finished with its best trial and counts. */
  recordSearchFinished(input: RecordSearchFinishedInput): Promise<void>;
}

/** Where a retraining came from. */
export type RetrainingSource = 'drift' | 'performance' | 'schedule' | 'manual';

/** Input of `retrainModelWorkflow` (workflow id `retrain:<modelName>`: one at a time per model). */
export interface RetrainModelInput {
  triggerId: string;
  modelName: string;
  source: RetrainingSource;
  reason: string;
  /** Alias the new version gets (default `challenger`). */
  alias?: string;
  /** Timeouts passed on to the training run (tests). */
  timeouts?: TrainModelTimeouts;
}

/** Output of `retrainModelWorkflow`. */
export interface RetrainModelOutput {
  triggerId: string;
  runId: string;
  modelVersion: number;
  alias: string;
}

/** Input of `triggerRetraining` (the schedule's workflow asks the service's guarded path). */
export interface TriggerRetrainingInput {
  modelName: string;
  source: RetrainingSource;
  /** Idempotency id of the trigger (event id, scheduled workflow id, request id). */
  triggerEventId: string;
  reason: string;
  /** When the triggering condition was detected (events); older than the latest completed run → skipped as stale. */
  detectedAt?: string;
}

/** What the guarded trigger path decided. */
export interface TriggerRetrainingOutput {
  triggerId: string;
  decision: 'STARTED' | 'SKIPPED_COOLDOWN' | 'SKIPPED_RUNNING' | 'SKIPPED_NO_RUN' | 'SKIPPED_STALE' | 'DISABLED';
  workflowId: string | null;
}

/** Activities of the retraining workflows. */
export interface RetrainingActivities {
  /**
   * Builds the training request of a retraining on fresh data: the latest version of each
   * dataset of the model's latest completed run (ingestion), the same trainer, params and
   * training set, the default time split; inserts its `training_run` row (reason = source).
   */
  prepareRetraining(input: { triggerId: string; modelName: string; source: RetrainingSource }): Promise<TrainModelInput>;
  /** `PUT {REGISTRY_URL}/registered-models/{name}/aliases/{alias}` `{ version, reason, actor: 'training' }`. */
  setModelAlias(input: { modelName: string; alias: string; version: number; reason: string }): Promise<void>;
  /** Records the outcome on the trigger row. */
  recordRetrainingFinished(input: { triggerId: string; status: 'COMPLETED' | 'FAILED' | 'CANCELLED'; runId?: string; modelVersion?: number; errorMessage?: string }): Promise<void>;
  /** The guarded start path (cooldown, one at a time), used by the schedule's workflow. */
  triggerRetraining(input: TriggerRetrainingInput): Promise<TriggerRetrainingOutput>;
}
