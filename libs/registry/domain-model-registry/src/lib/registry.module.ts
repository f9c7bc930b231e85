import { type DynamicModule, Module } from '@nestjs/common';
import { LoggedModelStore, PromotionStore, RegistryStore, TrackingStore } from '@strata/registry/data-access';
import * as path from 'node:path';
import { ArtifactsService } from './artifacts.service';
import { LoggedModelsController } from './logged-models/logged-models.controller';
import { LoggedModelsService } from './logged-models/logged-models.service';
import { MlflowArtifactsController } from './mlflow-artifacts/mlflow-artifacts.controller';
import { MlflowArtifactsService } from './mlflow-artifacts/mlflow-artifacts.service';
import { MLFLOW_CONTROLLERS } from './mlflow';
import { RegisteredModelsController } from './registered-models.controller';
import { defaultArtifactRoot, defaultMlflowArtifactRoot } from './registry-config';
import { REGISTRY_ARTIFACT_STORE, REGISTRY_MLFLOW_ARTIFACT_ROOT, artifactStoreFor, artifactStoreFrom, type RegistryModuleOptions } from './registry.options';
import { MODEL_REGISTRY_SERVICES, ModelsService, VersionsService, AliasesService, PromotionService, LiveRolloutService } from './model-registry';
import { RolloutsModule } from './rollouts/rollouts.module';
import { TrackingController } from './tracking.controller';
import { TrackingService } from './tracking.service';
import { RunInputsService } from './run-inputs.service';

/**
 * The model registry feature: the services of `model-registry/` (models, versions, aliases, promotion, live rollouts),
 * {@link TrackingService} (experiments, runs), {@link ArtifactsService} (verified artifact reads)
 * and their HTTP APIs ({@link RegisteredModelsController}, {@link TrackingController}, MLflow
 * subset in `mlflow/`, MLflow artifact proxy {@link MlflowArtifactsController}, MLflow 3 logged models
 * {@link LoggedModelsController}). Needs, globally: `PlatformModule.forService`
 * (DataSource with REGISTRY_ENTITIES/REGISTRY_MIGRATIONS) and `MessagingModule.forRoot`
 * (EventPublisher). Sub-features (e.g. rollouts) can be added as further modules importing this one.
 */
@Module({
  imports: [RolloutsModule],
  controllers: [RegisteredModelsController, ...MLFLOW_CONTROLLERS, TrackingController, MlflowArtifactsController, LoggedModelsController],
  providers: [
    RegistryStore,
    TrackingStore,
    PromotionStore,
    ...MODEL_REGISTRY_SERVICES,
    TrackingService,
    RunInputsService,
    ArtifactsService,
    MlflowArtifactsService,
    LoggedModelStore,
    LoggedModelsService,
    // Imported statically (no forRoot): the artifact store is STRATA_DATA_DIR (default .stack/data).
    { provide: REGISTRY_ARTIFACT_STORE, useFactory: () => artifactStoreFor(defaultArtifactRoot()) },
    { provide: REGISTRY_MLFLOW_ARTIFACT_ROOT, useFactory: () => defaultMlflowArtifactRoot() },
  ],
  exports: [ModelsService, VersionsService, AliasesService, PromotionService, LiveRolloutService, TrackingService, ArtifactsService],
})
export class RegistryModule {
  /** The same module with an explicit artifact store root (the app passes its validated `STRATA_DATA_DIR`). */
  static forRoot(options: RegistryModuleOptions): DynamicModule {
    return {
      module: RegistryModule,
      providers: [
        { provide: REGISTRY_ARTIFACT_STORE, useFactory: () => artifactStoreFrom({ ...options, artifactRoot: path.resolve(options.artifactRoot) }) },
        { provide: REGISTRY_MLFLOW_ARTIFACT_ROOT, useValue: options.mlflowDefaultArtifactRoot || null },
      ],
    };
  }
}
