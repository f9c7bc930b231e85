import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

const bigint = { to: (v: number | null) => v, from: (v: string | null) => (v === null ? null : Number(v)) };

/** Status of a materialization or a training-set build (`as const` enum). */
export const JobStatus = { RUNNING: 'RUNNING', SUCCEEDED: 'SUCCEEDED', FAILED: 'FAILED' } as const;
/** Union of {@link JobStatus} values. */
export type JobStatus = (typeof JobStatus)[keyof typeof JobStatus];

/** How a materialization run chose its interval; `push` = rows written by `POST /push` (`as const` enum). */
export const MaterializationMode = { FULL: 'full', RANGE: 'range', INCREMENTAL: 'incremental', PUSH: 'push' } as const;
/** Union of {@link MaterializationMode} values. */
export type MaterializationMode = (typeof MaterializationMode)[keyof typeof MaterializationMode];

/** A dataset version pinned by name, id and content hash. */
export interface DatasetVersionRefJson {
  datasetName: string;
  versionId: string;
  contentSha256: string;
}

/**
 * One materialization run of a feature view over dataset versions: table `materialization`.
 * `start_time`/`end_time` bound the event-time interval written (`[start, end)`).
 */
@Entity('materialization')
@Index('materialization_view_started_idx', ['featureView', 'startedAt'])
export class MaterializationEntity {
  /** `YYYYMMDDTHHMMSSZ-<8 hex>` (also the offline file name). */
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id!: string;

  @Column({ name: 'feature_view', type: 'varchar', length: 128 })
  featureView!: string;

  @Column({ name: 'dataset_versions', type: 'jsonb' })
  datasetVersions!: DatasetVersionRefJson[];

  @Column({ name: 'start_time', type: 'timestamptz' })
  startTime!: Date;

  @Column({ name: 'end_time', type: 'timestamptz' })
  endTime!: Date;

  @Column({ type: 'varchar', length: 16 })
  status!: JobStatus;

  /** `full` ([epoch, end)), `range` ([start, end) asked), `incremental` ([watermark, end)) or `push`. */
  @Column({ type: 'varchar', length: 16, default: 'full' })
  mode!: MaterializationMode;

  @Column({ name: 'row_count', type: 'bigint', nullable: true, transformer: bigint })
  rowCount!: number | null;

  @Column({ name: 'online_row_count', type: 'bigint', nullable: true, transformer: bigint })
  onlineRowCount!: number | null;

  @Column({ name: 'offline_uri', type: 'text', nullable: true })
  offlineUri!: string | null;

  @Column({ name: 'offline_sha256', type: 'char', length: 64, nullable: true })
  offlineSha256!: string | null;

  @Column({ name: 'min_event_time', type: 'timestamptz', nullable: true })
  minEventTime!: Date | null;

  @Column({ name: 'max_event_time', type: 'timestamptz', nullable: true })
  maxEventTime!: Date | null;

  @Column({ type: 'text', nullable: true })
  error!: string | null;

  /** Why it ran, e.g. `dataset-version-created:<dataset>@<version>`. */
  @Column({ type: 'text', nullable: true })
  trigger!: string | null;

  @Column({ name: 'started_at', type: 'timestamptz' })
  startedAt!: Date;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt!: Date | null;
}
