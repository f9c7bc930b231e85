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
import { OnlineFastRoute } from './online-fast-route';
import { DatabaseService } from '@strata/shared/nest-platform';
import { HistoricalFeaturesService } from './historical-features.service';
import { ONLINE_STORE, type OnlineStore } from './online/online-store';
import { PostgresOnlineStore } from './online/postgres-online-store';
import { RedisOnlineStore } from './online/redis-online-store';
import { FeastCompatController } from './feast/feast-compat.controller';
import { WriteToOnlineStoreService } from './feast/write-to-online-store.service';
import { PushService } from './push.service';
import { TrainingSetsService } from './training-sets.service';

/**
 * NestJS wiring of the feature store: registry (plan/apply), materialization (consumer of
 * `DatasetVersionCreatedV1`), online store (PostgreSQL or Redis), push, Feast-compatible online retrieval and
 * `write-to-online-store` (Feast's remote online store),
 * training-set builds, freshness gauge. Needs `PlatformModule` and `MessagingModule`.
 */
@Module({})
export class FeatureStoreModule implements OnApplicationShutdown {
  constructor(
    @Inject(OFFLINE_STORE) private readonly offline: DuckDBOfflineStore,
    @Inject(ONLINE_STORE) private readonly online: OnlineStore,
    private readonly trainingSets: TrainingSetsService,
  ) {}

  static forRoot(options: FeatureStoreModuleOptions): DynamicModule {
    freshnessGauge();
    return {
      module: FeatureStoreModule,
      controllers: [FeatureRepoController, TrainingSetsController, OnlineFeaturesController, FeastCompatController],
      providers: [
        { provide: FEATURE_STORE_OPTIONS, useValue: options },
        { provide: OBJECT_STORE, useFactory: (): ObjectStore => new LocalObjectStore(path.resolve(options.dataDir)) },
        {
          provide: OFFLINE_STORE,
          inject: [OBJECT_STORE],
          useFactory: (store: ObjectStore) => new DuckDBOfflineStore({ store, ...(options.tmpDir ? { tmpDir: options.tmpDir } : {}) }),
        },
        {
          provide: ONLINE_STORE,
          inject: [DatabaseService],
          useFactory: (db: DatabaseService): OnlineStore =>
            options.onlineStore?.kind === 'redis'
              ? new RedisOnlineStore({
                  url: options.onlineStore.url,
                  ...(options.onlineStore.keyPrefix ? { keyPrefix: options.onlineStore.keyPrefix } : {}),
                  ...(options.onlineStore.timeoutMs ? { timeoutMs: options.onlineStore.timeoutMs } : {}),
                })
              : new PostgresOnlineStore(() => db.getDataSource()),
        },
        FeatureRegistryService,
        PushService,
        WriteToOnlineStoreService,
        HistoricalFeaturesService,
        MaterializationService,
        OnlineFeaturesService,
        OnlineFastRoute,
        TrainingSetsService,
        DatasetVersionsConsumer,
      ],
      exports: [FeatureRegistryService, MaterializationService, OnlineFeaturesService, TrainingSetsService, PushService, HistoricalFeaturesService, OFFLINE_STORE, OBJECT_STORE, ONLINE_STORE],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.trainingSets.drain();
    await this.offline.close();
    await this.online.close();
  }
}
