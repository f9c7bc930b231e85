import { z } from 'zod';
import { defineEvent } from '../../define-event';
import { Id, Name, Timestamp } from '../../primitives';

/** A cell of a streamed record: scalar JSON values only. */
const Cell = z.union([z.number(), z.string(), z.boolean(), z.null()]);

/**
 * `strata.ingestion.ingest-records.v1`: a batch of records streamed into a dataset (by an
 * external producer or the ingestion HTTP API). Ingestion appends them to the dataset's
 * staging area and cuts an immutable dataset version later. Batches are small (the envelope's
 * 64 KiB inline limit applies); bulk data goes through the upload API instead.
 *
 * Key: `datasetName` (all batches of one dataset are ordered).
 */
export const IngestRecordsV1 = defineEvent({
  domain: 'ingestion',
  event: 'ingest-records',
  version: 1,
  description: 'A batch of records streamed into a dataset (appended to its staging area).',
  schema: z.object({
    datasetName: Name,
    /** Producer-chosen id of this batch; ingestion de-duplicates on it. */
    batchId: Id,
    /** Where the records come from, e.g. `http`, `kafka`, `cli`. */
    source: z.string().min(1).max(64),
    records: z.array(z.record(z.string().min(1), Cell)).min(1).max(10_000),
    sentAt: Timestamp,
  }),
  keyField: 'datasetName',
  producers: ['external', 'ingestion'],
  consumers: ['ingestion'],
});

/** Payload of {@link IngestRecordsV1}. */
export type IngestRecordsV1 = z.infer<typeof IngestRecordsV1.schema>;
