/**
 * @module @strata/features/domain-feature-store
 *
 * Entities, feature views, apply, materialization, online retrieval and training-set builds:
 * the NestJS feature module of the features service (`FeatureStoreModule.forRoot({ dataDir })`).
 */
export { FeatureStoreModule } from './lib/feature-store.module';
export { FEATURE_STORE_OPTIONS, type FeatureStoreModuleOptions } from './lib/feature-store.constants';
export { FeatureRegistryService, type RepoDocument, type RepoChange, type RepoPlan, type Registry } from './lib/feature-registry.service';
export { MaterializationService, type MaterializationDto, type MaterializeViewOptions } from './lib/materialization.service';
export { ONLINE_STORE, type OnlineStore, type OnlineRow, type OnlineReadOptions, type OnlineWriteRow, type OnlineWriteOptions } from './lib/online/online-store';
export { PostgresOnlineStore } from './lib/online/postgres-online-store';
export { RedisOnlineStore, type RedisOnlineStoreOptions } from './lib/online/redis-online-store';
export { toOnlineRows } from './lib/online/online-rows';
export { PushService, pushSchema, MAX_PUSH_ROWS, type PushRequest, type PushResult } from './lib/push.service';
export { HistoricalFeaturesService, getHistoricalFeaturesSchema, MAX_HISTORICAL_ENTITY_ROWS, type GetHistoricalFeaturesRequest, type GetHistoricalFeaturesResponse } from './lib/historical-features.service';
export { parseTimestamp, coerceValue } from './lib/values';
export { OnlineFeaturesService, MAX_ONLINE_ENTITY_ROWS, getOnlineFeaturesSchema, type GetOnlineFeaturesRequest, type GetOnlineFeaturesResponse, type FieldStatus } from './lib/online-features.service';
export { TrainingSetsService, buildTrainingSetSchema, type BuildTrainingSetRequest, type TrainingSetBuildDto } from './lib/training-sets.service';
export { WriteToOnlineStoreService, writeToOnlineStoreSchema, type WriteToOnlineStoreRequest } from './lib/feast/write-to-online-store.service';
export { FeastCompatController } from './lib/feast/feast-compat.controller';
export { FeastErrorFilter, feastErrorClassFor, type FeastErrorDetail } from './lib/feast/feast-error.filter';
export { DatasetVersionsConsumer } from './lib/dataset-versions.consumer';
export {
  FeatureRepoController,
  TrainingSetsController,
  OnlineFeaturesController,
  featureRepoBodySchema,
  materializeSchema,
  type UpToDateDto,
  type WatermarkDto,
} from './lib/feature-store.controller';
export { canonicalJson, contentHash, entityKey } from './lib/canonical';
export { freshnessGauge } from './lib/freshness.metrics';
