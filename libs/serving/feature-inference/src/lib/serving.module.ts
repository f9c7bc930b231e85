import * as path from 'node:path';
import { type DynamicModule, Module } from '@nestjs/common';
import { LocalObjectStore, OBJECT_STORE } from '@strata/shared/data-access-object-store';
import { FeaturesClient } from './features.client';
import { InferenceController } from './inference.controller';
import { InferenceService } from './inference.service';
import { ModelAliasConsumer } from './model-alias.consumer';
import { ModelBootstrapService } from './model-bootstrap.service';
import { ModelRepository } from './model-repository';
import { PredictController } from './predict.controller';
import { PredictionLogger } from './prediction-logger';
import { RegistryClient } from './registry.client';
import { SERVING_OPTIONS, type ServingOptions } from './serving.constants';

/**
 * The serving feature: model repository (onnxruntime-node), OIP v2 REST, `predict`, alias
 * consumer, startup loading, prediction logging. Needs `PlatformModule` (DataSource,
 * DatabaseService) and `MessagingModule` (EventPublisher, consumers) in the app.
 */
@Module({})
export class ServingModule {
  static forRoot(options: ServingOptions): DynamicModule {
    return {
      module: ServingModule,
      controllers: [InferenceController, PredictController],
      providers: [
        { provide: SERVING_OPTIONS, useValue: options },
        { provide: OBJECT_STORE, useFactory: () => new LocalObjectStore(path.resolve(options.dataDir)) },
        ModelRepository,
        RegistryClient,
        FeaturesClient,
        PredictionLogger,
        InferenceService,
        ModelAliasConsumer,
        ModelBootstrapService,
      ],
      exports: [ModelRepository, PredictionLogger],
    };
  }
}
