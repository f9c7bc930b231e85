import { type DynamicModule, Module } from '@nestjs/common';
import { PlatformModule } from '@strata/shared/nest-platform';
import { SERVING_ENTITIES, SERVING_MIGRATIONS, SERVING_SCHEMA } from '@strata/serving/data-access';
import type { ServingConfig } from './config';
import { SERVICE_VERSION } from './version';

/** Wires the serving service: platform (logs, health, metrics, PostgreSQL) and its feature modules. */
@Module({})
export class AppModule {
  static forConfig(config: ServingConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forService({
          identity: { name: 'serving', version: SERVICE_VERSION },
          logLevel: config.LOG_LEVEL,
          database: { url: config.DATABASE_URL, schema: SERVING_SCHEMA, entities: SERVING_ENTITIES, migrations: SERVING_MIGRATIONS },
          kafkaBrokers: config.KAFKA_BROKERS,
        }),
      ],
    };
  }
}
