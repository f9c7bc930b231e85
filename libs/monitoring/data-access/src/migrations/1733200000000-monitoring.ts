import type { MigrationInterface, QueryRunner } from 'typeorm';

function schemaOf(queryRunner: QueryRunner): string {
  const s = (queryRunner.connection.driver as { schema?: string }).schema ?? (queryRunner.connection.options as { schema?: string }).schema ?? 'public';
  return `"${s.replace(/"/g, '""')}"`;
}

/** Creates `prediction`, `feedback`, `reference_profile` and `window_report` in the service schema. */
export class Monitoring1733200000000 implements MigrationInterface {
  name = 'Monitoring1733200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    await queryRunner.query(`
      CREATE TABLE ${s}."prediction" (
        "prediction_id" varchar(256) PRIMARY KEY,
        "model_name" varchar(128) NOT NULL,
        "model_version" integer NOT NULL,
        "alias" varchar(64) NULL,
        "features" jsonb NOT NULL,
        "probability" double precision NULL,
        "event_time" timestamptz NOT NULL,
        "predicted_at" timestamptz NOT NULL,
        "latency_ms" double precision NOT NULL
      )`);
    await queryRunner.query(`CREATE INDEX "prediction_model_version_event_time_idx" ON ${s}."prediction" ("model_name", "model_version", "event_time")`);
    await queryRunner.query(`
      CREATE TABLE ${s}."feedback" (
        "prediction_id" varchar(256) NOT NULL,
        "observed_at" timestamptz NOT NULL,
        "model_name" varchar(128) NOT NULL,
        "label" double precision NOT NULL,
        "source" varchar(64) NULL,
        PRIMARY KEY ("prediction_id", "observed_at")
      )`);
    await queryRunner.query(`CREATE INDEX "feedback_model_idx" ON ${s}."feedback" ("model_name")`);
    await queryRunner.query(`
      CREATE TABLE ${s}."reference_profile" (
        "model_name" varchar(128) NOT NULL,
        "model_version" integer NOT NULL,
        "profile" jsonb NOT NULL,
        "sha256" char(64) NOT NULL,
        "source_uri" text NOT NULL,
        "fetched_at" timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY ("model_name", "model_version")
      )`);
    await queryRunner.query(`
      CREATE TABLE ${s}."window_report" (
        "model_name" varchar(128) NOT NULL,
        "model_version" integer NOT NULL,
        "window_kind" varchar(16) NOT NULL,
        "window_start" timestamptz NOT NULL,
        "window_end" timestamptz NOT NULL,
        "prediction_count" integer NOT NULL,
        "labeled_count" integer NOT NULL,
        "drift" jsonb NOT NULL,
        "performance" jsonb NULL,
        "computed_at" timestamptz NOT NULL,
        "drift_alerted_at" timestamptz NULL,
        "performance_alerted_at" timestamptz NULL,
        PRIMARY KEY ("model_name", "model_version", "window_kind", "window_start")
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    await queryRunner.query(`DROP TABLE ${s}."window_report"`);
    await queryRunner.query(`DROP TABLE ${s}."reference_profile"`);
    await queryRunner.query(`DROP TABLE ${s}."feedback"`);
    await queryRunner.query(`DROP TABLE ${s}."prediction"`);
  }
}
