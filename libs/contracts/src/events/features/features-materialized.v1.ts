import { z } from 'zod';
import { defineEvent } from '../../define-event';
import { Count, DatasetVersionRef, Id, Name, Sha256, Timestamp, Uri } from '../../primitives';

/**
 * `strata.features.features-materialized.v1`: a feature view was materialized for the event-time
 * interval `[startTime, endTime)` into the offline store (Parquet, by reference) and the online
 * store (latest value per entity), in the vocabulary of Feast's `materialize`.
 *
 * No Strata service consumes it (training builds its training sets through the features
 * service's HTTP API); it is announced for external subscribers (schedulers, lineage tools).
 *
 * Key: `featureView`.
 */
export const FeaturesMaterializedV1 = defineEvent({
  domain: 'features',
  event: 'features-materialized',
  version: 1,
  description: 'A feature view was materialized into the offline and online stores for an event-time interval.',
  schema: z
    .object({
      featureView: Name,
      materializationId: Id,
      /** Event-time interval covered, inclusive start. */
      startTime: Timestamp,
      /** Event-time interval covered, exclusive end. */
      endTime: Timestamp,
      /** Rows written to the offline store. */
      rowCount: Count,
      offlineUri: Uri,
      offlineSha256: Sha256.optional(),
      /** Entity rows upserted into the online store. */
      onlineRowCount: Count,
      sourceDatasetVersions: z.array(DatasetVersionRef),
      completedAt: Timestamp,
    })
    .refine((v) => Date.parse(v.startTime) <= Date.parse(v.endTime), { message: 'startTime must not be after endTime', path: ['endTime'] }),
  keyField: 'featureView',
  producers: ['features'],
  consumers: ['external (schedulers, lineage tools)'],
});

/** Payload of {@link FeaturesMaterializedV1}. */
export type FeaturesMaterializedV1 = z.infer<typeof FeaturesMaterializedV1.schema>;
