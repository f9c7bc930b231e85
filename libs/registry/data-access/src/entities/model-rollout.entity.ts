import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * Row of `model_rollout`: one canary or shadow rollout of a registered model, from its start to
 * its end (`rolled-back`, `promoted` or `ended`). At most one `active` rollout per model (partial
 * unique index `model_rollout_one_active_idx`). Every change is also in `audit_log`.
 */
@Entity('model_rollout')
@Index('model_rollout_model_started_idx', ['modelName', 'startedAt'])
export class ModelRolloutEntity {
  /** Rollout id (uuid). */
  @PrimaryColumn({ name: 'rollout_id', type: 'uuid' })
  rolloutId!: string;

  @Column({ name: 'model_name', type: 'text' })
  modelName!: string;

  /** `active`, `rolled-back`, `promoted` or `ended`. */
  @Column({ type: 'varchar', length: 32 })
  status!: string;

  /** `canary` or `shadow`. */
  @Column({ type: 'varchar', length: 16 })
  mode!: string;

  @Column({ name: 'champion_version', type: 'integer' })
  championVersion!: number;

  @Column({ name: 'challenger_version', type: 'integer' })
  challengerVersion!: number;

  /** Share of requests the challenger answers (canary), in [0, 1]; 0 for shadow. */
  @Column({ name: 'challenger_weight', type: 'double precision' })
  challengerWeight!: number;

  /** Request parameter/header whose value pins a caller to one version, or null. */
  @Column({ name: 'sticky_key', type: 'text', nullable: true })
  stickyKey!: string | null;

  @Column({ name: 'started_by', type: 'text' })
  startedBy!: string;

  @Column({ name: 'start_reason', type: 'text' })
  startReason!: string;

  @Column({ name: 'started_at', type: 'timestamptz' })
  startedAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  @Column({ name: 'ended_by', type: 'text', nullable: true })
  endedBy!: string | null;

  @Column({ name: 'end_reason', type: 'text', nullable: true })
  endReason!: string | null;

  @Column({ name: 'ended_at', type: 'timestamptz', nullable: true })
  endedAt!: Date | null;
}
