import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * An immutable, content-addressed dataset version: table `dataset_version`, unique
 * `(dataset_name, version_id)`. The data lives in the lake (`uri`, Parquet); this row is its
 * metadata (schema, profile, validation summary).
 */
@Entity('dataset_version')
@Index('dataset_version_dataset_version_uq', ['datasetName', 'versionId'], { unique: true })
export class DatasetVersionEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'dataset_name', type: 'varchar', length: 128 })
  datasetName!: string;

  /** First 16 hex chars of `content_sha256`. */
  @Column({ name: 'version_id', type: 'varchar', length: 64 })
  versionId!: string;

  /** sha256 of the Parquet bytes (64 lowercase hex). */
  @Column({ name: 'content_sha256', type: 'char', length: 64 })
  contentSha256!: string;

  /** Lake URI of `datasets/<name>/<versionId>/data.parquet`. */
  @Column({ type: 'text' })
  uri!: string;

  /** Lake URI of the version's `manifest.json`. */
  @Column({ name: 'manifest_uri', type: 'text' })
  manifestUri!: string;

  @Column({ name: 'row_count', type: 'bigint', transformer: { to: (v: number) => v, from: (v: string) => Number(v) } })
  rowCount!: number;

  /** Parquet size in bytes. */
  @Column({ name: 'size_bytes', type: 'bigint', transformer: { to: (v: number) => v, from: (v: string) => Number(v) } })
  sizeBytes!: number;

  /** `[{name, type, nullable}]`. */
  @Column({ type: 'jsonb' })
  schema!: unknown[];

  /** Column profile (counts, nulls, min/max, quantiles, top values). */
  @Column({ type: 'jsonb' })
  profile!: Record<string, unknown>;

  /** Validation summary: policy, inputRowCount, invalidRowCount, issueCount, first issues, quarantine file. */
  @Column({ type: 'jsonb' })
  validation!: Record<string, unknown>;

  /** Version this one extends (streamed micro-batches append to the latest version), or null. */
  @Column({ name: 'parent_version_id', type: 'varchar', length: 64, nullable: true })
  parentVersionId!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
