import { Injectable, Logger } from '@nestjs/common';
import { DatasetVersionCreatedV1 } from '@strata/contracts';
import { ConsumeEvent, type EventContext } from '@strata/messaging';
import { MaterializationService } from './materialization.service';

/**
 * Consumes `strata.ingestion.dataset-version-created.v1`: records the version (so later runs
 * see every version of the dataset) and materializes every applied feature view whose source
 * is that dataset. The version row, the online upserts, SUCCEEDED and the outbox event commit
 * together with the inbox row; a redelivered event is skipped by the inbox.
 */
@Injectable()
export class DatasetVersionsConsumer {
  private readonly logger = new Logger(DatasetVersionsConsumer.name);

  constructor(private readonly materializations: MaterializationService) {}

  /** Handler of {@link DatasetVersionCreatedV1}. */
  @ConsumeEvent(DatasetVersionCreatedV1)
  async onDatasetVersionCreated(event: DatasetVersionCreatedV1, ctx: EventContext): Promise<void> {
    this.logger.log({ eventId: ctx.eventId, dataset: event.datasetName, versionId: event.versionId }, `dataset version ${event.datasetName}@${event.versionId} announced`);
    await this.materializations.recordDatasetVersion(ctx.manager, event);
    const views = await this.materializations.viewsForDataset(event.datasetName, ctx.manager);
    for (const view of views) {
      await this.materializations.materializeView(view, `dataset-version-created:${event.datasetName}@${event.versionId}`, { manager: ctx.manager, heartbeat: ctx.heartbeat });
    }
  }
}
