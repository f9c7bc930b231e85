import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * The ONLINE store: the latest feature row per (feature view, entity): table `online_feature`,
 * primary key `(feature_view, entity_key)`. `entity_key` is the canonical JSON of the join key
 * values (keys sorted, e.g. `{"pickup_location_id":132}`). Rows are upserted only when the
 * incoming `event_timestamp` is newer.
 */
@Entity('online_feature')
export class OnlineFeatureEntity {
  @PrimaryColumn({ name: 'feature_view', type: 'varchar', length: 128 })
  featureView!: string;

  @PrimaryColumn({ name: 'entity_key', type: 'text' })
  entityKey!: string;

  /** Feature name → value (JSON scalars). */
  @Column({ type: 'jsonb' })
  features!: Record<string, unknown>;

  @Column({ name: 'event_timestamp', type: 'timestamptz' })
  eventTimestamp!: Date;

  @Column({ name: 'created_timestamp', type: 'timestamptz' })
  createdTimestamp!: Date;
}
