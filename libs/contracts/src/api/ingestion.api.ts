import { z } from 'zod';
import { defineEndpoint, NoParams } from './define-endpoint';

/** Ingestion HTTP API (docs/service-apis.md, "ingestion"). */

/** A dataset version as the API returns it (`created`: whether THIS request created it). */
export const DatasetVersionSchema = z.looseObject({
  datasetName: z.string(),
  versionId: z.string(),
  /** sha256 of the version's Parquet bytes. */
  contentSha256: z.string(),
  rowCount: z.number().int(),
  uri: z.string(),
  manifestUri: z.string(),
  sizeBytes: z.number().int(),
  schema: z.array(z.unknown()),
  profile: z.record(z.string(), z.unknown()),
  validation: z.record(z.string(), z.unknown()),
  /** Version this one extends (streamed micro-batches), or null. */
  parentVersionId: z.string().nullable(),
  /** ISO-8601 UTC time the version was first recorded. */
  createdAt: z.string(),
  /** True when this request created the version (HTTP 201); false when identical content already existed (HTTP 200). */
  created: z.boolean(),
  /**
   * What THIS upload did (answers of `POST /datasets/{name}/versions` only): rows read, accepted
   * and set aside, and the API path of its quarantine. Differs from `validation` (the version's
   * first upload) when the accepted rows were an existing version's.
   */
  upload: z
    .object({
      policy: z.string(),
      inputRowCount: z.number().int(),
      acceptedRowCount: z.number().int(),
      invalidRowCount: z.number().int(),
      issueCount: z.number().int(),
      quarantine: z.object({ rowCount: z.number().int(), uri: z.string(), id: z.string().optional(), download: z.string() }).optional(),
    })
    .optional(),
});
export type DatasetVersion = z.infer<typeof DatasetVersionSchema>;

/** A dataset (`GET /datasets` item): its spec (dataset.yaml as JSON) and times (ISO-8601 UTC). */
export const DatasetSchema = z.looseObject({ name: z.string(), spec: z.record(z.string(), z.unknown()), createdAt: z.string(), updatedAt: z.string() });
export type Dataset = z.infer<typeof DatasetSchema>;

const JsonScalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);

/**
 * One column of `DatasetVersion.profile.columns` (libs/ingestion `profileTable`, DuckDB): counts,
 * approximate distinct count (HyperLogLog), min/max (numbers; ISO-8601 UTC for TIMESTAMP), and for
 * numeric columns mean, sample stddev and quantiles keyed `p01`…`p99` (exact up to 1 000 000 rows,
 * else t-digest); for STRING/BOOL/INT columns the 10 most frequent values.
 */
export const ColumnProfileSchema = z.looseObject({
  name: z.string(),
  type: z.string(),
  count: z.number(),
  nullCount: z.number(),
  distinctApprox: z.number(),
  min: JsonScalar,
  max: JsonScalar,
  mean: z.number().nullable().optional(),
  stddev: z.number().nullable().optional(),
  quantiles: z.record(z.string(), z.number()).optional(),
  topValues: z.array(z.object({ value: JsonScalar, count: z.number() })).optional(),
});
export type ColumnProfile = z.infer<typeof ColumnProfileSchema>;
/** `DatasetVersion.profile`. */
export const DatasetProfileSchema = z.looseObject({ rowCount: z.number(), columns: z.array(ColumnProfileSchema) });
export type DatasetProfile = z.infer<typeof DatasetProfileSchema>;

/**
 * `DatasetVersion.validation`: the policy (`reject` | `quarantine`), rows read, invalid rows and
 * issues (the first ones, by row then column), and under `quarantine` the file of rows set aside
 * with its `rowCount` (download: `IngestionApi.downloadQuarantine`).
 */
export const DatasetValidationSchema = z.looseObject({
  policy: z.string(),
  inputRowCount: z.number(),
  invalidRowCount: z.number(),
  issueCount: z.number(),
  issues: z.array(z.looseObject({ row: z.number(), column: z.string(), rule: z.string(), message: z.string(), value: z.string().nullable().optional() })),
  quarantine: z.looseObject({ uri: z.string(), sha256: z.string(), sizeBytes: z.number(), rowCount: z.number() }).optional(),
});
export type DatasetValidation = z.infer<typeof DatasetValidationSchema>;

