import { JobStatusColumn, NullableBigintColumn, ObjectUriColumn, Sha256Column, UpdatedAtColumn } from '@strata/shared/data-access-entity-columns';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { ModelWorkflowRequestColumns } from './model-workflow-request.columns';

/** Lifecycle of a training run: as stored in `training_run.status` and returned by the API. */
export const TrainingRunStatus = {
  RUNNING: 'RUNNING',
  COMPLETED: 'COMPLETED',
  FAILED: 'FAILED',
  CANCELLED: 'CANCELLED',
} as const;
export type TrainingRunStatus = (typeof TrainingRunStatus)[keyof typeof TrainingRunStatus];

/** A dataset version a run trains on (`contentSha256` once resolved from ingestion). */
export interface StoredDatasetVersion {
  datasetName: string;
  versionId: string;
  contentSha256?: string;
}

/**
 * One training run (one Temporal workflow execution): table `training_run` in the training
 * schema. Created by `POST /training-runs` or a `training-requested` event before the workflow
 * starts; updated by the workflow's record activities (completed / failed / cancelled). Its
 * workflow id is `train:<modelName>:<requestId>`.
 * `(model_name, request_id)` is unique: the same request never creates a second run.
 */
@Entity('training_run')
@Index('training_run_model_request_uq', ['modelName', 'requestId'], { unique: true })
@Index('training_run_workflow_id_uq', ['workflowId'], { unique: true })
export class TrainingRunEntity extends ModelWorkflowRequestColumns {
  /** Run id (UUID, derived from modelName + requestId). */
  @PrimaryColumn({ name: 'run_id', type: 'uuid' })
  runId!: string;

  @JobStatusColumn()
  status!: TrainingRunStatus;

  /** Last known workflow step (`resolve-inputs`, `build-training-set`, `train`, …). */
  @Column({ type: 'varchar', length: 64, nullable: true })
  step!: string | null;

  /** Trainer id, e.g. `logistic_regression`. */
  @Column({ type: 'varchar', length: 256 })
  trainer!: string;

  /** Training set name in the features service (e.g. `big_tipper`). */
  @Column({ name: 'training_set', type: 'varchar', length: 128 })
  trainingSet!: string;

  /** Why the run was requested: manual | drift | performance | schedule. */
  @Column({ type: 'varchar', length: 32 })
  reason!: string;

  /** Trainer hyper-parameters (scalars). */
  @Column({ type: 'jsonb' })
  params!: Record<string, number | string | boolean>;

  /** Evaluation settings, e.g. `{ splitTime }`. */
  @Column({ type: 'jsonb' })
  evaluation!: Record<string, unknown>;

  @Column({ name: 'dataset_versions', type: 'jsonb' })
  datasetVersions!: StoredDatasetVersion[];

  /** Feature views joined into the training set (from the built set's feature refs). */
  @Column({ name: 'feature_views', type: 'jsonb', nullable: true })
  featureViews!: string[] | null;

  @ObjectUriColumn('training_set_uri')
  trainingSetUri!: string | null;

  @Sha256Column('training_set_sha256')
  trainingSetSha256!: string | null;

  /** Flat evaluation metrics (finite numbers), e.g. `{ roc_auc, accuracy, log_loss, … }`. */
  @Column({ type: 'jsonb', nullable: true })
  metrics!: Record<string, number> | null;

  /** Full evaluation reports (eval + train slice, calibration by decile). */
  @Column({ name: 'evaluation_report', type: 'jsonb', nullable: true })
  evaluationReport!: Record<string, unknown> | null;

  @ObjectUriColumn('artifact_uri')
  artifactUri!: string | null;

  @Sha256Column('artifact_sha256')
  artifactSha256!: string | null;

  @ObjectUriColumn('reference_profile_uri')
  referenceProfileUri!: string | null;

  @Sha256Column('reference_profile_sha256')
  referenceProfileSha256!: string | null;

  /** Wall-clock time spent in activities (ms). */
  @Column({ name: 'wall_time_ms', type: 'integer', nullable: true })
  wallTimeMs!: number | null;

  /** CPU time (user + system) spent in activities, seconds. */
  @Column({ name: 'cpu_seconds', type: 'double precision', nullable: true })
  cpuSeconds!: number | null;

  /** Highest resident set size sampled during the activities, bytes. */
  @NullableBigintColumn('peak_rss_bytes')
  peakRssBytes!: number | null;

  /** Mean GPU utilization (%) sampled with nvidia-smi during the train activity; null without a GPU. */
  @Column({ name: 'gpu_utilization_pct', type: 'double precision', nullable: true })
  gpuUtilizationPct!: number | null;

  /** The hyperparameter search this run is a trial of (null for a plain run). */
  @Column({ name: 'parent_search_id', type: 'uuid', nullable: true })
  parentSearchId!: string | null;

  /** The registry tracking run mirroring this run (32 hex), once created. */
  @Column({ name: 'tracked_run_id', type: 'varchar', length: 64, nullable: true })
  trackedRunId!: string | null;

  /** When the final state was written to the tracked run (null: pending). */
  @Column({ name: 'tracking_synced_at', type: 'timestamptz', nullable: true })
  trackingSyncedAt!: Date | null;

  /** Per-iteration progress reported by the trainer: series key → `[step, value, epoch ms]` points, e.g. `{ train_loss: [[1, 0.69, 1733…], …] }`. */
  @Column({ name: 'trainer_progress', type: 'jsonb', nullable: true })
  trainerProgress!: Record<string, Array<[number, number, number]>> | null;

  /** Who asked for the run (principal id or actor); null for runs started by events/schedules. */
  @Column({ name: 'triggered_by', type: 'varchar', length: 256, nullable: true })
  triggeredBy!: string | null;

  @UpdatedAtColumn()
  updatedAt!: Date;
}
