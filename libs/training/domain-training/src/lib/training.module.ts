import path from 'node:path';
import { type DynamicModule, Module } from '@nestjs/common';
import { LocalObjectStore, OBJECT_STORE } from '@strata/shared/data-access-object-store';
import { RetrainingController, TrainingSearchesController } from './orchestration.controller';
import { RetrainingConsumer } from './retraining.consumer';
import { RetrainingService } from './retraining.service';
import { TemporalClientService } from './temporal-client.service';
import { TrainingSearchesService } from './training-searches.service';
import { TrainingRequestedConsumer } from './training-requested.consumer';
import { TrainingRunsController } from './training-runs.controller';
import { TrainingRunsService } from './training-runs.service';
import { TrainingWorkerService } from './training-worker.service';
import { TRAINING_OPTIONS, type TrainingModuleOptions } from './training.constants';

/**
 * The training feature: `TrainingRunsController` (`/training-runs`), the
 * `training-requested` consumer, the Temporal client (readiness check `temporal`) and, when
 * `workerEnabled`, the in-process Temporal worker of `strata-training`. Needs the platform
 * (DataSource, DatabaseService, ReadinessRegistry) and `MessagingModule` (EventPublisher) in
 * the app.
 */
@Module({})
export class TrainingModule {
  static forRoot(options: TrainingModuleOptions): DynamicModule {
    return {
      module: TrainingModule,
      controllers: [TrainingRunsController, TrainingSearchesController, RetrainingController],
      providers: [
        { provide: TRAINING_OPTIONS, useValue: options },
        { provide: OBJECT_STORE, useFactory: () => new LocalObjectStore(path.resolve(options.dataDir)) },
        TemporalClientService,
        TrainingRunsService,
        TrainingRequestedConsumer,
        TrainingSearchesService,
        RetrainingService,
        RetrainingConsumer,
        TrainingWorkerService,
      ],
      exports: [TemporalClientService, TrainingRunsService, TrainingSearchesService, RetrainingService],
    };
  }
}
