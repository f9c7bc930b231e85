import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A streamed batch of records (`IngestRecordsV1`) staged for the next micro-batch version:
 * table `ingest_batch`, primary key `(dataset_name, batch_id)` (producer retries of a batch
 * are ignored). `records` is set to null and `flushed_version_id` / `flushed_at` are set in the
 * same transaction that records the version containing the batch.
 */
@Entity('ingest_batch')
export class IngestBatchEntity {
  @PrimaryColumn({ name: 'dataset_name', type: 'varchar', length: 128 })
  datasetName!: string;

  /** Producer-chosen batch id (`IngestRecordsV1.batchId`). */
  @PrimaryColumn({ name: 'batch_id', type: 'varchar', length: 128 })
  batchId!: string;

  /** Arrival order (identity); versions append batches in this order. */
  @Column({ type: 'bigint', insert: false, update: false, transformer: { to: (v: number) => v, from: (v: string) => Number(v) } })
  seq!: number;

  /** CloudEvents id of the Kafka event that brought the batch. */
  @Column({ name: 'event_id', type: 'varchar', length: 128 })
  eventId!: string;

  @Column({ type: 'varchar', length: 64 })
  source!: string;

  @Column({ name: 'record_count', type: 'integer' })
  recordCount!: number;

  /** The records (array of flat JSON objects) until flushed; null afterwards. */
  @Column({ type: 'jsonb', nullable: true })
  records!: Array<Record<string, string | number | boolean | null>> | null;

  @Column({ name: 'received_at', type: 'timestamptz', insert: false })
  receivedAt!: Date;

  /** Version that contains this batch (null while pending). */
  @Column({ name: 'flushed_version_id', type: 'varchar', length: 64, nullable: true })
  flushedVersionId!: string | null;

  @Column({ name: 'flushed_at', type: 'timestamptz', nullable: true })
  flushedAt!: Date | null;
}
