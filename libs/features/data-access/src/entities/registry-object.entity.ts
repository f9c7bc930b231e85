import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** Kinds of feature-repo objects stored in the registry (`as const` enum). */
export const RegistryObjectKind = {
  ENTITY: 'entity',
  FEATURE_VIEW: 'feature_view',
  ON_DEMAND_FEATURE_VIEW: 'on_demand_feature_view',
  TRAINING_SET: 'training_set',
  FEATURE_SERVICE: 'feature_service',
  PUSH_SOURCE: 'push_source',
} as const;
/** Union of {@link RegistryObjectKind} values. */
export type RegistryObjectKind = (typeof RegistryObjectKind)[keyof typeof RegistryObjectKind];

/**
 * One applied feature-repo object (entity, feature view, on-demand view or training set):
 * table `registry_object`, primary key `(kind, name)`. `definition` is the parsed definition
 * (as returned by `parseFeatureRepoDocuments`), `content_hash` the sha256 of its canonical JSON.
 */
@Entity('registry_object')
export class RegistryObjectEntity {
  @PrimaryColumn({ type: 'varchar', length: 32 })
  kind!: RegistryObjectKind;

  @PrimaryColumn({ type: 'varchar', length: 128 })
  name!: string;

  @Column({ type: 'jsonb' })
  definition!: Record<string, unknown>;

  /** sha256 (hex) of the canonical JSON of `definition`. */
  @Column({ name: 'content_hash', type: 'char', length: 64 })
  contentHash!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
