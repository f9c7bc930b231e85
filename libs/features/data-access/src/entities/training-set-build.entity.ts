import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { DatasetVersionRefJson, JobStatus } from './materialization.entity';

/** A column of a built training set and its role for trainers. */
export interface TrainingSetColumnJson {
  name: string;
  dtype: string;
  role: 'join_key' | 'event_timestamp' | 'feature' | 'label' | 'extra';
}

/** One training-set build (point-in-time join): table `training_set_build`. */
@Entity('training_set_build')
export class TrainingSetBuildEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'definition_name', type: 'varchar', length: 128 })
  definitionName!: string;

  @Column({ name: 'dataset_versions', type: 'jsonb' })
  datasetVersions!: DatasetVersionRefJson[];

  @Column({ name: 'feature_refs', type: 'jsonb' })
  featureRefs!: string[];

  /**
   * Materializations whose offline files were joined: `[{name, materializationId, materializationIds}]`
   * (`materializationId` = newest batch run; `materializationIds` = every file read: latest full
   * run, later windowed runs, pushes).
   */
  @Column({ name: 'feature_views', type: 'jsonb', default: () => `'[]'::jsonb` })
  featureViews!: Array<{ name: string; materializationId?: string; materializationIds?: string[] }>;

  @Column({ type: 'varchar', length: 16 })
  status!: JobStatus;

  @Column({ name: 'output_key', type: 'text' })
  outputKey!: string;

  @Column({ type: 'text', nullable: true })
  uri!: string | null;

  @Column({ type: 'char', length: 64, nullable: true })
  sha256!: string | null;

  @Column({ name: 'row_count', type: 'bigint', nullable: true, transformer: { to: (v: number | null) => v, from: (v: string | null) => (v === null ? null : Number(v)) } })
  rowCount!: number | null;

  @Column({ type: 'jsonb', nullable: true })
  columns!: TrainingSetColumnJson[] | null;

  @Column({ type: 'text', nullable: true })
  error!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt!: Date | null;
}
