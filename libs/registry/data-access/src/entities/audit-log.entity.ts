import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * Row of `audit_log`: append-only record of every state-changing registry action (a trigger
 * rejects UPDATE and DELETE). `outcome` is `success`, `noop` or `refused`.
 */
@Entity('audit_log')
@Index('audit_log_resource_idx', ['resource', 'id'])
export class AuditLogEntity {
  /** Monotonic id (bigint as string). */
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ type: 'text' })
  actor!: string;

  /** e.g. `model_version.register`, `model_alias.set`, `model_alias.delete`, `model_version.delete`. */
  @Column({ type: 'varchar', length: 64 })
  action!: string;

  /** The object acted on, e.g. `adult-income@3` or `adult-income#champion`. */
  @Column({ type: 'text' })
  resource!: string;

  /** Summary of the state before (null when it did not exist). */
  @Column({ type: 'jsonb', nullable: true })
  before!: Record<string, unknown> | null;

  /** Summary of the state after (null when removed or refused). */
  @Column({ type: 'jsonb', nullable: true })
  after!: Record<string, unknown> | null;

  @Column({ name: 'request_id', type: 'text', nullable: true })
  requestId!: string | null;

  @Column({ type: 'varchar', length: 32 })
  outcome!: string;

  @Column({ type: 'timestamptz', default: () => 'clock_timestamp()' })
  at!: Date;
}
