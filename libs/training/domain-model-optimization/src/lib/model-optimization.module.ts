import path from 'node:path';
import { type DynamicModule, Module } from '@nestjs/common';
import { RegistryApi } from '@strata/contracts/api';
import { LocalObjectStore } from '@strata/shared/data-access-object-store';
import { ServiceClient, serviceApi } from '@strata/shared/data-access-strata-client';
import { MODEL_OPTIMIZATION_OPTIONS, MODEL_OPTIMIZATION_PORTS, type ModelOptimizationModuleOptions } from './model-optimization.constants';
import { ModelOptimizationsController } from './model-optimizations.controller';
import { ModelOptimizationsService } from './model-optimizations.service';
import type { OptimizationPorts } from './optimize-model-version';

/**
 * The model optimization step of the training service (`/model-optimizations`). Needs the platform
 * (auth guard, error filter) in the app; reads and writes the local object store under `dataDir`
 * (as the training worker) and calls the registry with this service's key.
 */
@Module({})
export class ModelOptimizationModule {
  static forRoot(options: ModelOptimizationModuleOptions): DynamicModule {
    return {
      module: ModelOptimizationModule,
      controllers: [ModelOptimizationsController],
      providers: [
        { provide: MODEL_OPTIMIZATION_OPTIONS, useValue: options },
        {
          provide: MODEL_OPTIMIZATION_PORTS,
          useFactory: (): Omit<OptimizationPorts, 'tool'> => {
            const registryClient = new ServiceClient({ baseUrl: options.registryUrl, service: 'registry' });
            return { registry: serviceApi(registryClient, RegistryApi), registryClient, store: new LocalObjectStore(path.resolve(options.dataDir)) };
          },
        },
        ModelOptimizationsService,
      ],
      exports: [ModelOptimizationsService],
    };
  }
}
