import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

const bigint = { to: (v: number) => v, from: (v: string) => Number(v) };

/**
 * A dataset version announced by ingestion (`DatasetVersionCreatedV1`), kept so that a
 * materialization can read every version of a dataset without reading ingestion's tables:
 * table `known_dataset_version`, primary key `(dataset_name, version_id)`.
 */
@Entity('known_dataset_version')
export class KnownDatasetVersionEntity {
  @PrimaryColumn({ name: 'dataset_name', type: 'varchar', length: 128 })
  datasetName!: string;

  @PrimaryColumn({ name: 'version_id', type: 'varchar', length: 256 })
  versionId!: string;

  @Column({ name: 'content_sha256', type: 'char', length: 64 })
  contentSha256!: string;

  /** Parquet URI of the version in the lake. */
  @Column({ type: 'text' })
  uri!: string;

  @Column({ name: 'row_count', type: 'bigint', transformer: bigint })
  rowCount!: number;

  /** `createdAt` of the event (when ingestion recorded the version). */
  @Column({ name: 'version_created_at', type: 'timestamptz' })
  versionCreatedAt!: Date;

  @CreateDateColumn({ name: 'received_at', type: 'timestamptz' })
  receivedAt!: Date;
}
