import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * The drift and performance report of one model version over one calendar window
 * `[windowStart, windowEnd)` (UTC). Recomputed (upserted) on every evaluation; the
 * `*AlertedAt` columns make `drift-detected` / `performance-degraded` fire once per
 * (model, version, window kind, window start).
 */
@Entity('window_report')
export class WindowReportEntity {
  @PrimaryColumn({ name: 'model_name', type: 'varchar', length: 128 })
  modelName!: string;

  @PrimaryColumn({ name: 'model_version', type: 'integer' })
  modelVersion!: number;

  /** `month`, `week` (ISO, Monday) or `day`. */
  @PrimaryColumn({ name: 'window_kind', type: 'varchar', length: 16 })
  windowKind!: string;

  @PrimaryColumn({ name: 'window_start', type: 'timestamptz' })
  windowStart!: Date;

  @Column({ name: 'window_end', type: 'timestamptz' })
  windowEnd!: Date;

  @Column({ name: 'prediction_count', type: 'integer' })
  predictionCount!: number;

  @Column({ name: 'labeled_count', type: 'integer' })
  labeledCount!: number;

  /** `{ features: [{feature, method, score, threshold, drifted}], datasetDrift, driftShare, testedCount, driftedCount, referenceProfileSha256 }`. */
  @Column({ type: 'jsonb' })
  drift!: unknown;

  /** `{ rocAuc, accuracy, logLoss }` (null members when not computable), or null without labels. */
  @Column({ type: 'jsonb', nullable: true })
  performance!: unknown;

  @Column({ name: 'computed_at', type: 'timestamptz' })
  computedAt!: Date;

  /**
   * Since when `prediction_count` and `labeled_count` have had their current values (set by the
   * evaluation that first saw them): a closed window alerts only once it has been stable for
   * `MONITORING_SETTLE_SECONDS`.
   */
  @Column({ name: 'stable_since', type: 'timestamptz', default: () => 'now()' })
  stableSince!: Date;

  /** When `drift-detected` was published for this window (null: never). */
  @Column({ name: 'drift_alerted_at', type: 'timestamptz', nullable: true })
  driftAlertedAt!: Date | null;

  /** When `performance-degraded` was published for this window (null: never). */
  @Column({ name: 'performance_alerted_at', type: 'timestamptz', nullable: true })
  performanceAlertedAt!: Date | null;
}
