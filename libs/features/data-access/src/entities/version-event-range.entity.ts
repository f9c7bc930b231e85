import { Column, Entity, PrimaryColumn } from 'typeorm';

const bigint = { to: (v: number) => v, from: (v: string) => Number(v) };

/**
 * Event-time range of a feature view's rows computed from ONE dataset version (table
 * `version_event_range`), keyed by the view's definition hash. Windowed materializations read
 * only the versions whose range meets `[start - sourceLookbackSeconds, end)`.
 */
@Entity('version_event_range')
export class VersionEventRangeEntity {
  @PrimaryColumn({ name: 'dataset_name', type: 'varchar', length: 128 })
  datasetName!: string;

  @PrimaryColumn({ name: 'version_id', type: 'varchar', length: 256 })
  versionId!: string;

  @PrimaryColumn({ name: 'feature_view', type: 'varchar', length: 128 })
  featureView!: string;

  /** sha256 of the view definition the range was computed with. */
  @PrimaryColumn({ name: 'definition_hash', type: 'char', length: 64 })
  definitionHash!: string;

  /** null when the version yields no row for the view. */
  @Column({ name: 'min_event_time', type: 'timestamptz', nullable: true })
  minEventTime!: Date | null;

  @Column({ name: 'max_event_time', type: 'timestamptz', nullable: true })
  maxEventTime!: Date | null;

  @Column({ name: 'row_count', type: 'bigint', transformer: bigint })
  rowCount!: number;
}
