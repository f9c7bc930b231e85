import { type DynamicModule, Module } from '@nestjs/common';
import { PlatformModule } from '@strata/shared/nest-platform';
import { INGESTION_ENTITIES, INGESTION_MIGRATIONS, INGESTION_SCHEMA } from '@strata/ingestion/data-access';
import type { IngestionConfig } from './config';
import { SERVICE_VERSION } from './version';

/** Wires the ingestion service: platform (logs, health, metrics, PostgreSQL) and its feature modules. */
@Module({})
export class AppModule {
  static forConfig(config: IngestionConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forService({
          identity: { name: 'ingestion', version: SERVICE_VERSION },
          logLevel: config.LOG_LEVEL,
          database: { url: config.DATABASE_URL, schema: INGESTION_SCHEMA, entities: INGESTION_ENTITIES, migrations: INGESTION_MIGRATIONS },
          kafkaBrokers: config.KAFKA_BROKERS,
        }),
      ],
    };
  }
}
