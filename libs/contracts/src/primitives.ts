import { z } from 'zod';

/**
 * Reusable zod building blocks shared by every event schema. Keeping them in one place keeps
 * the vocabulary (what an id, a hash or a timestamp is) identical across topics.
 */

/** ISO-8601 timestamp in UTC with a `Z` suffix (e.g. `2026-11-29T22:10:00.000Z`). */
export const Timestamp = z.iso.datetime().describe('ISO-8601 UTC timestamp (Z suffix)');

/** A non-empty opaque identifier (≤ 256 chars): run ids, request ids, prediction ids. */
export const Id = z.string().min(1).max(256).describe('non-empty opaque identifier');

/** SHA-256 digest as 64 lowercase hexadecimal characters. */
export const Sha256 = z
  .string()
  .regex(/^[0-9a-f]{64}$/, 'must be a sha256 digest: 64 lowercase hex characters')
  .describe('sha256, 64 lowercase hex');

/**
 * An absolute URI with a scheme (`file:///…`, `s3://bucket/key`, `https://…`). Large content
 * (Parquet files, ONNX models) always travels by reference: URI + sha256.
 */
export const Uri = z
  .string()
  .max(2048)
  .regex(/^[a-z][a-z0-9+.-]*:\/\/\S+$/, 'must be an absolute URI with a scheme, e.g. s3://bucket/key')
  .describe('absolute URI (scheme://...)');

/** Resource names (datasets, feature views, models): 1–128 chars, letters, digits, `.`, `_`, `-`. */
export const Name = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'must be 1-128 chars of letters, digits, ".", "_" or "-"')
  .describe('resource name');

/** A registered model name (same rules as {@link Name}). */
export const ModelName = Name.describe('registered model name');

/** A model version number as assigned by the registry: an integer ≥ 1. */
export const ModelVersion = z.number().int().min(1).describe('model version number (≥ 1)');

/** A model alias such as `champion` or `challenger`: lowercase kebab/snake, 1–64 chars. */
export const Alias = z
  .string()
  .regex(/^[a-z][a-z0-9_-]{0,63}$/, 'must be lowercase letters, digits, "_" or "-", starting with a letter')
  .describe('model alias, e.g. champion');

/** A finite number (zod 4's number already rejects NaN and ±Infinity, which JSON cannot carry). */
export const Finite = z.number();

/** Non-negative integer count (rows, samples). */
export const Count = z.number().int().min(0);

/** A pinned, immutable dataset version: name + version id + content hash. */
export const DatasetVersionRef = z.object({
  datasetName: Name,
  versionId: Id,
  contentSha256: Sha256,
});
/** A pinned, immutable dataset version. */
export type DatasetVersionRef = z.infer<typeof DatasetVersionRef>;

/** A feature view pinned to the materialization that produced the data used. */
export const FeatureViewRef = z.object({
  name: Name,
  materializationId: Id.optional(),
});
/** A feature view reference. */
export type FeatureViewRef = z.infer<typeof FeatureViewRef>;

/** Hyper-parameters and trainer params: scalar values only (JSON-safe). */
export const Params = z.record(z.string().min(1), z.union([z.number(), z.string(), z.boolean()]));

/** Metrics by name (`accuracy`, `roc_auc`, `rmse`, …): finite numbers. */
export const Metrics = z.record(z.string().min(1), Finite);

/** Tensor element types used in model signatures (ONNX names). */
export const TensorType = z.enum(['float32', 'float64', 'int32', 'int64', 'string', 'bool']);

/** One named tensor of a model signature; `shape` uses -1 for a dynamic dimension. */
export const TensorSpec = z.object({
  name: z.string().min(1),
  type: TensorType,
  shape: z.array(z.number().int().min(-1)).optional(),
});

/** A model's input/output signature (MLflow `ModelSignature` vocabulary). */
export const ModelSignature = z.object({
  inputs: z.array(TensorSpec).min(1),
  outputs: z.array(TensorSpec).min(1),
});
/** A model's input/output signature. */
export type ModelSignature = z.infer<typeof ModelSignature>;

/** Logical column types of lake datasets (Arrow/Parquet vocabulary). */
export const ColumnType = z.enum([
  'boolean',
  'int32',
  'int64',
  'float32',
  'float64',
  'string',
  'binary',
  'date',
  'timestamp',
]);

/** One column of a dataset schema. */
export const Column = z.object({
  name: z.string().min(1),
  type: ColumnType,
  nullable: z.boolean(),
});
