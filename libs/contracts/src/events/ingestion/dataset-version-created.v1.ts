import { z } from 'zod';
import { defineEvent } from '../../define-event';
import { Column, Count, Id, Name, Sha256, Timestamp, Uri } from '../../primitives';

/**
 * `strata.ingestion.dataset-version-created.v1`: an immutable, content-hashed dataset version
 * was written to the lake as Parquet. The data itself travels by reference (`uri` +
 * `contentSha256`).
 *
 * Key: `datasetName`.
 */
export const DatasetVersionCreatedV1 = defineEvent({
  domain: 'ingestion',
  event: 'dataset-version-created',
  version: 1,
  description: 'An immutable, content-hashed dataset version was written to the lake (Parquet).',
  schema: z.object({
    datasetName: Name,
    versionId: Id,
    /** sha256 of the version's content (the Parquet bytes). */
    contentSha256: Sha256,
    /** Lake URI of the Parquet file or directory. */
    uri: Uri,
    format: z.literal('parquet'),
    rowCount: Count,
    sizeBytes: Count,
    schema: z.array(Column).min(1),
    /** The version this one was derived from (append/compaction), or null for the first. */
    parentVersionId: Id.nullable(),
    createdAt: Timestamp,
  }),
  keyField: 'datasetName',
  producers: ['ingestion'],
  consumers: ['features'],
});

/** Payload of {@link DatasetVersionCreatedV1}. */
export type DatasetVersionCreatedV1 = z.infer<typeof DatasetVersionCreatedV1.schema>;
