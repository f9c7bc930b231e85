import { Body, Controller, HttpCode, Post, UseFilters } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequirePermission } from '@strata/shared/auth';
import { ZodApiBody, parseWith } from '@strata/shared/nest-platform';
import { FeastErrorFilter } from './feast-error.filter';
import { WriteToOnlineStoreService, writeToOnlineStoreSchema } from './write-to-online-store.service';

/**
 * Routes of Feast's feature server that only Feast's Python SDK calls, for a Feast client whose
 * online store is `type: remote, path: <features service URL>`:
 * `POST /write-to-online-store` is where its `FeatureStore.push(..., to=ONLINE)` and
 * `write_to_online_store` send rows (feast/infra/online_stores/remote.py `online_write_batch`).
 * Errors in Feast's shape ({@link FeastErrorFilter}), so the client raises Feast's exceptions.
 * (Its reads go to `POST /get-online-features`, served by `OnlineFeaturesController`.)
 */
@ApiTags('online')
@Controller()
@UseFilters(new FeastErrorFilter())
export class FeastCompatController {
  constructor(private readonly writes: WriteToOnlineStoreService) {}

  /**
   * `POST /write-to-online-store` body `{feature_view_name, df: {column: [values]}, allow_registry_cache?, transform_on_write?}`
   * (columns: the view's join keys and features, `event_timestamp`, `created`) → 200 `{featureView, rows}`.
   * 404 unknown feature view, 400 bad columns / values (named `df.<column>.<row>`); nothing written on error.
   */
  @Post('write-to-online-store')
  @HttpCode(200)
  @RequirePermission('features', 'write')
  @ApiOperation({ summary: 'Write rows of one feature view to the online store (Feast feature-server compatible; used by Feast push through a remote online store)' })
  @ZodApiBody(writeToOnlineStoreSchema)
  write(@Body() body: unknown): Promise<{ featureView: string; rows: number }> {
    return this.writes.write(parseWith(writeToOnlineStoreSchema, body));
  }
}
