import type { MigrationInterface, QueryRunner } from 'typeorm';

function schemaOf(queryRunner: QueryRunner): string {
  const s = (queryRunner.connection.driver as { schema?: string }).schema ?? 'public';
  return `"${s.replace(/"/g, '""')}"`;
}

/**
 * MLflow-compatible model versions (issue 14):
 * - `model_version.servable` / `not_servable_reason`: a version is registered from any source
 *   (as MLflow records it); only an ONNX artifact with a tensor signature found in the artifact
 *   store is servable, any other carries the reason serving refuses it with.
 * - `artifact_sha256` becomes nullable (a non-servable source has no verified bytes).
 * - `model_version.source` / `source_run_id`: MLflow's `source` and `run_id` exactly as given
 *   (null for versions registered through the native API: their source is the artifact URI and
 *   their run id the training run).
 * - `model_version.status` keeps MLflow's `ModelVersionStatus` (`PENDING_REGISTRATION`, `READY`,
 *   `FAILED_REGISTRATION`); `current_stage` MLflow's deprecated stage (`None`, `Staging`,
 *   `Production`, `Archived`), mapped onto aliases (see the MLflow API's transition-stage).
 * - `model_version.updated_at`: MLflow's `last_updated_timestamp` (null = `created_at`).
 * - The foreign keys on a model's name cascade updates, so `registered-models/rename` is one UPDATE.
 * - `UNIQUE (name, run_id)` holds for native registrations only (partial index `WHERE source IS
 *   NULL`): MLflow creates a new version on every call, also for a run already registered.
 * - `run.inputs` (jsonb list): the run's dataset inputs (MLflow `runs/log-inputs`).
 */
export class RegistryMlflowVersions1765040000000 implements MigrationInterface {
  name = 'RegistryMlflowVersions1765040000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    await queryRunner.query(`
      ALTER TABLE ${s}."model_version"
        ALTER COLUMN "artifact_sha256" DROP NOT NULL,
        ADD COLUMN IF NOT EXISTS "servable" boolean NOT NULL DEFAULT true,
        ADD COLUMN IF NOT EXISTS "not_servable_reason" text NULL,
        ADD COLUMN IF NOT EXISTS "source" text NULL,
        ADD COLUMN IF NOT EXISTS "source_run_id" text NULL,
        ADD COLUMN IF NOT EXISTS "current_stage" varchar(32) NOT NULL DEFAULT 'None',
        ADD COLUMN IF NOT EXISTS "updated_at" timestamptz NULL`);
    await queryRunner.query(`ALTER TABLE ${s}."run" ADD COLUMN IF NOT EXISTS "inputs" jsonb NOT NULL DEFAULT '[]'::jsonb`);
    await queryRunner.query(`ALTER TABLE ${s}."model_version" DROP CONSTRAINT "model_version_name_run_id_key"`);
    await queryRunner.query(`CREATE UNIQUE INDEX "model_version_name_run_id_key" ON ${s}."model_version" ("name", "run_id") WHERE "source" IS NULL`);
    await queryRunner.query(`CREATE INDEX IF NOT EXISTS "model_version_source_run_id_idx" ON ${s}."model_version" ("source_run_id")`);
    await queryRunner.query(`ALTER TABLE ${s}."model_version" DROP CONSTRAINT "model_version_name_fkey",
      ADD CONSTRAINT "model_version_name_fkey" FOREIGN KEY ("name") REFERENCES ${s}."registered_model" ("name") ON UPDATE CASCADE`);
    await queryRunner.query(`ALTER TABLE ${s}."model_alias" DROP CONSTRAINT "model_alias_version_fkey",
      ADD CONSTRAINT "model_alias_version_fkey" FOREIGN KEY ("name", "version") REFERENCES ${s}."model_version" ("name", "version") ON UPDATE CASCADE`);
    await queryRunner.query(`ALTER TABLE ${s}."model_rollout" DROP CONSTRAINT "model_rollout_model_name_fkey",
      ADD CONSTRAINT "model_rollout_model_name_fkey" FOREIGN KEY ("model_name") REFERENCES ${s}."registered_model" ("name") ON UPDATE CASCADE`);
    await queryRunner.query(`ALTER TABLE ${s}."promotion_policy" DROP CONSTRAINT "promotion_policy_name_fkey",
      ADD CONSTRAINT "promotion_policy_name_fkey" FOREIGN KEY ("name") REFERENCES ${s}."registered_model" ("name") ON DELETE CASCADE ON UPDATE CASCADE`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    await queryRunner.query(`ALTER TABLE ${s}."promotion_policy" DROP CONSTRAINT "promotion_policy_name_fkey",
      ADD CONSTRAINT "promotion_policy_name_fkey" FOREIGN KEY ("name") REFERENCES ${s}."registered_model" ("name") ON DELETE CASCADE`);
    await queryRunner.query(`ALTER TABLE ${s}."model_rollout" DROP CONSTRAINT "model_rollout_model_name_fkey",
      ADD CONSTRAINT "model_rollout_model_name_fkey" FOREIGN KEY ("model_name") REFERENCES ${s}."registered_model" ("name")`);
    await queryRunner.query(`ALTER TABLE ${s}."model_alias" DROP CONSTRAINT "model_alias_version_fkey",
      ADD CONSTRAINT "model_alias_version_fkey" FOREIGN KEY ("name", "version") REFERENCES ${s}."model_version" ("name", "version")`);
    await queryRunner.query(`ALTER TABLE ${s}."model_version" DROP CONSTRAINT "model_version_name_fkey",
      ADD CONSTRAINT "model_version_name_fkey" FOREIGN KEY ("name") REFERENCES ${s}."registered_model" ("name")`);
    await queryRunner.query(`DROP INDEX IF EXISTS ${s}."model_version_source_run_id_idx"`);
    await queryRunner.query(`ALTER TABLE ${s}."run" DROP COLUMN IF EXISTS "inputs"`);
    await queryRunner.query(`DROP INDEX IF EXISTS ${s}."model_version_name_run_id_key"`);
    await queryRunner.query(`DELETE FROM ${s}."model_version" WHERE "source" IS NOT NULL`);
    await queryRunner.query(`ALTER TABLE ${s}."model_version" ADD CONSTRAINT "model_version_name_run_id_key" UNIQUE ("name", "run_id")`);
    await queryRunner.query(`
      ALTER TABLE ${s}."model_version"
        ALTER COLUMN "artifact_sha256" SET NOT NULL,
        DROP COLUMN IF EXISTS "servable",
        DROP COLUMN IF EXISTS "not_servable_reason",
        DROP COLUMN IF EXISTS "source",
        DROP COLUMN IF EXISTS "source_run_id",
        DROP COLUMN IF EXISTS "current_stage",
        DROP COLUMN IF EXISTS "updated_at"`);
  }
}
