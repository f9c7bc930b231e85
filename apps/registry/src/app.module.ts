import { type DynamicModule, Module } from '@nestjs/common';
import { MessagingModule } from '@strata/messaging';
import { PlatformModule } from '@strata/shared/nest-platform';
import { REGISTRY_ENTITIES, REGISTRY_MIGRATIONS } from '@strata/registry/data-access';
import { RegistryModule } from '@strata/registry/domain-model-registry';
import type { RegistryConfig } from './config';
import { SERVICE_VERSION } from './version';

/** Wires the registry service: platform (logs, health, metrics, PostgreSQL), messaging (outbox relay) and the registry feature. */
@Module({})
export class AppModule {
  static forConfig(config: RegistryConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forService({
          identity: { name: 'registry', version: SERVICE_VERSION },
          logLevel: config.LOG_LEVEL,
          database: { url: config.DATABASE_URL, schema: config.REGISTRY_DB_SCHEMA, entities: REGISTRY_ENTITIES, migrations: REGISTRY_MIGRATIONS, connectTimeoutMs: config.DATABASE_CONNECT_TIMEOUT_MS, statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS },
        }),
        MessagingModule.forRoot({ serviceName: 'registry', brokers: config.KAFKA_BROKERS }),
        RegistryModule.forRoot({ artifactRoot: config.STRATA_DATA_DIR, objectStore: { ...config, STRATA_OBJECT_STORE: config.REGISTRY_ARTIFACT_STORE }, mlflowDefaultArtifactRoot: config.REGISTRY_MLFLOW_DEFAULT_ARTIFACT_ROOT }),
      ],
    };
  }
}
