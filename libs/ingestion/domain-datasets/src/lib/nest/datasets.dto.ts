import { z } from 'zod';
import type { DatasetVersion as DatasetVersionDto } from '@strata/contracts/api';

/** Resource names in URLs: `^[a-z0-9][a-z0-9_.-]{0,127}$` (docs/service-apis.md). */
export const resourceName = z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,127}$/, 'must match ^[a-z0-9][a-z0-9_.-]{0,127}$');

/** Body of `POST /datasets/{name}/versions` with `Content-Type: application/json`: register a file already on disk. */
export const registerFileBodySchema = z
  .object({
    /** `file:///abs/path` of a CSV / NDJSON / Parquet file readable by the service, or `s3://bucket/key` (read with the service's S3 settings). */
    sourceUri: z.string().regex(/^(file:\/\/\/|s3:\/\/[a-z0-9][a-z0-9.-]{1,62}\/)\S+$/, 'must be an absolute file:/// URI or an s3://bucket/key URI'),
    format: z.enum(['csv', 'ndjson', 'parquet']).optional(),
    policy: z.enum(['reject', 'quarantine']).optional(),
  })
  .strict();
/** Parsed {@link registerFileBodySchema}. */
export type RegisterFileBody = z.infer<typeof registerFileBodySchema>;

/** Query of a streamed upload. */
export const uploadQuerySchema = z
  .object({
    policy: z.enum(['reject', 'quarantine']).optional(),
    format: z.enum(['csv', 'ndjson', 'parquet']).optional(),
    /** Client-chosen id to follow the upload's progress at `GET /uploads/{uploadId}` while it runs (default: a generated UUID). */
    uploadId: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must match ^[A-Za-z0-9_.-]{1,64}$').optional(),
  })
  .strict();

/** Query of `GET /datasets/{name}/versions/{versionId}/quarantine`. */
export const quarantineQuerySchema = z.object({ format: z.enum(['csv', 'parquet']).default('csv') }).strict();

/** A dataset as returned by the API. */
export interface DatasetDto {
  name: string;
  spec: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

/** Declared once, in the API contracts (inferred from zod). */
export type { DatasetVersionDto };
