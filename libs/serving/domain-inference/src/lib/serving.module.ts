import * as path from 'node:path';
import { type DynamicModule, Module } from '@nestjs/common';
import { LocalObjectStore, OBJECT_STORE } from '@strata/shared/data-access-object-store';
import { ArtifactIntegrityAlerts } from './artifact-integrity-alerts';
import { BatchScoringTemporalService } from './batch-scoring/batch-scoring-temporal.service';
import { BatchScoringController } from './batch-scoring/batch-scoring.controller';
import { BATCH_SCORING_OPTIONS } from './batch-scoring/batch-scoring.options';
import { BatchScoringService } from './batch-scoring/batch-scoring.service';
import { FeaturesClient } from './features.client';
import { InferenceController } from './inference.controller';
import { InferenceService } from './inference.service';
import { ModelAliasConsumer } from './model-alias.consumer';
import { ModelBootstrapService } from './model-bootstrap.service';
import { ModelRolloutConsumer } from './model-rollout.consumer';
import { ModelRepository } from './model-repository';
import { PredictController } from './predict.controller';
import { PredictionLogger } from './prediction-logger';
import { RegistryClient } from './registry.client';
import { InferFastRoute } from './infer-fast-route';
import { RequestSizeLimit } from './request-size-limit';
import { SERVING_OPTIONS, type ServingOptions } from './serving.constants';

/**
 * The serving feature: model repository (onnxruntime-node), OIP v2 REST, `predict`, alias
 * consumer, startup loading, prediction logging, and (with `options.batch`) batch scoring:
 * `/batch-scoring-jobs`, the Temporal client and the in-process worker of `SERVING_TASK_QUEUE`. Needs `PlatformModule` (DataSource,
 * DatabaseService) and `MessagingModule` (EventPublisher, consumers) in the app.
 */
@Module({})
export class ServingModule {
  static forRoot(options: ServingOptions): DynamicModule {
    const batch = options.batch
      ? [{ provide: BATCH_SCORING_OPTIONS, useValue: options.batch }, BatchScoringTemporalService, BatchScoringService]
      : [];
    return {
      module: ServingModule,
      controllers: [InferenceController, PredictController, ...(options.batch ? [BatchScoringController] : [])],
      providers: [
        { provide: SERVING_OPTIONS, useValue: options },
        { provide: OBJECT_STORE, useFactory: () => new LocalObjectStore(path.resolve(options.dataDir)) },
        ArtifactIntegrityAlerts,
        ModelRepository,
        RegistryClient,
        FeaturesClient,
        PredictionLogger,
        InferenceService,
        ModelAliasConsumer,
        ModelRolloutConsumer,
        ModelBootstrapService,
        RequestSizeLimit,
        InferFastRoute,
        ...batch,
      ],
      exports: [ModelRepository, PredictionLogger, ModelRolloutConsumer],
    };
  }
}
