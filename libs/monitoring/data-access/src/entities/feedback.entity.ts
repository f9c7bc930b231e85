import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * The ground-truth label of a prediction (`strata.monitoring.feedback-received.v1`). One row per
 * (prediction, observedAt); the latest observation wins when windows join labels.
 */
@Entity('feedback')
@Index('feedback_model_idx', ['modelName'])
export class FeedbackEntity {
  @PrimaryColumn({ name: 'prediction_id', type: 'varchar', length: 256 })
  predictionId!: string;

  @PrimaryColumn({ name: 'observed_at', type: 'timestamptz' })
  observedAt!: Date;

  @Column({ name: 'model_name', type: 'varchar', length: 128 })
  modelName!: string;

  /** Observed label (0/1 for binary classification). */
  @Column({ type: 'double precision' })
  label!: number;

  /** Where the label came from (`api`, `batch-import`, …). */
  @Column({ type: 'varchar', length: 64, nullable: true })
  source!: string | null;

  /** Whether the aggregator has applied this label to the counters (not selected by default). */
  @Column({ type: 'boolean', default: false, select: false })
  counted!: boolean;
}
