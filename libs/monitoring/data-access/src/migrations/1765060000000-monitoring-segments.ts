import type { MigrationInterface, QueryRunner } from 'typeorm';

function schemaOf(queryRunner: QueryRunner): string {
  const s = (queryRunner.connection.driver as { schema?: string }).schema ?? (queryRunner.connection.options as { schema?: string }).schema ?? 'public';
  return `"${s.replace(/"/g, '""')}"`;
}

/**
 * Segment and fairness monitoring (issue #17):
 * - `segment_config`: a model's segment columns, top N, minimum count, disparity thresholds and
 *   live promotion gate (JSON, validated by the feature lib's `SegmentConfigSchema`); segment
 *   counters themselves live in `window_counter` (metric `sg:<column>␟<value>␟<base>`), no new table;
 * - `fairness_alert`: one row per (model, version, window, segment, metric) whose disparity
 *   breach was announced (`performance-degraded` with metric `<disparity>:<segment>`), the dedup
 *   claim inserted in the same transaction as the outbox row.
 */
export class MonitoringSegments1765060000000 implements MigrationInterface {
  name = 'MonitoringSegments1765060000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    await queryRunner.query(`
      CREATE TABLE IF NOT EXISTS ${s}."segment_config" (
        "model_name" varchar(128) PRIMARY KEY,
        "config" jsonb NOT NULL,
        "updated_by" varchar(256) NOT NULL,
        "updated_at" timestamptz NOT NULL
      )`);
    await queryRunner.query(`
      CREATE TABLE IF NOT EXISTS ${s}."fairness_alert" (
        "model_name" varchar(128) NOT NULL,
        "model_version" integer NOT NULL,
        "window_kind" varchar(16) NOT NULL,
        "window_start" timestamptz NOT NULL,
        "segment" varchar(64) NOT NULL,
        "metric" varchar(64) NOT NULL,
        "value" double precision NOT NULL,
        "alerted_at" timestamptz NOT NULL,
        PRIMARY KEY ("model_name", "model_version", "window_kind", "window_start", "segment", "metric")
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    await queryRunner.query(`DROP TABLE IF EXISTS ${s}."fairness_alert"`);
    await queryRunner.query(`DROP TABLE IF EXISTS ${s}."segment_config"`);
  }
}
