import type { BatchScoringOptions } from './batch-scoring/batch-scoring.options';
import type { BatchingOptions } from './dynamic-batcher';
/** DI token of {@link ServingOptions}. */
export const SERVING_OPTIONS = Symbol('SERVING_OPTIONS');

/** Alias used when a request addresses a model without a version. */
export const DEFAULT_ALIAS = 'champion';

/** OIP `platform` of every model this server runs. */
export const ONNX_PLATFORM = 'onnxruntime_onnx';

/** Options of the serving feature module (from the app's config). */
export interface ServingOptions {
  /** Registry base URL (`REGISTRY_URL`). */
  registryUrl: string;
  /** Features service base URL (`FEATURES_URL`). */
  featuresUrl: string;
  /** onnxruntime intra-op threads per session (`SERVING_ORT_THREADS`). */
  ortThreads: number;
  /** onnxruntime inter-op threads per session (`SERVING_ORT_INTER_OP_THREADS`). */
  ortInterOpThreads: number;
  /** Root of the local object store (`STRATA_DATA_DIR`). */
  dataDir: string;
  /** Max prediction events buffered in memory before dropping (`SERVING_PREDICTION_LOG_BUFFER`). */
  predictionLogCapacity: number;
  /** Events per outbox transaction (`SERVING_PREDICTION_LOG_BATCH`). */
  predictionLogBatchSize: number;
  /**
   * When a prediction is answered relative to its log (`SERVING_PREDICTION_LOG_DURABILITY`):
   * `buffered` (default) answers at once and writes the log off the request path (a SIGKILL loses
   * the predictions still buffered); `durable` answers only once the prediction's outbox
   * transaction committed (group commit), so no answered prediction is ever lost.
   */
  predictionLogDurability?: 'buffered' | 'durable';
  /** In `durable` mode, how long a request waits for its log to commit before 503, ms (`SERVING_PREDICTION_LOG_TIMEOUT_MS`, default 5000). */
  predictionLogTimeoutMs?: number;
  /** Timeout of calls to the registry and the features service, ms (`SERVING_HTTP_TIMEOUT_MS`). */
  httpTimeoutMs: number;
  /**
   * Dynamic batching per model name (`'*'` = every model), from `SERVING_BATCHING`
   * (e.g. `{"churn": {"maxBatchSize": 64, "maxDelayMs": 2}}`). Off when absent.
   */
  batching?: Record<string, BatchingOptions>;
  /** Largest accepted request body, bytes (`SERVING_MAX_BODY_BYTES`); larger → 413 naming the limit. */
  maxBodyBytes?: number;
  /**
   * Serve `POST /v2/models/{m}[/versions/{v}]/infer` straight from Fastify, without Nest's
   * per-request pipeline (same auth, input rules, validation, logging and metrics; see
   * `InferFastRoute`). Default true; `SERVING_FAST_INFER_ROUTE=false` goes through Nest.
   */
  fastInferRoute?: boolean;
  /** Load every model's champion at start (default true). */
  loadOnStart?: boolean;
  /** Batch scoring (Temporal client + worker, `/batch-scoring-jobs`); absent = off. */
  batch?: BatchScoringOptions;
}
