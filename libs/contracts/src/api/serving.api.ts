import { z } from 'zod';
import { defineEndpoint, NoParams } from './define-endpoint';

/** Serving HTTP API (docs/service-apis.md, "serving"): Open Inference Protocol v2 + predict. */

/**
 * Tensor datatypes of the Open Inference Protocol v2 (KServe/Triton "Tensor Data Types").
 * `BYTES` elements travel as JSON strings.
 */
export const OIP_DATATYPES = [
  'BOOL', 'UINT8', 'UINT16', 'UINT32', 'UINT64', 'INT8', 'INT16', 'INT32', 'INT64', 'FP16', 'FP32', 'FP64', 'BYTES',
] as const;
/** One OIP v2 tensor datatype. */
export type OipDatatype = (typeof OIP_DATATYPES)[number];

/** JSON parameters object (OIP `$parameters`): string/number/boolean values. */
export const InferParametersSchema = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]));

/** A nested or flat array of tensor elements (`$tensor_data`). */
export type TensorData = Array<number | string | boolean | TensorData>;
/** Schema of {@link TensorData}. */
export const TensorDataSchema: z.ZodType<TensorData> = z.lazy(() => z.array(z.union([z.number(), z.string(), z.boolean(), TensorDataSchema])));

/** `$request_input`: a named tensor; `datatype` one of {@link OIP_DATATYPES} (serving names an unsupported one), dims ≥ 0. */
export const InferRequestInputSchema = z.object({
  name: z.string().min(1),
  shape: z.array(z.number().int().min(0)),
  datatype: z.string().min(1),
  parameters: InferParametersSchema.optional(),
  data: TensorDataSchema,
});
export type InferRequestInput = z.infer<typeof InferRequestInputSchema>;

/** `$request_output`: an output the caller asks for. */
export const InferRequestOutputSchema = z.object({
  name: z.string().min(1),
  parameters: InferParametersSchema.optional(),
});

/** `$inference_request` (`POST /v2/models/{m}[/versions/{v}]/infer` body; serving validates it with this schema). */
export const InferRequestSchema = z.object({
  id: z.string().optional(),
  parameters: InferParametersSchema.optional(),
  inputs: z.array(InferRequestInputSchema).min(1),
  outputs: z.array(InferRequestOutputSchema).optional(),
});
export type InferRequest = z.infer<typeof InferRequestSchema>;

/** `$response_output`: `data` flattened in row-major order. */
export const InferResponseOutputSchema = z.looseObject({
  name: z.string(),
  shape: z.array(z.number().int()),
  datatype: z.string(),
  parameters: InferParametersSchema.optional(),
  data: z.array(z.union([z.number(), z.string(), z.boolean()])),
});
export type InferResponseOutput = z.infer<typeof InferResponseOutputSchema>;

/** `$inference_response`. */
export const InferResponseSchema = z.looseObject({
  model_name: z.string(),
  model_version: z.string().optional(),
  id: z.string().optional(),
  parameters: InferParametersSchema.optional(),
  outputs: z.array(InferResponseOutputSchema),
});
export type InferResponse = z.infer<typeof InferResponseSchema>;

const Model = z.object({ model: z.string() });

