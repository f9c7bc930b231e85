import { type DynamicModule, Module } from '@nestjs/common';
import { PlatformModule } from '@strata/shared/nest-platform';
import { MONITORING_ENTITIES, MONITORING_MIGRATIONS, MONITORING_SCHEMA } from '@strata/monitoring/data-access';
import type { MonitoringConfig } from './config';
import { SERVICE_VERSION } from './version';

/** Wires the monitoring service: platform (logs, health, metrics, PostgreSQL) and its feature modules. */
@Module({})
export class AppModule {
  static forConfig(config: MonitoringConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forService({
          identity: { name: 'monitoring', version: SERVICE_VERSION },
          logLevel: config.LOG_LEVEL,
          database: { url: config.DATABASE_URL, schema: MONITORING_SCHEMA, entities: MONITORING_ENTITIES, migrations: MONITORING_MIGRATIONS },
          kafkaBrokers: config.KAFKA_BROKERS,
        }),
      ],
    };
  }
}
