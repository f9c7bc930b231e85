/**
 * @module @strata/registry/data-access
 *
 * The registry service's PostgreSQL schema: its TypeORM entities, checked-in migrations and the
 * {@link RegistryStore} (methods take the caller's EntityManager and return domain objects).
 * Only the registry service imports this lib (module boundaries: scope:registry).
 */
import { MESSAGING_ENTITIES, MESSAGING_MIGRATIONS } from '@strata/messaging';
import { AuditLogEntity } from './entities/audit-log.entity';
import { ModelAliasHistoryEntity } from './entities/model-alias-history.entity';
import { ModelAliasEntity } from './entities/model-alias.entity';
import { ModelVersionEntity } from './entities/model-version.entity';
import { RegisteredModelEntity } from './entities/registered-model.entity';
import { RegistryInitial1764460800000 } from './migrations/1764460800000-registry-initial';
import { RegistryTracking1764561600000 } from './migrations/1764561600000-registry-tracking';
import { RegistryLiveRolloutPolicy1764600000000 } from './migrations/1764600000000-registry-live-rollout-policy';
import { RegistryLiveDecisionEvidence1764700000000 } from './migrations/1764700000000-registry-live-decision-evidence';
import { RegistryMlflowVersions1765040000000 } from './migrations/1765040000000-registry-mlflow-versions';
import { ModelRolloutEntity } from './entities/model-rollout.entity';
import { RegistryRollouts1764554400000 } from './migrations/1764554400000-registry-rollouts';
import { RegistryLoggedModels1765050000000 } from './migrations/1765050000000-registry-logged-models';
import { RegistryPromotionFairness1765080000000 } from './migrations/1765080000000-registry-promotion-fairness';
import { RegistrySearchIndexes1765200000000 } from './migrations/1765200000000-registry-search-indexes';

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
type EntityList = Function[];

/** The PostgreSQL schema this service owns. */
export const REGISTRY_SCHEMA = 'registry';
/** Every entity of the schema (TypeORM), including the messaging outbox/inbox. */
export const REGISTRY_ENTITIES: EntityList = [
  ...(MESSAGING_ENTITIES as EntityList),
  RegisteredModelEntity,
  ModelVersionEntity,
  ModelAliasEntity,
  ModelAliasHistoryEntity,
  AuditLogEntity,
  ModelRolloutEntity,
];
/** Every migration, in order (messaging tables first). */
export const REGISTRY_MIGRATIONS: EntityList = [...(MESSAGING_MIGRATIONS as EntityList), RegistryInitial1764460800000, RegistryRollouts1764554400000, RegistryTracking1764561600000, RegistryLiveRolloutPolicy1764600000000, RegistryLiveDecisionEvidence1764700000000, RegistryMlflowVersions1765040000000, RegistryLoggedModels1765050000000, RegistryPromotionFairness1765080000000, RegistrySearchIndexes1765200000000];

export * from './registry.types';
export * from './registry.store';
export { RegistryInitial1764460800000 } from './migrations/1764460800000-registry-initial';
export { ModelRolloutEntity } from './entities/model-rollout.entity';
export * from './tracking.types';
export * from './tracking.store';
export * from './promotion.store';
export * from './logged-model.types';
export * from './logged-model.store';
export { RegistryTracking1764561600000 } from './migrations/1764561600000-registry-tracking';