const DatasetAndVersion = z.object({ name: z.string(), versionId: z.string() });

/**
 * Progress of one streamed upload (`GET /uploads/{id}`; items of `GET /uploads`), per replica.
 * - `bytesReceived`: bytes read from the request so far (exact).
 * - `rowsReceived`: data rows seen so far while receiving (CSV: line breaks minus the header);
 *   null for Parquet; once `done`, the exact number of input rows.
 * - `totalBytes`: the request's `Content-Length` (null for chunked uploads); `percent` =
 *   bytesReceived / totalBytes × 100 (1 decimal), null without a total.
 * - `versionId`, `rowsAccepted`, `rowsInvalid` set when done; `error` when failed. Times ISO-8601 UTC.
 */
export const UploadStatusSchema = z.looseObject({
  id: z.string(),
  datasetName: z.string(),
  format: z.enum(['csv', 'ndjson', 'parquet']).nullable(),
  state: z.enum(['receiving', 'ingesting', 'done', 'failed']),
  bytesReceived: z.number(),
  rowsReceived: z.number().nullable(),
  totalBytes: z.number().nullable(),
  percent: z.number().nullable(),
  startedAt: z.string(),
  updatedAt: z.string(),
  finishedAt: z.string().nullable(),
  versionId: z.string().nullable(),
  rowsAccepted: z.number().nullable(),
  rowsInvalid: z.number().nullable(),
  error: z.string().nullable(),
});
export type UploadStatus = z.infer<typeof UploadStatusSchema>;

/** The ingestion endpoints called by other services, the CLI and tests. */
export const IngestionApi = {
  putDataset: defineEndpoint({ service: 'ingestion', method: 'PUT', path: '/datasets/{name}', summary: 'Creates or updates a dataset spec', params: z.object({ name: z.string() }), body: z.unknown(), response: z.unknown() }),
  registerDatasetVersion: defineEndpoint({
    service: 'ingestion',
    method: 'POST',
    path: '/datasets/{name}/versions',
    summary: 'Registers a file as a dataset version (identical content → same version)',
    params: z.object({ name: z.string() }),
    body: z.object({ sourceUri: z.string(), format: z.enum(['csv', 'ndjson', 'parquet']).optional(), policy: z.enum(['reject', 'quarantine']).optional() }),
    response: DatasetVersionSchema,
  }),
  getDatasetVersion: defineEndpoint({ service: 'ingestion', method: 'GET', path: '/datasets/{name}/versions/{versionId}', summary: 'One dataset version', params: DatasetAndVersion, response: DatasetVersionSchema }),
  listDatasetVersions: defineEndpoint({ service: 'ingestion', method: 'GET', path: '/datasets/{name}/versions', summary: "A dataset's versions, oldest first", params: z.object({ name: z.string() }), response: z.array(DatasetVersionSchema) }),
  listDatasets: defineEndpoint({ service: 'ingestion', method: 'GET', path: '/datasets', summary: 'Every dataset, by name', params: NoParams, response: z.array(DatasetSchema) }),
  listUploads: defineEndpoint({ service: 'ingestion', method: 'GET', path: '/uploads', summary: 'Streamed uploads of this replica: running (oldest first), then the last finished (newest first)', params: NoParams, response: z.array(UploadStatusSchema) }),
  getUpload: defineEndpoint({ service: 'ingestion', method: 'GET', path: '/uploads/{id}', summary: 'Progress of one streamed upload of this replica (404 unknown)', params: z.object({ id: z.string() }), response: UploadStatusSchema }),
  downloadQuarantine: defineEndpoint({
    service: 'ingestion',
    method: 'GET',
    path: '/datasets/{name}/versions/{versionId}/quarantine',
    summary: 'The rows validation set aside: CSV text (default) or Parquet bytes, NOT JSON; header x-quarantine-row-count; 404 when none',
    params: DatasetAndVersion,
    query: z.object({ format: z.enum(['csv', 'parquet']).optional() }),
    response: z.string(),
  }),
} as const;
