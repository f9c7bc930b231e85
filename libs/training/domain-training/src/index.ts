/**
 * @module @strata/training/domain-training
 *
 * Training API (`/training-runs`), Temporal client + readiness check, in-process Temporal
 * worker, and the `training-requested` consumer, as one Nest module:
 *
 * ```ts
 * TrainingModule.forRoot({ temporalAddress, temporalNamespace, featuresUrl, registryUrl, ingestionUrl, workerEnabled, dataDir, codeVersion })
 * ```
 */
export { TrainingModule } from './lib/training.module';
export { TRAINING_OPTIONS } from './lib/training.constants';
export type { TrainingModuleOptions } from './lib/training.constants';
export { TemporalClientService } from './lib/temporal-client.service';
export { TrainingRunsService, trainingRunId } from './lib/training-runs.service';
export { TrainingRunsController } from './lib/training-runs.controller';
export { TrainingRequestedConsumer } from './lib/training-requested.consumer';
export { TrainingWorkerService, trainingWorkflowsPath } from './lib/training-worker.service';
export { StartTrainingRunBody } from './lib/training-runs.dto';
export type { StartTrainingRunResponse, TrainingRunResponse } from './lib/training-runs.dto';
export { estimateCost, toResponse } from './lib/training-runs.service';
export { TrainingSearchesService } from './lib/training-searches.service';
export type { TrainingSearchResponse } from './lib/training-searches.service';
export { RetrainingService } from './lib/retraining.service';
export type { RetrainingScheduleResponse, RetrainingTriggerResponse } from './lib/retraining.service';
export { RetrainingController, TrainingSearchesController } from './lib/orchestration.controller';
export { RetrainingConsumer } from './lib/retraining.consumer';
export { generateTrials, seededRandom } from './lib/search-space';
export { ManualRetrainingBody, RetrainingScheduleBody, SearchDimension, StartSearchBody, TrainerIdSchema } from './lib/training-runs.dto';
