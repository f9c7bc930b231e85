/**
 * @module @strata/features/feature-store
 *
 * Entities, feature views, apply, materialization, online retrieval and training-set builds:
 * the NestJS feature module of the features service (`FeatureStoreModule.forRoot({ dataDir })`).
 */
export { FeatureStoreModule } from './lib/feature-store.module';
export { FEATURE_STORE_OPTIONS, type FeatureStoreModuleOptions } from './lib/feature-store.constants';
export { FeatureRegistryService, type RepoDocument, type RepoChange, type RepoPlan, type Registry } from './lib/feature-registry.service';
export { MaterializationService, type MaterializationDto } from './lib/materialization.service';
export { OnlineStoreService, type OnlineRow } from './lib/online-store.service';
export { OnlineFeaturesService, getOnlineFeaturesSchema, type GetOnlineFeaturesRequest, type GetOnlineFeaturesResponse, type FieldStatus } from './lib/online-features.service';
export { TrainingSetsService, buildTrainingSetSchema, type BuildTrainingSetRequest, type TrainingSetBuildDto } from './lib/training-sets.service';
export { DatasetVersionsConsumer } from './lib/dataset-versions.consumer';
export { FeatureRepoController, TrainingSetsController, OnlineFeaturesController, featureRepoBodySchema } from './lib/feature-store.controller';
export { canonicalJson, contentHash, entityKey } from './lib/canonical';
export { freshnessGauge } from './lib/freshness.metrics';
