import { Module } from '@nestjs/common';
import { RegistryStore } from '@strata/registry/data-access';
import { MlflowCompatController } from './mlflow-compat.controller';
import { RegisteredModelsController } from './registered-models.controller';
import { RegistryService } from './registry.service';

/**
 * The model registry feature: {@link RegistryService} and its HTTP API
 * ({@link RegisteredModelsController}, MLflow subset {@link MlflowCompatController}). Needs, globally: `PlatformModule.forService` (DataSource
 * with REGISTRY_ENTITIES/REGISTRY_MIGRATIONS) and `MessagingModule.forRoot` (EventPublisher).
 */
@Module({
  controllers: [RegisteredModelsController, MlflowCompatController],
  providers: [RegistryStore, RegistryService],
  exports: [RegistryService],
})
export class RegistryModule {}
