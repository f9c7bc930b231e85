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

const DatasetAndVersion = z.object({ name: z.string(), versionId: z.string() });

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
  listDatasets: defineEndpoint({ service: 'ingestion', method: 'GET', path: '/datasets', summary: 'Every dataset', params: NoParams, response: z.array(z.looseObject({ name: z.string() })) }),
} as const;
