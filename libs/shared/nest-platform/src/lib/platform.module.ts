import { type DynamicModule, Global, Inject, Module, type OnModuleInit } from '@nestjs/common';
import { MESSAGING_READY_GATE } from '@strata/messaging';
import { LoggerModule } from 'nestjs-pino';
import { DataSource } from 'typeorm';
import { DATABASE_OPTIONS, DatabaseService, type DatabaseOptions, createDataSourceOptions } from './database/database.service';
import { HealthController } from './health/health.controller';
import { KafkaReadinessCheck } from './health/kafka-readiness.check';
import { ReadinessRegistry } from './health/readiness.registry';
import { createLoggerParams } from './logging/logging';
import { MetricsController, getMetricsRegistry } from './metrics/metrics';
import { METRICS_REGISTRY, SERVICE_IDENTITY, type ServiceIdentity } from './platform.constants';

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

const PLATFORM_KAFKA_CHECK = Symbol('PLATFORM_KAFKA_CHECK');

export interface PlatformModuleOptions {
  identity: ServiceIdentity;
  logLevel: string;
  database: DatabaseOptions;
  /** Kafka brokers for the readiness check (omit when a MessagingModule registers its own). */
  kafkaBrokers?: string[];
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
    @Inject(PLATFORM_KAFKA_CHECK) private readonly kafkaCheck: KafkaReadinessCheck | null,
  ) {}

  static forService(options: PlatformModuleOptions): DynamicModule {
    const kafkaCheck = options.kafkaBrokers ? new KafkaReadinessCheck(options.kafkaBrokers, options.identity.name) : null;
    return {
      module: PlatformModule,
      imports: [LoggerModule.forRoot(createLoggerParams(options.identity.name, options.identity.version, options.logLevel))],
      controllers: [HealthController, MetricsController],
      providers: [
        { provide: SERVICE_IDENTITY, useValue: options.identity },
        { provide: METRICS_REGISTRY, useFactory: getMetricsRegistry },
        { provide: DATABASE_OPTIONS, useValue: options.database },
        { provide: DataSource, useFactory: () => createDataSourceWithMetadata(options.database) },
        DatabaseService,
        // Messaging starts its relay and consumers only once the schema is migrated.
        { provide: MESSAGING_READY_GATE, inject: [DatabaseService], useFactory: (db: DatabaseService) => () => db.whenReady() },
        ReadinessRegistry,
        { provide: PLATFORM_KAFKA_CHECK, useValue: kafkaCheck },
      ],
      exports: [SERVICE_IDENTITY, METRICS_REGISTRY, DataSource, DatabaseService, ReadinessRegistry, MESSAGING_READY_GATE],
    };
  }

  onModuleInit(): void {
    this.registry.register(this.database);
    if (this.kafkaCheck) this.registry.register(this.kafkaCheck);
  }
}
