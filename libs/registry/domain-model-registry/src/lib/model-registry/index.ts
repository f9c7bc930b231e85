/**
 * The registry's services, one concern each: {@link RegistryTx} (transactions, model locks),
 * {@link AliasWriter} (the one place an alias moves: row, history, audit, event),
 * {@link ModelsService}, {@link VersionsService}, {@link AliasesService}, {@link PromotionService}
 * (offline decisions) and {@link LiveRolloutService} (closed-loop rollout decisions).
 */
export * from './registry-tx';
export * from './alias-writer';
export * from './models.service';
export * from './versions.service';
export * from './aliases.service';
export * from './promotion.service';
export * from './live-rollout.service';
export * from './mlflow-versions.service';
export * from './event-names';

import { AliasWriter } from './alias-writer';
import { AliasesService } from './aliases.service';
import { LiveRolloutService } from './live-rollout.service';
import { MlflowVersionsService } from './mlflow-versions.service';
import { ModelsService } from './models.service';
import { PromotionService } from './promotion.service';
import { RegistryTx } from './registry-tx';
import { VersionsService } from './versions.service';

/** Providers of the registry's services (need RegistryStore, PromotionStore, RolloutsService, EventPublisher, DatabaseService). */
export const MODEL_REGISTRY_SERVICES = [RegistryTx, AliasWriter, ModelsService, VersionsService, AliasesService, PromotionService, LiveRolloutService, MlflowVersionsService];
