/**
 * @module @strata/features/data-access
 *
 * The features service's PostgreSQL schema: registry, dataset versions seen, materializations,
 * the online store, training-set builds and watermarks (TypeORM entities + checked-in
 * migrations, messaging outbox/inbox included). Only the features service imports this lib.
 */
import { MESSAGING_ENTITIES, MESSAGING_MIGRATIONS } from '@strata/messaging';
import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import { FeatureViewWatermarkEntity } from './entities/feature-view-watermark.entity';
import { KnownDatasetVersionEntity } from './entities/known-dataset-version.entity';
import { MaterializationEntity } from './entities/materialization.entity';
import { OnlineFeatureEntity } from './entities/online-feature.entity';
import { RegistryObjectEntity } from './entities/registry-object.entity';
import { TrainingSetBuildEntity } from './entities/training-set-build.entity';
import { FeatureStore1733200000000 } from './migrations/1733200000000-feature-store';
import { FeatureServicesIncremental1733300000000 } from './migrations/1733300000000-feature-services-incremental';
import { VersionEventRangeEntity } from './entities/version-event-range.entity';

export { RegistryObjectEntity, RegistryObjectKind } from './entities/registry-object.entity';
export { KnownDatasetVersionEntity } from './entities/known-dataset-version.entity';
export { MaterializationEntity, JobStatus, MaterializationMode, type DatasetVersionRefJson } from './entities/materialization.entity';
export { OnlineFeatureEntity } from './entities/online-feature.entity';
export { TrainingSetBuildEntity, type TrainingSetColumnJson } from './entities/training-set-build.entity';
export { FeatureViewWatermarkEntity } from './entities/feature-view-watermark.entity';
export { VersionEventRangeEntity } from './entities/version-event-range.entity';

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
type EntityList = Function[];

/** The PostgreSQL schema this service owns. */
export const FEATURES_SCHEMA = 'features';
/** Every entity of the schema (TypeORM), messaging outbox/inbox included. */
export const FEATURES_ENTITIES: EntityList = [
  ...MESSAGING_ENTITIES,
  RegistryObjectEntity,
  KnownDatasetVersionEntity,
  MaterializationEntity,
  OnlineFeatureEntity,
  TrainingSetBuildEntity,
  FeatureViewWatermarkEntity,
  VersionEventRangeEntity,
];
/** Every migration, in order (messaging tables first). */
export const FEATURES_MIGRATIONS: EntityList = [...MESSAGING_MIGRATIONS, FeatureStore1733200000000, FeatureServicesIncremental1733300000000];

/** Quoted, schema-qualified table name of an entity in `manager`'s DataSource (for raw SQL). */
export function tableName(manager: EntityManager, entity: EntityTarget<ObjectLiteral>): string {
  const m = manager.connection.getMetadata(entity);
  const q = (s: string) => `"${s.replace(/"/g, '""')}"`;
  return m.schema ? `${q(m.schema)}.${q(m.tableName)}` : q(m.tableName);
}
