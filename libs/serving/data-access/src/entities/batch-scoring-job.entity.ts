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

  @Column({ name: 'workflow_id', type: 'varchar', length: 512, unique: true })
  workflowId!: string;

  @Column({ name: 'request_id', type: 'varchar', length: 256 })
  requestId!: string;

  @Column({ name: 'model_name', type: 'varchar', length: 128 })
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
  @Column({ name: 'input_uri', type: 'text', nullable: true })
  inputUri!: string | null;

  @Column({ name: 'input_sha256', type: 'varchar', length: 64, nullable: true })
  inputSha256!: string | null;

  /** Requested pass-through columns (null = default). */
  @Column({ name: 'output_columns', type: 'jsonb', nullable: true })
  outputColumns!: string[] | null;

  @Column({ type: 'varchar', length: 16 })
  status!: BatchScoringJobStatus;

  @Column({ name: 'rows_done', type: 'bigint', default: 0, transformer: { to: (v: number) => v, from: (v: string | null) => (v === null ? 0 : Number(v)) } })
  rowsDone!: number;

  @Column({ name: 'rows_total', type: 'bigint', nullable: true, transformer: { to: (v: number | null) => v, from: (v: string | null) => (v === null ? null : Number(v)) } })
  rowsTotal!: number | null;

  @Column({ name: 'output_uri', type: 'text', nullable: true })
  outputUri!: string | null;

  @Column({ name: 'output_sha256', type: 'varchar', length: 64, nullable: true })
  outputSha256!: string | null;

  @Column({ name: 'row_count', type: 'bigint', nullable: true, transformer: { to: (v: number | null) => v, from: (v: string | null) => (v === null ? null : Number(v)) } })
  rowCount!: number | null;

  @Column({ name: 'error_code', type: 'varchar', length: 64, nullable: true })
  errorCode!: string | null;

  @Column({ type: 'text', nullable: true })
  error!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;
}
