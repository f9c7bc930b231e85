import { Module } from '@nestjs/common';
import { RegistryStore } from '@strata/registry/data-access';
import { RegisteredModelsController } from './registered-models.controller';
import { RegistryService } from './registry.service';

/**
 * The model registry feature: {@link RegistryService} and its HTTP API
 * ({@link RegisteredModelsController}). Needs, globally: `PlatformModule.forService` (DataSource
 * with REGISTRY_ENTITIES/REGISTRY_MIGRATIONS) and `MessagingModule.forRoot` (EventPublisher).
 */
@Module({
  controllers: [RegisteredModelsController],
  providers: [RegistryStore, RegistryService],
  exports: [RegistryService],
})
export class RegistryModule {}
