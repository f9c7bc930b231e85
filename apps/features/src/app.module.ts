import { type DynamicModule, Module } from '@nestjs/common';
import { PlatformModule } from '@strata/shared/nest-platform';
import { FEATURES_ENTITIES, FEATURES_MIGRATIONS } from '@strata/features/data-access';
import { FeatureStoreModule } from '@strata/features/domain-feature-store';
import { MessagingModule } from '@strata/messaging';
import type { FeaturesConfig } from './config';
import { SERVICE_VERSION } from './version';

/** Wires the features service: platform (logs, health, metrics, PostgreSQL), messaging and the feature store. */
@Module({})
export class AppModule {
  static forConfig(config: FeaturesConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forService({
          identity: { name: 'features', version: SERVICE_VERSION },
          logLevel: config.LOG_LEVEL,
          database: { url: config.DATABASE_URL, schema: config.FEATURES_DB_SCHEMA, entities: FEATURES_ENTITIES, migrations: FEATURES_MIGRATIONS, connectTimeoutMs: config.DATABASE_CONNECT_TIMEOUT_MS, statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS },
        }),
        MessagingModule.forRoot({
          serviceName: 'features',
          groupId: config.FEATURES_KAFKA_GROUP_ID,
          brokers: config.KAFKA_BROKERS,
          consumer: { sessionTimeout: 30_000, heartbeatInterval: 3000 },
        }),
        FeatureStoreModule.forRoot({
          dataDir: config.STRATA_DATA_DIR,
          onlineStore:
            config.FEATURES_ONLINE_STORE === 'redis'
              ? { kind: 'redis', url: config.REDIS_URL!, keyPrefix: config.FEATURES_REDIS_KEY_PREFIX, timeoutMs: config.FEATURES_REDIS_TIMEOUT_MS }
              : { kind: 'postgres' },
          fastOnlineRoute: config.FEATURES_FAST_ONLINE_ROUTE,
        }),
      ],
    };
  }
}
