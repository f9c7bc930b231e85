import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/**
 * A declared dataset: table `dataset` (schema set by the DataSource). `spec` is the validated
 * dataset spec (JSON form of `dataset.yaml`: columns, checks, format, policy).
 */
@Entity('dataset')
export class DatasetEntity {
  /** Dataset name (`^[a-z0-9][a-z0-9_-]*$`). */
  @PrimaryColumn({ type: 'varchar', length: 128 })
  name!: string;

  /** The dataset spec as JSON. */
  @Column({ type: 'jsonb' })
  spec!: Record<string, unknown>;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
