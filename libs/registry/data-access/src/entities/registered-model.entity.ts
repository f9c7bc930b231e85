import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Row of `registered_model`: one named model (MLflow `RegisteredModel`). `latest_version` is the
 * highest version number ever assigned; the next registration takes `latest_version + 1` while
 * holding this row's lock (`SELECT … FOR UPDATE`), so numbers are unique and contiguous. It never
 * decreases, even when a version is deleted (numbers are never reused).
 */
@Entity('registered_model')
export class RegisteredModelEntity {
  /** Model name, `^[a-z0-9][a-z0-9_.-]{0,127}$`. */
  @PrimaryColumn({ type: 'text' })
  name!: string;

  @Column({ type: 'text', nullable: true })
  description!: string | null;

  /** Free-form string tags. */
  @Column({ type: 'jsonb', default: () => `'{}'::jsonb` })
  tags!: Record<string, string>;

  /** Highest version number assigned so far (0 before the first registration). */
  @Column({ name: 'latest_version', type: 'integer', default: 0 })
  latestVersion!: number;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
