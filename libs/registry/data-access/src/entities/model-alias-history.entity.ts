import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * Row of `model_alias_history`: one change of an alias (set, move or delete), in the order they
 * happened (`id`). `from_version` is null for a first set, `to_version` null for a delete.
 */
@Entity('model_alias_history')
@Index('model_alias_history_name_alias_idx', ['name', 'alias', 'id'])
export class ModelAliasHistoryEntity {
  /** Monotonic id (bigint as string). */
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text' })
  alias!: string;

  @Column({ name: 'from_version', type: 'integer', nullable: true })
  fromVersion!: number | null;

  @Column({ name: 'to_version', type: 'integer', nullable: true })
  toVersion!: number | null;

  @Column({ type: 'text' })
  actor!: string;

  @Column({ type: 'text' })
  reason!: string;

  @Column({ name: 'changed_at', type: 'timestamptz' })
  changedAt!: Date;
}
