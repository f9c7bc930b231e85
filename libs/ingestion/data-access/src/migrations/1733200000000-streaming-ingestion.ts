import type { MigrationInterface, QueryRunner } from 'typeorm';

function schemaOf(queryRunner: QueryRunner): string {
  const s = (queryRunner.connection.driver as { schema?: string }).schema ?? (queryRunner.connection.options as { schema?: string }).schema ?? 'public';
  return `"${s.replace(/"/g, '""')}"`;
}

/**
 * Streaming ingestion: `dataset_version.parent_version_id` (the version an appended version
 * extends) and `ingest_batch`, the staging area of streamed record batches (one row per
 * producer batch, unique per `(dataset_name, batch_id)`; `records` is cleared once the batch
 * is part of a version, the row is kept for de-duplication).
 */
export class StreamingIngestion1733200000000 implements MigrationInterface {
  name = 'StreamingIngestion1733200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    await queryRunner.query(`ALTER TABLE ${s}."dataset_version" ADD COLUMN "parent_version_id" varchar(64) NULL`);
    await queryRunner.query(`
      CREATE TABLE ${s}."ingest_batch" (
        "dataset_name" varchar(128) NOT NULL REFERENCES ${s}."dataset" ("name"),
        "batch_id" varchar(128) NOT NULL,
        "seq" bigint GENERATED ALWAYS AS IDENTITY,
        "event_id" varchar(128) NOT NULL,
        "source" varchar(64) NOT NULL,
        "record_count" integer NOT NULL,
        "records" jsonb NULL,
        "received_at" timestamptz NOT NULL DEFAULT now(),
        "flushed_version_id" varchar(64) NULL,
        "flushed_at" timestamptz NULL,
        PRIMARY KEY ("dataset_name", "batch_id")
      )`);
    await queryRunner.query(`CREATE INDEX "ingest_batch_pending_idx" ON ${s}."ingest_batch" ("dataset_name", "seq") WHERE "flushed_at" IS NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    await queryRunner.query(`DROP TABLE IF EXISTS ${s}."ingest_batch"`);
    await queryRunner.query(`ALTER TABLE ${s}."dataset_version" DROP COLUMN IF EXISTS "parent_version_id"`);
  }
}
