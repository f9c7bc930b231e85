import { type DynamicModule, Global, Module, type OnModuleInit } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR, ModuleRef } from '@nestjs/core';
import { type AuthConfig, loadAuthConfig } from '@strata/shared/auth';
import { MESSAGING_READY_GATE, MessagingHealth } from '@strata/messaging';
import { LoggerModule } from 'nestjs-pino';
import { DataSource } from 'typeorm';
import { DATABASE_OPTIONS, DatabaseService, type DatabaseOptions, createDataSourceOptions } from './database/database.service';
import { HealthController } from './health/health.controller';
import { ReadinessRegistry } from './health/readiness.registry';
import { createLoggerParams } from './logging/logging';
import { MetricsController, getMetricsRegistry } from './metrics/metrics';
import { METRICS_REGISTRY, SERVICE_IDENTITY, type ServiceIdentity } from './platform.constants';
import { StorableInputInterceptor } from './http/storable-input';
import { AuditInterceptor } from './security/audit.interceptor';
import { PlatformAuthGuard } from './security/auth.guard';
import { RequestAuthorizer } from './security/request-authorizer';
import { SecurityController } from './security/security.controller';
import { AUTH_CONFIG, SecurityService } from './security/security.service';

/**
 * The service's DataSource, not yet connected (DatabaseService connects it in the background),
 * but with its entity metadata already built, so providers can resolve table names (e.g. the
 * messaging outbox) at construction time. `initialize()` later rebuilds the same metadata.
 */
async function createDataSourceWithMetadata(options: DatabaseOptions): Promise<DataSource> {
  const dataSource = new DataSource(createDataSourceOptions(options));
  await (dataSource as unknown as { buildMetadatas(): Promise<void> }).buildMetadatas();
  return dataSource;
}

export interface PlatformModuleOptions {
  identity: ServiceIdentity;
  logLevel: string;
  database: DatabaseOptions;
  /**
   * Auth, rate-limit, audit and body-limit settings; default: read from the environment
   * (`STRATA_AUTH_MODE`, `STRATA_AUTH_JWT_*`, ..., see docs/security.md and `loadAuthConfig`).
   */
  auth?: AuthConfig;
}

/**
 * What every Strata service imports once, in its AppModule: JSON logging (pino), `/health/live`,
 * `/health/ready`, `/metrics`, and its PostgreSQL schema (DataSource + migrations, see
 * {@link DatabaseService}). Global: feature modules inject `DataSource`, `DatabaseService`,
 * `ReadinessRegistry` and `SERVICE_IDENTITY` without importing it.
 */
@Global()
@Module({})
export class PlatformModule implements OnModuleInit {
  constructor(
    private readonly registry: ReadinessRegistry,
    private readonly database: DatabaseService,
    private readonly moduleRef: ModuleRef,
  ) {}

  static forService(options: PlatformModuleOptions): DynamicModule {
    return {
      module: PlatformModule,
      imports: [LoggerModule.forRoot(createLoggerParams(options.identity.name, options.identity.version, options.logLevel))],
      controllers: [HealthController, MetricsController, SecurityController],
      providers: [
        { provide: SERVICE_IDENTITY, useValue: options.identity },
        { provide: METRICS_REGISTRY, useFactory: getMetricsRegistry },
        { provide: DATABASE_OPTIONS, useValue: options.database },
        { provide: DataSource, useFactory: () => createDataSourceWithMetadata(options.database) },
        DatabaseService,
        // Messaging starts its relay and consumers only once the schema is migrated.
        { provide: MESSAGING_READY_GATE, inject: [DatabaseService], useFactory: (db: DatabaseService) => () => db.whenReady() },
        ReadinessRegistry,
        // Security: default-deny guard (authn, permissions, rate limits, body limits), audit of mutations.
        { provide: AUTH_CONFIG, useFactory: () => options.auth ?? loadAuthConfig() },
        {
          provide: SecurityService,
          inject: [AUTH_CONFIG, DatabaseService, DataSource, ModuleRef],
          useFactory: (config: AuthConfig, db: DatabaseService, ds: DataSource, ref: ModuleRef) => new SecurityService(config, options.identity.name, db, ds, ref),
        },
        RequestAuthorizer,
        { provide: APP_GUARD, useClass: PlatformAuthGuard },
        { provide: APP_INTERCEPTOR, useClass: AuditInterceptor },
        // Bad input never reaches PostgreSQL: a NUL character in any path/query/body string → 400
        // naming the field, before any handler (inside the audit interceptor, so it is audited).
        { provide: APP_INTERCEPTOR, useClass: StorableInputInterceptor },
      ],
      exports: [SERVICE_IDENTITY, METRICS_REGISTRY, DataSource, DatabaseService, ReadinessRegistry, MESSAGING_READY_GATE, AUTH_CONFIG, SecurityService, RequestAuthorizer],
    };
  }

  onModuleInit(): void {
    this.registry.register(this.database);
    // Kafka readiness is messaging's own metadata round-trip, when the service has a MessagingModule.
    let messaging: MessagingHealth | undefined;
    try {
      messaging = this.moduleRef.get(MessagingHealth, { strict: false });
    } catch {
      messaging = undefined; // no MessagingModule in this application
    }
    if (messaging) {
      const health = messaging;
      this.registry.register({ name: 'kafka', check: () => health.checkKafka() });
      // One check per consumer group: 503 naming a group from its crash until it has joined again.
      this.registry.registerSource(() => health.consumerGroupChecks());
    }
  }
}
