import { Module } from '@nestjs/common';
import { RegistryStore } from '@strata/registry/data-access';
import { RolloutsController } from './rollouts.controller';
import { RolloutsService } from './rollouts.service';

/**
 * Canary/shadow rollouts of registered models: `RolloutsController` (`/models/{name}/rollouts/**`)
 * and `RolloutsService`. Imported by `RegistryModule`; needs the same globals (DataSource with
 * REGISTRY_ENTITIES, EventPublisher, DatabaseService).
 */
@Module({
  controllers: [RolloutsController],
  providers: [RegistryStore, RolloutsService],
  exports: [RolloutsService],
})
export class RolloutsModule {}
