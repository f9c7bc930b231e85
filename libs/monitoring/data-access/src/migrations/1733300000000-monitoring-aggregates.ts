import type { MigrationInterface, QueryRunner } from 'typeorm';

function schemaOf(queryRunner: QueryRunner): string {
  const s = (queryRunner.connection.driver as { schema?: string }).schema ?? (queryRunner.connection.options as { schema?: string }).schema ?? 'public';
  return `"${s.replace(/"/g, '""')}"`;
}

/**
 * Incremental monitoring state:
 * - `window_counter`: additive counters (n, s) per (model, version, alias, window key, metric,
 *   bucket), updated in the inbox transaction of each prediction-logged / feedback-received /
 *   inference-failed event (window keys `d:YYYY-MM-DD` per UTC day, `b:<block>` per count block,
 *   `r:<rolloutId>` per active rollout); alias '' = addressed by version;
 * - `prediction_sequence`: next sequence number per model version (count windows);
 * - `prediction.seq` (null = not aggregated yet; partial index), `prediction.rollout_id`,
 *   `prediction.counted_label` (the label whose counters were added), `prediction.ingest_id`
 *   (identity, aggregation order); `feedback.counted` (false = not aggregated yet);
 * - `rollout_state`: the model's rollout as announced by the registry (model-rollout-changed),
 *   and whether monitoring already asked for its rollback.
 */
export class MonitoringAggregates1733300000000 implements MigrationInterface {
  name = 'MonitoringAggregates1733300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    await queryRunner.query(`
      CREATE TABLE ${s}."window_counter" (
        "model_name" varchar(128) NOT NULL,
        "model_version" integer NOT NULL,
        "alias" varchar(64) NOT NULL,
        "window_key" varchar(160) NOT NULL,
        "metric" varchar(300) NOT NULL,
        "bucket" varchar(300) NOT NULL,
        "n" double precision NOT NULL,
        "s" double precision NOT NULL,
        PRIMARY KEY ("model_name", "window_key", "model_version", "alias", "metric", "bucket")
      )`);
    await queryRunner.query(`
      CREATE TABLE ${s}."prediction_sequence" (
        "model_name" varchar(128) NOT NULL,
        "model_version" integer NOT NULL,
        "next_seq" bigint NOT NULL,
        PRIMARY KEY ("model_name", "model_version")
      )`);
    await queryRunner.query(`ALTER TABLE ${s}."prediction" ADD COLUMN "seq" bigint NULL, ADD COLUMN "rollout_id" varchar(128) NULL,
      ADD COLUMN "counted_label" double precision NULL, ADD COLUMN "ingest_id" bigint GENERATED ALWAYS AS IDENTITY`);
    await queryRunner.query(`CREATE INDEX "prediction_pending_idx" ON ${s}."prediction" ("ingest_id") WHERE "seq" IS NULL`);
    await queryRunner.query(`ALTER TABLE ${s}."feedback" ADD COLUMN "counted" boolean NOT NULL DEFAULT false`);
    await queryRunner.query(`CREATE INDEX "feedback_pending_idx" ON ${s}."feedback" ("prediction_id") WHERE NOT "counted"`);
    await queryRunner.query(`
      CREATE TABLE ${s}."rollout_state" (
        "model_name" varchar(128) PRIMARY KEY,
        "rollout_id" varchar(128) NOT NULL,
        "status" varchar(32) NOT NULL,
        "mode" varchar(16) NULL,
        "champion_version" integer NULL,
        "challenger_version" integer NULL,
        "challenger_weight" double precision NULL,
        "started_at" timestamptz NOT NULL,
        "changed_at" timestamptz NOT NULL,
        "rollback_requested_at" timestamptz NULL,
        "rollback_reason" text NULL
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    await queryRunner.query(`DROP TABLE ${s}."rollout_state"`);
    await queryRunner.query(`ALTER TABLE ${s}."feedback" DROP COLUMN "counted"`);
    await queryRunner.query(`ALTER TABLE ${s}."prediction" DROP COLUMN "seq", DROP COLUMN "rollout_id", DROP COLUMN "counted_label", DROP COLUMN "ingest_id"`);
    await queryRunner.query(`DROP TABLE ${s}."prediction_sequence"`);
    await queryRunner.query(`DROP TABLE ${s}."window_counter"`);
  }
}
