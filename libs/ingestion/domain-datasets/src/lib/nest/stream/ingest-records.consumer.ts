import { Injectable, Logger } from '@nestjs/common';
import { IngestRecordsV1 } from '@strata/contracts';
import { DatasetEntity, IngestBatchEntity } from '@strata/ingestion/data-access';
import { ConsumeEvent, NonRetryableEventError, type EventContext } from '@strata/messaging';
import { StreamFlusher } from './stream-flusher.service';

/**
 * Consumes `strata.ingestion.ingest-records.v1`: stages the batch in `ingest_batch` in the
 * SAME transaction as the consumer's inbox row (so a redelivered event — same `ce_id` — is
 * skipped, and a producer retry — same `batchId`, new `ce_id` — inserts nothing:
 * `ON CONFLICT DO NOTHING`). Versions are cut later by {@link StreamFlusher}.
 *
 * Records of an undeclared dataset are a non-retryable error: the event goes to the dead-letter
 * topic (replay it after `PUT /datasets/{name}`).
 */
@Injectable()
export class IngestRecordsConsumer {
  private readonly logger = new Logger(IngestRecordsConsumer.name);

  constructor(private readonly flusher: StreamFlusher) {}

  /** Handler of {@link IngestRecordsV1}. */
  @ConsumeEvent(IngestRecordsV1)
  async onIngestRecords(event: IngestRecordsV1, ctx: EventContext): Promise<void> {
    const dataset = await ctx.manager.getRepository(DatasetEntity).findOne({ where: { name: event.datasetName }, select: { name: true } });
    if (!dataset) {
      throw new NonRetryableEventError(`ingest-records batch '${event.batchId}': dataset '${event.datasetName}' is not declared (PUT /datasets/${event.datasetName} first, then replay)`, {
        details: { datasetName: event.datasetName, batchId: event.batchId },
      });
    }
    const res = await ctx.manager
      .createQueryBuilder()
      .insert()
      .into(IngestBatchEntity)
      .values({ datasetName: event.datasetName, batchId: event.batchId, eventId: ctx.eventId, source: event.source, recordCount: event.records.length, records: event.records } as never)
      .orIgnore()
      .returning(['seq'])
      .execute();
    if ((res.raw as unknown[]).length === 0) {
      this.logger.log({ dataset: event.datasetName, batchId: event.batchId, eventId: ctx.eventId }, `ingest-records batch '${event.batchId}' of '${event.datasetName}' already staged: ignored`);
      return;
    }
    this.flusher.nudge();
  }
}
