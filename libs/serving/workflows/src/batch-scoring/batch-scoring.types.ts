import type { Duration } from '@temporalio/common';

/**
 * Plain data types of the batch scoring workflow and its activity contract. Steps pass URIs
 * and digests, never rows.
 */

/** Which model version scores: exactly one of `alias` or `version`. */
export interface BatchScoringModelRef {
  /** Registry alias, e.g. `champion`. */
  alias?: string;
  /** Registry version number (≥ 1). */
  version?: number;
}

/** Input of {@link batchScoringWorkflow}. */
export interface BatchScoringInput {
  /** Job id (uuid, the `batch_scoring_job` row). */
  jobId: string;
  modelName: string;
  model: BatchScoringModelRef;
  /** Ingestion dataset version (resolved to its Parquet `uri`), or… */
  datasetName?: string;
  versionId?: string;
  /** …a Parquet URI in the object store (e.g. a training-set build's `uri`). */
  inputUri?: string;
  /** Input columns copied to the output before the predictions; default: `*_id`/`id` key columns + `event_timestamp`. */
  outputColumns?: string[];
  /** Rows per `scoreChunk` activity call (default 10 000). */
  chunkRows?: number;
  /** Overrides of the activity timeouts/retries (tests use short ones). */
  timeouts?: BatchScoringTimeouts;
}

/** Temporal durations (`'30 seconds'` or milliseconds). */
export interface BatchScoringTimeouts {
  /** Start-to-close of prepare/record activities (default 2 minutes). */
  shortStartToClose?: Duration;
  /** Start-to-close of one chunk and of the final merge (default 30 minutes). */
  chunkStartToClose?: Duration;
  /** Heartbeat timeout of chunk/merge activities (default 60 seconds): a dead worker's chunk is retried after it. */
  heartbeatTimeout?: Duration;
  /** First retry delay (default 2 seconds; ×2 up to 1 minute). */
  initialRetryInterval?: Duration;
  /** Attempts per activity (default 5). */
  maximumAttempts?: number;
}

/** What `prepareBatchScoring` pinned: the model version, the input file and the column mapping. */
export interface BatchScoringPlan {
  jobId: string;
  modelName: string;
  modelVersion: number;
  artifactUri: string;
  /** sha256 the artifact must have (from the registry; verified on every load). */
  artifactSha256: string;
  /** Parquet URI of the input. */
  inputUri: string;
  /** sha256 of the input file bytes at prepare time. */
  inputSha256: string;
  rowsTotal: number;
  /** Model feature names (`strata.feature_names`), model input order. */
  featureNames: string[];
  /** Input column feeding each feature (same order). */
  featureColumns: string[];
  /** Input columns copied to the output, in order. */
  passThroughColumns: string[];
  chunkRows: number;
  chunkCount: number;
}

/** One scored chunk, staged as its own Parquet object. */
export interface ScoredChunk {
  chunkIndex: number;
  /** Rows in this chunk. */
  rows: number;
  partUri: string;
  partSha256: string;
}

/** Result of the workflow (also stored on the job row). */
export interface BatchScoringOutput {
  jobId: string;
  modelVersion: number;
  outputUri: string;
  outputSha256: string;
  rowCount: number;
}

/** Activity contract, implemented in `@strata/serving/domain-inference` (checked where the worker is created). */
export interface BatchScoringActivities {
  /** Resolves the model version and the input, verifies the artifact, maps columns, counts rows; marks the job RUNNING. Non-retryable on bad input. */
  prepareBatchScoring(input: BatchScoringInput): Promise<BatchScoringPlan>;
  /** Scores rows `[chunkIndex·chunkRows, +chunkRows)` in input order, heartbeating progress; stages a Parquet part; records rowsDone. */
  scoreChunk(input: { plan: BatchScoringPlan; chunkIndex: number }): Promise<ScoredChunk>;
  /** Merges the parts in order into the output Parquet (atomic put), verifies the row count, marks the job SUCCEEDED, deletes the parts. */
  finalizeBatchScoring(input: { plan: BatchScoringPlan; chunks: ScoredChunk[] }): Promise<BatchScoringOutput>;
  /** Marks the job FAILED (code + message) and deletes everything staged under the job's prefix. */
  recordBatchScoringFailed(input: { jobId: string; code: string; message: string }): Promise<void>;
  /** Marks the job CANCELLED and deletes everything staged under the job's prefix. */
  recordBatchScoringCancelled(input: { jobId: string }): Promise<void>;
}
