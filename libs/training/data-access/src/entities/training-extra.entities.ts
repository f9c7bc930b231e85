import { CreatedAtColumn, JobStatusColumn, WorkflowIdColumn } from '@strata/shared/data-access-entity-columns';
import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { ModelWorkflowRecordColumns, ModelWorkflowRequestColumns } from './model-workflow-request.columns';

/** One captured chunk of an external trainer's stdout/stderr (table `training_run_log`). */
@Entity({ name: 'training_run_log' })
export class TrainingRunLogEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'run_id', type: 'uuid' })
  runId!: string;

  /** Activity attempt (1-based) that produced the chunk. */
  @Column({ type: 'integer' })
  attempt!: number;

  /** `stdout`, `stderr`, or `system` (lines the activity writes itself: command, exit code). */
  @Column({ type: 'varchar', length: 8 })
  stream!: 'stdout' | 'stderr' | 'system';

  @Column({ type: 'text' })
  chunk!: string;

  @CreatedAtColumn()
  createdAt!: Date;
}

/** A hyperparameter search (table `training_search`, workflow id `search:<modelName>:<requestId>`); its trials are `training_run` rows with `parent_search_id`. */
@Entity({ name: 'training_search' })
export class TrainingSearchEntity extends ModelWorkflowRequestColumns {
  @PrimaryColumn({ name: 'search_id', type: 'uuid' })
  searchId!: string;

  @JobStatusColumn()
  status!: 'RUNNING' | 'COMPLETED' | 'FAILED' | 'CANCELLED';

  @Column({ type: 'varchar', length: 16 })
  strategy!: 'grid' | 'random';

  /** Metric the best trial is chosen by, e.g. `roc_auc`. */
  @Column({ type: 'varchar', length: 128 })
  metric!: string;

  @Column({ type: 'varchar', length: 8 })
  direction!: 'maximize' | 'minimize';

  @Column({ type: 'integer' })
  parallelism!: number;

  /** The search request as accepted (space, seed, maxTrials, base request). */
  @Column({ type: 'jsonb' })
  spec!: Record<string, unknown>;

  @Column({ name: 'trial_count', type: 'integer' })
  trialCount!: number;

  @Column({ name: 'completed_trials', type: 'integer', nullable: true })
  completedTrials!: number | null;

  @Column({ name: 'failed_trials', type: 'integer', nullable: true })
  failedTrials!: number | null;

  @Column({ name: 'best_run_id', type: 'uuid', nullable: true })
  bestRunId!: string | null;

  @Column({ name: 'best_metric', type: 'double precision', nullable: true })
  bestMetric!: number | null;
}

/** Why a retraining of a model was started or skipped (table `retraining_trigger`). */
@Entity({ name: 'retraining_trigger' })
export class RetrainingTriggerEntity extends ModelWorkflowRecordColumns {
  @PrimaryColumn({ name: 'trigger_id', type: 'uuid' })
  triggerId!: string;

  /** What asked: a drift-detected / performance-degraded event, the schedule, or a manual call. */
  @Column({ type: 'varchar', length: 16 })
  source!: 'drift' | 'performance' | 'schedule' | 'manual';

  /** The triggering event's id (`detectionId`), the scheduled workflow id, or the manual request id. */
  @Column({ name: 'trigger_event_id', type: 'varchar', length: 256 })
  triggerEventId!: string;

  /** Human-readable reason, e.g. `drift: 3/5 features drifted (share 0.6) on version 2`. */
  @Column({ type: 'text' })
  reason!: string;

  /**
   * `STARTED`; `SKIPPED_RUNNING` (one is running); `SKIPPED_COOLDOWN`; `SKIPPED_NO_RUN` (the model
   * has no completed run here to retrain from); `SKIPPED_STALE` (the event was detected before the
   * model's latest completed run finished); `DISABLED` (event-driven retraining switched off).
   */
  @Column({ type: 'varchar', length: 20 })
  decision!: 'STARTED' | 'SKIPPED_COOLDOWN' | 'SKIPPED_RUNNING' | 'SKIPPED_NO_RUN' | 'SKIPPED_STALE' | 'DISABLED';

  @WorkflowIdColumn({ nullable: true })
  workflowId!: string | null;

  @Column({ name: 'run_id', type: 'uuid', nullable: true })
  runId!: string | null;

  /** Outcome of a started retraining (null while running or when skipped). */
  @JobStatusColumn({ nullable: true })
  status!: 'RUNNING' | 'COMPLETED' | 'FAILED' | 'CANCELLED' | null;

}
