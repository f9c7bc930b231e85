import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Per feature view: the newest event time materialized by a SUCCEEDED run and that run's id
 * (table `feature_view_watermark`). Unchanged by failed runs.
 */
@Entity('feature_view_watermark')
export class FeatureViewWatermarkEntity {
  @PrimaryColumn({ name: 'feature_view', type: 'varchar', length: 128 })
  featureView!: string;

  @Column({ name: 'max_event_time', type: 'timestamptz', nullable: true })
  maxEventTime!: Date | null;

  /** End (exclusive) of the event-time interval covered by SUCCEEDED runs: where the next incremental run starts. */
  @Column({ name: 'materialized_until', type: 'timestamptz', nullable: true })
  materializedUntil!: Date | null;

  @Column({ name: 'materialization_id', type: 'varchar', length: 64 })
  materializationId!: string;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
