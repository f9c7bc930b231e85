import { type DynamicModule, Module } from '@nestjs/common';
import { serviceAppModule } from '@strata/shared/nest-platform';
import { FEATURES_ENTITIES, FEATURES_MIGRATIONS } from '@strata/features/data-access';
import { FeatureStoreModule } from '@strata/features/domain-feature-store';
import type { FeaturesConfig } from './config';
import { SERVICE_VERSION } from './version';

/** Wires the features service: platform (logs, health, metrics, PostgreSQL), messaging and the feature store. */
@Module({})
export class AppModule {
  static forConfig(config: FeaturesConfig): DynamicModule {
    const onlineStore =
      config.FEATURES_ONLINE_STORE === 'redis'
        ? ({ kind: 'redis', url: config.REDIS_URL!, keyPrefix: config.FEATURES_REDIS_KEY_PREFIX, timeoutMs: config.FEATURES_REDIS_TIMEOUT_MS } as const)
        : ({ kind: 'postgres' } as const);
    return serviceAppModule({
      module: AppModule,
      identity: { name: 'features', version: SERVICE_VERSION },
      env: config,
      database: { schema: config.FEATURES_DB_SCHEMA, entities: FEATURES_ENTITIES, migrations: FEATURES_MIGRATIONS },
      messaging: { groupId: config.FEATURES_KAFKA_GROUP_ID, consumer: { sessionTimeout: 30_000, heartbeatInterval: 3000 } },
      imports: [FeatureStoreModule.forRoot({ dataDir: config.STRATA_DATA_DIR, onlineStore, fastOnlineRoute: config.FEATURES_FAST_ONLINE_ROUTE })],
    });
  }
}
