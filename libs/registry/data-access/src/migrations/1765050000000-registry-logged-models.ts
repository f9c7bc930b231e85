import type { MigrationInterface, QueryRunner } from 'typeorm';

function schemaOf(queryRunner: QueryRunner): string {
  const s = (queryRunner.connection.driver as { schema?: string }).schema ?? 'public';
  return `"${s.replace(/"/g, '""')}"`;
}

/**
 * MLflow 3 logged models (`/api/2.0/mlflow/logged-models`):
 * - `logged_model`: one model logged in an experiment (id `m-<32 hex>`, name, artifact location
 *   `<experiment artifact location>/models/<id>/artifacts`, status PENDING/READY/UPLOAD_FAILED,
 *   source run, params and tags as jsonb, soft delete by lifecycle stage);
 * - `run_model_output`: `runs/outputs` — which logged models a run produced, at which step.
 */
export class RegistryLoggedModels1765050000000 implements MigrationInterface {
  name = 'RegistryLoggedModels1765050000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    await queryRunner.query(`
      CREATE TABLE ${s}."logged_model" (
        "model_id" text PRIMARY KEY,
        "experiment_id" bigint NOT NULL REFERENCES ${s}."experiment" ("experiment_id"),
        "name" text NOT NULL,
        "artifact_location" text NOT NULL,
        "status" varchar(32) NOT NULL CHECK ("status" IN ('LOGGED_MODEL_PENDING', 'LOGGED_MODEL_READY', 'LOGGED_MODEL_UPLOAD_FAILED')),
        "status_message" text NULL,
        "model_type" text NULL,
        "source_run_id" text NULL,
        "created_by" text NOT NULL,
        "params" jsonb NOT NULL DEFAULT '{}'::jsonb,
        "tags" jsonb NOT NULL DEFAULT '{}'::jsonb,
        "lifecycle_stage" varchar(16) NOT NULL DEFAULT 'active',
        "creation_timestamp_ms" bigint NOT NULL,
        "last_updated_timestamp_ms" bigint NOT NULL
      )`);
    await queryRunner.query(`CREATE INDEX "logged_model_experiment_idx" ON ${s}."logged_model" ("experiment_id", "creation_timestamp_ms" DESC, "model_id")`);
    await queryRunner.query(`CREATE INDEX "logged_model_source_run_idx" ON ${s}."logged_model" ("source_run_id")`);
    await queryRunner.query(`
      CREATE TABLE ${s}."run_model_output" (
        "run_id" text NOT NULL REFERENCES ${s}."run" ("run_id") ON DELETE CASCADE,
        "model_id" text NOT NULL REFERENCES ${s}."logged_model" ("model_id") ON DELETE CASCADE,
        "step" bigint NOT NULL DEFAULT 0,
        PRIMARY KEY ("run_id", "model_id", "step")
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    await queryRunner.query(`DROP TABLE IF EXISTS ${s}."run_model_output"`);
    await queryRunner.query(`DROP TABLE IF EXISTS ${s}."logged_model"`);
  }
}