/** A batch scoring job's status (serving `BatchScoringJobStatus`). */
export const BatchScoringJobStatusSchema = z.enum(['PENDING', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED']);

/**
 * A batch scoring job as serving's `GET /batch-scoring-jobs[/{jobId}]` serialise it
 * (`BatchScoringJobResponse`, libs/serving/domain-inference batch-scoring): input is a dataset
 * version (`datasetName` + `versionId`) or a Parquet `inputUri`; output a Parquet `outputUri`
 * with its sha256 and `rowCount`; times ISO-8601 UTC.
 */
export const BatchScoringJobSchema = z.looseObject({
  jobId: z.string(),
  workflowId: z.string(),
  requestId: z.string(),
  status: BatchScoringJobStatusSchema,
  modelName: z.string(),
  alias: z.string().nullable(),
  /** Requested version, or the one the alias resolved to (null until prepared). */
  modelVersion: z.number().int().nullable(),
  datasetName: z.string().nullable(),
  versionId: z.string().nullable(),
  inputUri: z.string().nullable(),
  inputSha256: z.string().nullable(),
  outputColumns: z.array(z.string()).nullable(),
  /** Rows scored (whole chunks) and input rows (null until prepared). */
  progress: z.looseObject({ rowsDone: z.number().int(), rowsTotal: z.number().int().nullable() }),
  outputUri: z.string().nullable(),
  outputSha256: z.string().nullable(),
  rowCount: z.number().int().nullable(),
  /** Failure code (e.g. `INVALID_ARGUMENT`) and message; null unless FAILED. */
  errorCode: z.string().nullable(),
  error: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  finishedAt: z.string().nullable(),
});
export type BatchScoringJob = z.infer<typeof BatchScoringJobSchema>;

/** `POST /batch-scoring-jobs` answer (202): the job (new, or the existing one when this modelName + requestId was already submitted). */
export const StartBatchScoringResponseSchema = z.looseObject({
  jobId: z.string(),
  /** `batch-score:<modelName>:<requestId>` */
  workflowId: z.string(),
  requestId: z.string(),
  status: BatchScoringJobStatusSchema,
  /** True when this modelName + requestId was already submitted (the existing job is returned). */
  alreadyExists: z.boolean(),
});
export type StartBatchScoringResponse = z.infer<typeof StartBatchScoringResponseSchema>;

/**
 * Answer of `POST /models/{model}/predict`: P(y = 1) (`probability`, from the model's `probability`
 * output, or its first output), the model input features by the model's feature names (numbers;
 * categories as strings; null = missing, fed as NaN / `""`) and each feature's status from the
 * features service (`PRESENT`, `NOT_FOUND`, `OUTSIDE_MAX_AGE`, `OUTSIDE_AS_OF`).
 */
export const PredictionSchema = z.looseObject({
  predictionId: z.string(),
  modelName: z.string(),
  modelVersion: z.number().int(),
  probability: z.number(),
  features: z.record(z.string(), z.union([z.number(), z.string(), z.null()])),
  featureStatuses: z.record(z.string(), z.string()),
});
export type Prediction = z.infer<typeof PredictionSchema>;

/** The serving endpoints called by the CLI and tests. */
export const ServingApi = {
  infer: defineEndpoint({ service: 'serving', method: 'POST', path: '/v2/models/{model}/infer', summary: 'OIP v2 inference on the champion', params: Model, body: InferRequestSchema, response: InferResponseSchema }),
  inferVersion: defineEndpoint({ service: 'serving', method: 'POST', path: '/v2/models/{model}/versions/{version}/infer', summary: 'OIP v2 inference on one version', params: z.object({ model: z.string(), version: z.string() }), body: InferRequestSchema, response: InferResponseSchema }),
  predict: defineEndpoint({
    service: 'serving',
    method: 'POST',
    path: '/models/{model}/predict',
    summary: 'Predict from entity keys and request values (?version= a version or alias instead of the routed champion)',
    params: Model,
    query: z.object({ version: z.string().optional() }),
    body: z.record(z.string(), z.unknown()),
    response: PredictionSchema,
  }),
  startBatchScoring: defineEndpoint({
    service: 'serving',
    method: 'POST',
    path: '/batch-scoring-jobs',
    summary: 'Starts a batch scoring job over a dataset version or Parquet (202; idempotent per modelName + requestId; 400 names every bad field; 503 Temporal down)',
    params: NoParams,
    body: z.record(z.string(), z.unknown()),
    response: StartBatchScoringResponseSchema,
  }),
  getBatchScoringJob: defineEndpoint({ service: 'serving', method: 'GET', path: '/batch-scoring-jobs/{jobId}', summary: 'One batch scoring job (400 non-UUID; 404 unknown)', params: z.object({ jobId: z.string() }), response: BatchScoringJobSchema }),
  listBatchScoringJobs: defineEndpoint({
    service: 'serving',
    method: 'GET',
    path: '/batch-scoring-jobs',
    summary: 'Batch scoring jobs, newest first (?modelName= filters by model; limit 1..500, default 50; 400 otherwise)',
    params: NoParams,
    query: z.object({ modelName: z.string().optional(), limit: z.number().int().min(1).max(500).optional() }),
    response: z.array(BatchScoringJobSchema),
  }),
} as const;
