import { type DynamicModule, Module } from '@nestjs/common';
import { PlatformModule } from '@strata/shared/nest-platform';
import { REGISTRY_ENTITIES, REGISTRY_MIGRATIONS, REGISTRY_SCHEMA } from '@strata/registry/data-access';
import type { RegistryConfig } from './config';
import { SERVICE_VERSION } from './version';

/** Wires the registry service: platform (logs, health, metrics, PostgreSQL) and its feature modules. */
@Module({})
export class AppModule {
  static forConfig(config: RegistryConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forService({
          identity: { name: 'registry', version: SERVICE_VERSION },
          logLevel: config.LOG_LEVEL,
          database: { url: config.DATABASE_URL, schema: REGISTRY_SCHEMA, entities: REGISTRY_ENTITIES, migrations: REGISTRY_MIGRATIONS },
          kafkaBrokers: config.KAFKA_BROKERS,
        }),
      ],
    };
  }
}
