import type { BatchScoringTimeouts } from '@strata/serving/workflows';

/** DI token of {@link BatchScoringOptions}. */
export const BATCH_SCORING_OPTIONS = Symbol('BATCH_SCORING_OPTIONS');

/** Options of batch scoring (`ServingOptions.batch`); absent = no batch scoring endpoints or worker. */
export interface BatchScoringOptions {
  /** Temporal frontend, e.g. `127.0.0.1:7233` (`TEMPORAL_ADDRESS`). */
  temporalAddress: string;
  /** Temporal namespace (`TEMPORAL_NAMESPACE`, default `default`). */
  temporalNamespace: string;
  /** Task queue of the serving worker (`SERVING_TASK_QUEUE`, default `strata-serving-batch`). */
  taskQueue: string;
  /** Run the Temporal worker in this process (`SERVING_WORKER_ENABLED`). */
  workerEnabled: boolean;
  /** Ingestion base URL (dataset version → Parquet URI). */
  ingestionUrl: string;
  /** Rows per chunk activity (`SERVING_BATCH_CHUNK_ROWS`, default 10 000). */
  chunkRows: number;
  /** Activity timeouts/retries given to every job (default the workflow's). */
  timeouts?: BatchScoringTimeouts;
  /** Delay between Temporal connection attempts, ms (default 2000). */
  retryDelayMs?: number;
  /** Deadline of one Temporal client call in a request path (start, cancel, query), ms (`TEMPORAL_RPC_TIMEOUT_MS`, default 10 000). */
  temporalRpcTimeoutMs?: number;
}
