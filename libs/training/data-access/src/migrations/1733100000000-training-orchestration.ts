import type { MigrationInterface, QueryRunner } from 'typeorm';

function schemaOf(queryRunner: QueryRunner): string {
  return `"${(queryRunner.connection.driver.schema ?? 'public').replace(/"/g, '""')}"`;
}

/**
 * Issue 6 (training in depth): `training_run` gains `parent_search_id` (hyperparameter trials)
 * and `gpu_utilization_pct`; new tables `training_run_log` (captured stdout/stderr of external
 * trainers), `training_search` (hyperparameter searches) and `retraining_trigger` (why a
 * retraining started or was skipped).
 */
export class TrainingOrchestration1733100000000 implements MigrationInterface {
  name = 'TrainingOrchestration1733100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    await queryRunner.query(`ALTER TABLE ${s}."training_run" ADD COLUMN "parent_search_id" uuid NULL, ADD COLUMN "gpu_utilization_pct" double precision NULL`);
    await queryRunner.query(`CREATE INDEX "training_run_parent_search_idx" ON ${s}."training_run" ("parent_search_id") WHERE "parent_search_id" IS NOT NULL`);
    await queryRunner.query(`
      CREATE TABLE ${s}."training_run_log" (
        "id" bigserial PRIMARY KEY,
        "run_id" uuid NOT NULL,
        "attempt" integer NOT NULL,
        "stream" varchar(8) NOT NULL CHECK ("stream" IN ('stdout', 'stderr', 'system')),
        "chunk" text NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX "training_run_log_run_idx" ON ${s}."training_run_log" ("run_id", "id")`);
    await queryRunner.query(`
      CREATE TABLE ${s}."training_search" (
        "search_id" uuid PRIMARY KEY,
        "workflow_id" varchar(512) NOT NULL UNIQUE,
        "model_name" varchar(128) NOT NULL,
        "request_id" varchar(256) NOT NULL,
        "status" varchar(16) NOT NULL CHECK ("status" IN ('RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED')),
        "strategy" varchar(16) NOT NULL CHECK ("strategy" IN ('grid', 'random')),
        "metric" varchar(128) NOT NULL,
        "direction" varchar(8) NOT NULL CHECK ("direction" IN ('maximize', 'minimize')),
        "parallelism" integer NOT NULL,
        "spec" jsonb NOT NULL,
        "trial_count" integer NOT NULL,
        "completed_trials" integer NULL,
        "failed_trials" integer NULL,
        "best_run_id" uuid NULL,
        "best_metric" double precision NULL,
        "model_version" integer NULL,
        "error_code" varchar(128) NULL,
        "error_message" text NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "finished_at" timestamptz NULL
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX "training_search_model_request_uq" ON ${s}."training_search" ("model_name", "request_id")`);
    await queryRunner.query(`
      CREATE TABLE ${s}."retraining_trigger" (
        "trigger_id" uuid PRIMARY KEY,
        "model_name" varchar(128) NOT NULL,
        "source" varchar(16) NOT NULL CHECK ("source" IN ('drift', 'performance', 'schedule', 'manual')),
        "trigger_event_id" varchar(256) NOT NULL,
        "reason" text NOT NULL,
        "decision" varchar(20) NOT NULL CHECK ("decision" IN ('STARTED', 'SKIPPED_COOLDOWN', 'SKIPPED_RUNNING', 'SKIPPED_NO_RUN', 'SKIPPED_STALE', 'DISABLED')),
        "workflow_id" varchar(512) NULL,
        "run_id" uuid NULL,
        "status" varchar(16) NULL CHECK ("status" IS NULL OR "status" IN ('RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED')),
        "model_version" integer NULL,
        "error_message" text NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "finished_at" timestamptz NULL
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX "retraining_trigger_event_uq" ON ${s}."retraining_trigger" ("model_name", "source", "trigger_event_id")`);
    await queryRunner.query(`CREATE INDEX "retraining_trigger_model_created_idx" ON ${s}."retraining_trigger" ("model_name", "created_at" DESC)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    await queryRunner.query(`DROP TABLE ${s}."retraining_trigger"`);
    await queryRunner.query(`DROP TABLE ${s}."training_search"`);
    await queryRunner.query(`DROP TABLE ${s}."training_run_log"`);
    await queryRunner.query(`ALTER TABLE ${s}."training_run" DROP COLUMN "parent_search_id", DROP COLUMN "gpu_utilization_pct"`);
  }
}
