import { type DynamicModule, Module } from '@nestjs/common';
import { serviceAppModule } from '@strata/shared/nest-platform';
import { REGISTRY_ENTITIES, REGISTRY_MIGRATIONS } from '@strata/registry/data-access';
import { RegistryModule } from '@strata/registry/domain-model-registry';
import type { RegistryConfig } from './config';
import { SERVICE_VERSION } from './version';

/** Wires the registry service: platform (logs, health, metrics, PostgreSQL), messaging (outbox relay) and the model registry. */
@Module({})
export class AppModule {
  static forConfig(config: RegistryConfig): DynamicModule {
    return serviceAppModule({
      module: AppModule,
      identity: { name: 'registry', version: SERVICE_VERSION },
      env: config,
      database: { schema: config.REGISTRY_DB_SCHEMA, entities: REGISTRY_ENTITIES, migrations: REGISTRY_MIGRATIONS },
      imports: [
        RegistryModule.forRoot({
          artifactRoot: config.STRATA_DATA_DIR,
          objectStore: { ...config, STRATA_OBJECT_STORE: config.REGISTRY_ARTIFACT_STORE },
          mlflowDefaultArtifactRoot: config.REGISTRY_MLFLOW_DEFAULT_ARTIFACT_ROOT,
        }),
      ],
    });
  }
}
