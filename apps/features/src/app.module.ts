import { type DynamicModule, Module } from '@nestjs/common';
import { PlatformModule } from '@strata/shared/nest-platform';
import { FEATURES_ENTITIES, FEATURES_MIGRATIONS, FEATURES_SCHEMA } from '@strata/features/data-access';
import type { FeaturesConfig } from './config';
import { SERVICE_VERSION } from './version';

/** Wires the features service: platform (logs, health, metrics, PostgreSQL) and its feature modules. */
@Module({})
export class AppModule {
  static forConfig(config: FeaturesConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forService({
          identity: { name: 'features', version: SERVICE_VERSION },
          logLevel: config.LOG_LEVEL,
          database: { url: config.DATABASE_URL, schema: FEATURES_SCHEMA, entities: FEATURES_ENTITIES, migrations: FEATURES_MIGRATIONS },
          kafkaBrokers: config.KAFKA_BROKERS,
        }),
      ],
    };
  }
}
