import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/**
 * The reference profile of a model version (util-drift `ReferenceProfile`, built by training
 * over the train slice), fetched once from the registry's `referenceProfileUri`, sha256
 * verified, and reused for every window (never recomputed from raw training data).
 */
@Entity('reference_profile')
export class ReferenceProfileEntity {
  @PrimaryColumn({ name: 'model_name', type: 'varchar', length: 128 })
  modelName!: string;

  @PrimaryColumn({ name: 'model_version', type: 'integer' })
  modelVersion!: number;

  /** The profile JSON exactly as stored by training. */
  @Column({ type: 'jsonb' })
  profile!: unknown;

  /** sha256 of the profile file's bytes (lowercase hex). */
  @Column({ type: 'char', length: 64 })
  sha256!: string;

  /** Where it was read from. */
  @Column({ name: 'source_uri', type: 'text' })
  sourceUri!: string;

  @CreateDateColumn({ name: 'fetched_at', type: 'timestamptz' })
  fetchedAt!: Date;
}
