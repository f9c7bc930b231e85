import { type DynamicModule, Module } from '@nestjs/common';
import { PlatformModule } from '@strata/shared/nest-platform';
import { TRAINING_ENTITIES, TRAINING_MIGRATIONS, TRAINING_SCHEMA } from '@strata/training/data-access';
import type { TrainingConfig } from './config';
import { SERVICE_VERSION } from './version';

/** Wires the training service: platform (logs, health, metrics, PostgreSQL) and its feature modules. */
@Module({})
export class AppModule {
  static forConfig(config: TrainingConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forService({
          identity: { name: 'training', version: SERVICE_VERSION },
          logLevel: config.LOG_LEVEL,
          database: { url: config.DATABASE_URL, schema: TRAINING_SCHEMA, entities: TRAINING_ENTITIES, migrations: TRAINING_MIGRATIONS },
          kafkaBrokers: config.KAFKA_BROKERS,
        }),
      ],
    };
  }
}
