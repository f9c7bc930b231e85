import { CreatedAtColumn, ErrorCodeColumn, FinishedAtColumn, JobStatusColumn, ModelNameColumn, NullableBigintColumn, ObjectUriColumn, RequestIdColumn, Sha256Column, UpdatedAtColumn, WorkflowIdColumn } from '@strata/shared/data-access-entity-columns';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Lifecycle of a batch scoring job. */
export const BatchScoringJobStatus = {
  PENDING: 'PENDING',
  RUNNING: 'RUNNING',
  SUCCEEDED: 'SUCCEEDED',
  FAILED: 'FAILED',
  CANCELLED: 'CANCELLED',
} as const;
/** One of {@link BatchScoringJobStatus}. */
export type BatchScoringJobStatus = (typeof BatchScoringJobStatus)[keyof typeof BatchScoringJobStatus];

/**
 * A batch scoring job (table `batch_scoring_job`): one `batchScoringWorkflow` run scoring a
 * Parquet input with one model version. `workflow_id` (`batch-score:<model>:<requestId>`) is
 * unique, so a repeated request maps to the same job.
 */
@Entity({ name: 'batch_scoring_job' })
export class BatchScoringJobEntity {
  @PrimaryColumn({ name: 'job_id', type: 'uuid' })
  jobId!: string;

  @WorkflowIdColumn({ unique: true })
  workflowId!: string;

  @RequestIdColumn()
  requestId!: string;

  @ModelNameColumn()
  modelName!: string;

  /** Requested alias (null when a version was requested). */
  @Column({ name: 'model_alias', type: 'varchar', length: 128, nullable: true })
  modelAlias!: string | null;

  /** Requested version, or the version the alias resolved to once prepared. */
  @Column({ name: 'model_version', type: 'integer', nullable: true })
  modelVersion!: number | null;

  @Column({ name: 'dataset_name', type: 'varchar', length: 128, nullable: true })
  datasetName!: string | null;

  @Column({ name: 'version_id', type: 'varchar', length: 128, nullable: true })
  versionId!: string | null;

  /** Requested input URI, or the dataset version's Parquet URI once prepared. */
  @ObjectUriColumn('input_uri')
  inputUri!: string | null;

  @Sha256Column('input_sha256')
  inputSha256!: string | null;

  /** Requested pass-through columns (null = default). */
  @Column({ name: 'output_columns', type: 'jsonb', nullable: true })
  outputColumns!: string[] | null;

  @JobStatusColumn()
  status!: BatchScoringJobStatus;

  @Column({ name: 'rows_done', type: 'bigint', default: 0, transformer: { to: (v: number) => v, from: (v: string | null) => (v === null ? 0 : Number(v)) } })
  rowsDone!: number;

  @NullableBigintColumn('rows_total')
  rowsTotal!: number | null;

  @ObjectUriColumn('output_uri')
  outputUri!: string | null;

  @Sha256Column('output_sha256')
  outputSha256!: string | null;

  @NullableBigintColumn('row_count')
  rowCount!: number | null;

  @ErrorCodeColumn(64)
  errorCode!: string | null;

  @Column({ type: 'text', nullable: true })
  error!: string | null;

  @CreatedAtColumn()
  createdAt!: Date;

  @UpdatedAtColumn()
  updatedAt!: Date;

  @FinishedAtColumn()
  finishedAt!: Date | null;
}
