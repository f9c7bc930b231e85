import type { MigrationInterface, QueryRunner } from 'typeorm';

function schemaOf(queryRunner: QueryRunner): string {
  return `"${(queryRunner.connection.driver.schema ?? 'public').replace(/"/g, '""')}"`;
}

/** Creates `training_run` (see `TrainingRunEntity`) in the DataSource's schema. */
export class CreateTrainingRun1733000000000 implements MigrationInterface {
  name = 'CreateTrainingRun1733000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    await queryRunner.query(`
      CREATE TABLE ${s}."training_run" (
        "run_id" uuid PRIMARY KEY,
        "workflow_id" varchar(512) NOT NULL,
        "model_name" varchar(128) NOT NULL,
        "request_id" varchar(256) NOT NULL,
        "status" varchar(16) NOT NULL CHECK ("status" IN ('RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED')),
        "step" varchar(64) NULL,
        "trainer" varchar(256) NOT NULL,
        "training_set" varchar(128) NOT NULL,
        "reason" varchar(32) NOT NULL,
        "params" jsonb NOT NULL,
        "evaluation" jsonb NOT NULL,
        "dataset_versions" jsonb NOT NULL,
        "feature_views" jsonb NULL,
        "training_set_uri" text NULL,
        "training_set_sha256" varchar(64) NULL,
        "metrics" jsonb NULL,
        "evaluation_report" jsonb NULL,
        "artifact_uri" text NULL,
        "artifact_sha256" varchar(64) NULL,
        "reference_profile_uri" text NULL,
        "reference_profile_sha256" varchar(64) NULL,
        "model_version" integer NULL,
        "error_code" varchar(128) NULL,
        "error_message" text NULL,
        "wall_time_ms" integer NULL,
        "cpu_seconds" double precision NULL,
        "peak_rss_bytes" bigint NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        "finished_at" timestamptz NULL
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX "training_run_model_request_uq" ON ${s}."training_run" ("model_name", "request_id")`);
    await queryRunner.query(`CREATE UNIQUE INDEX "training_run_workflow_id_uq" ON ${s}."training_run" ("workflow_id")`);
    await queryRunner.query(`CREATE INDEX "training_run_model_created_idx" ON ${s}."training_run" ("model_name", "created_at" DESC)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE ${schemaOf(queryRunner)}."training_run"`);
  }
}
