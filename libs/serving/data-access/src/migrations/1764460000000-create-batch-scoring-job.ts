import type { MigrationInterface, QueryRunner } from 'typeorm';

function schemaOf(queryRunner: QueryRunner): string {
  return `"${(queryRunner.connection.driver.schema ?? 'public').replace(/"/g, '""')}"`;
}

/** Issue 7 (batch scoring): the `batch_scoring_job` table. Runs after the messaging tables (1732900000000). */
export class CreateBatchScoringJob1764460000000 implements MigrationInterface {
  name = 'CreateBatchScoringJob1764460000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    await queryRunner.query(`
      CREATE TABLE ${s}."batch_scoring_job" (
        "job_id" uuid PRIMARY KEY,
        "workflow_id" varchar(512) NOT NULL UNIQUE,
        "request_id" varchar(256) NOT NULL,
        "model_name" varchar(128) NOT NULL,
        "model_alias" varchar(128) NULL,
        "model_version" integer NULL,
        "dataset_name" varchar(128) NULL,
        "version_id" varchar(128) NULL,
        "input_uri" text NULL,
        "input_sha256" varchar(64) NULL,
        "output_columns" jsonb NULL,
        "status" varchar(16) NOT NULL CHECK ("status" IN ('PENDING', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED')),
        "rows_done" bigint NOT NULL DEFAULT 0,
        "rows_total" bigint NULL,
        "output_uri" text NULL,
        "output_sha256" varchar(64) NULL,
        "row_count" bigint NULL,
        "error_code" varchar(64) NULL,
        "error" text NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        "finished_at" timestamptz NULL
      )`);
    await queryRunner.query(`CREATE INDEX "batch_scoring_job_model_created_idx" ON ${s}."batch_scoring_job" ("model_name", "created_at" DESC)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE ${schemaOf(queryRunner)}."batch_scoring_job"`);
  }
}
