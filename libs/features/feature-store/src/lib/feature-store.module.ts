import * as path from 'node:path';
import { Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { DuckDBOfflineStore, OFFLINE_STORE } from '@strata/features/data-access-offline-store';
import { LocalObjectStore, OBJECT_STORE, type ObjectStore } from '@strata/shared/data-access-object-store';
import { DatasetVersionsConsumer } from './dataset-versions.consumer';
import { FEATURE_STORE_OPTIONS, type FeatureStoreModuleOptions } from './feature-store.constants';
import { FeatureRepoController, OnlineFeaturesController, TrainingSetsController } from './feature-store.controller';
import { FeatureRegistryService } from './feature-registry.service';
import { freshnessGauge } from './freshness.metrics';
import { MaterializationService } from './materialization.service';
import { OnlineFeaturesService } from './online-features.service';
import { OnlineStoreService } from './online-store.service';
import { TrainingSetsService } from './training-sets.service';

/**
 * NestJS wiring of the feature store: registry (plan/apply), materialization (consumer of
 * `DatasetVersionCreatedV1`), PostgreSQL online store, Feast-compatible online retrieval,
 * training-set builds, freshness gauge. Needs `PlatformModule` and `MessagingModule`.
 */
@Module({})
export class FeatureStoreModule implements OnApplicationShutdown {
  constructor(
    @Inject(OFFLINE_STORE) private readonly offline: DuckDBOfflineStore,
    private readonly trainingSets: TrainingSetsService,
  ) {}

  static forRoot(options: FeatureStoreModuleOptions): DynamicModule {
    freshnessGauge();
    return {
      module: FeatureStoreModule,
      controllers: [FeatureRepoController, TrainingSetsController, OnlineFeaturesController],
      providers: [
        { provide: FEATURE_STORE_OPTIONS, useValue: options },
        { provide: OBJECT_STORE, useFactory: (): ObjectStore => new LocalObjectStore(path.resolve(options.dataDir)) },
        {
          provide: OFFLINE_STORE,
          inject: [OBJECT_STORE],
          useFactory: (store: ObjectStore) => new DuckDBOfflineStore({ store, ...(options.tmpDir ? { tmpDir: options.tmpDir } : {}) }),
        },
        FeatureRegistryService,
        OnlineStoreService,
        MaterializationService,
        OnlineFeaturesService,
        TrainingSetsService,
        DatasetVersionsConsumer,
      ],
      exports: [FeatureRegistryService, MaterializationService, OnlineFeaturesService, TrainingSetsService, OFFLINE_STORE, OBJECT_STORE],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.trainingSets.drain();
    await this.offline.close();
  }
}
