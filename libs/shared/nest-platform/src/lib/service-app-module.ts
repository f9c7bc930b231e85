import type { DynamicModule, Type } from '@nestjs/common';
import { MessagingModule, type MessagingModuleOptions } from '@strata/messaging';
import type { DatabaseOptions } from './database/database.service';
import type { ServiceIdentity } from './platform.constants';
import type { PlatformEnv } from './platform-config';
import { PlatformModule } from './platform.module';

/** What {@link serviceAppModule} needs to wire one Strata service. */
export interface ServiceAppModuleOptions {
  /** The app's root module class (an empty `@Module({})`); the returned DynamicModule is it. */
  module: Type;
  /** `{ name, version }`: logs, metrics, `ce_source` of published events and the default consumer group. */
  identity: ServiceIdentity;
  /** The shared platform environment (`platformEnvSchema`): log level, PostgreSQL URL and deadlines (ms), Kafka brokers. */
  env: Pick<PlatformEnv, 'LOG_LEVEL' | 'DATABASE_URL' | 'DATABASE_CONNECT_TIMEOUT_MS' | 'DATABASE_STATEMENT_TIMEOUT_MS' | 'KAFKA_BROKERS'>;
  /** The service's own PostgreSQL schema, its TypeORM entities and migrations. */
  database: Pick<DatabaseOptions, 'schema' | 'entities' | 'migrations'>;
  /** Messaging beyond `serviceName` (= identity.name) and brokers: consumer group, replica id, consumer tuning. */
  messaging?: Omit<MessagingModuleOptions, 'serviceName' | 'brokers'>;
  /** The service's domain modules (`XModule.forRoot(...)`), imported after the platform and messaging. */
  imports: DynamicModule[];
}

/**
 * The root module of a Strata service: {@link PlatformModule} (JSON logs, health, metrics,
 * security, its PostgreSQL schema migrated at boot), {@link MessagingModule} (outbox relay and
 * consumers, named after the service) and the service's own domain modules, in that order.
 * Each app's `AppModule.forConfig(config)` is one call of this with its config.
 */
export function serviceAppModule(options: ServiceAppModuleOptions): DynamicModule {
  const { env } = options;
  return {
    module: options.module,
    imports: [
      PlatformModule.forService({
        identity: options.identity,
        logLevel: env.LOG_LEVEL,
        database: { url: env.DATABASE_URL, ...options.database, connectTimeoutMs: env.DATABASE_CONNECT_TIMEOUT_MS, statementTimeoutMs: env.DATABASE_STATEMENT_TIMEOUT_MS },
      }),
      MessagingModule.forRoot({ serviceName: options.identity.name, brokers: env.KAFKA_BROKERS, ...options.messaging }),
      ...options.imports,
    ],
  };
}
