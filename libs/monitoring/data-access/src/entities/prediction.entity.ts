import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * One served prediction, as logged by serving (`strata.serving.prediction-logged.v1`).
 * Table `prediction` in the monitoring schema. Windows are cut by `eventTime` (falling back to
 * `predictedAt` when the request carried no event time).
 */
@Entity('prediction')
@Index('prediction_model_version_event_time_idx', ['modelName', 'modelVersion', 'eventTime'])
export class PredictionEntity {
  /** The prediction id (primary key; a redelivered event inserts nothing). */
  @PrimaryColumn({ name: 'prediction_id', type: 'varchar', length: 256 })
  predictionId!: string;

  @Column({ name: 'model_name', type: 'varchar', length: 128 })
  modelName!: string;

  @Column({ name: 'model_version', type: 'integer' })
  modelVersion!: number;

  /** Alias the request was routed through, or null when a version was addressed. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  alias!: string | null;

  /** Model input features by name (numbers, strings or null for missing). */
  @Column({ type: 'jsonb' })
  features!: Record<string, number | string | null>;

  /** P(y = 1), or null when the model returned no probability. */
  @Column({ type: 'double precision', nullable: true })
  probability!: number | null;

  /** Business event time of the scored row (`eventTime`, else `predictedAt`). */
  @Column({ name: 'event_time', type: 'timestamptz' })
  eventTime!: Date;

  @Column({ name: 'predicted_at', type: 'timestamptz' })
  predictedAt!: Date;

  /** Model execution latency in milliseconds. */
  @Column({ name: 'latency_ms', type: 'double precision' })
  latencyMs!: number;

  /** Sequence number within the model version (count windows), set when aggregated; null = not aggregated yet. */
  @Column({ type: 'bigint', nullable: true })
  seq!: string | null;

  /** The feedback label whose counters were added for this prediction, or null. */
  @Column({ name: 'counted_label', type: 'double precision', nullable: true })
  countedLabel!: number | null;

  /** Insertion order (identity), the aggregation order. */
  @Column({ name: 'ingest_id', type: 'bigint', insert: false, update: false, select: false })
  ingestId!: string;

  /** The rollout this prediction was counted in (comparison and guard), or null. */
  @Column({ name: 'rollout_id', type: 'varchar', length: 128, nullable: true })
  rolloutId!: string | null;

  /** True when the rollout prediction's event time is at or before the challenger's training data cutoff (window `rx:<rolloutId>`). */
  @Column({ name: 'rollout_excluded', type: 'boolean', nullable: true })
  rolloutExcluded!: boolean | null;
}
