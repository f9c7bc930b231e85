import type { MigrationInterface, QueryRunner } from 'typeorm';

function schemaOf(queryRunner: QueryRunner): string {
  const s = (queryRunner.connection.driver as { schema?: string }).schema ?? 'public';
  return `"${s.replace(/"/g, '""')}"`;
}

/**
 * Indexes of the MLflow registry search (issue 15, measured with EXPLAIN ANALYZE on 1,000 models × 20
 * versions; docs/benchmarks.md, Registry):
 * - `model_version_name_stage_version_idx` `(name, current_stage, version DESC)`: MLflow's
 *   `latest_versions` (newest version per model and stage, RegistryStore.latestPerStage) becomes a
 *   skip scan of the distinct stages plus one index lookup per (model, stage), instead of a
 *   sequential scan and sort of every version;
 * - `model_version_mlflow_run_id_idx` `(COALESCE(source_run_id, run_id))`: `model-versions/search`
 *   `run_id = '…'` compares MLflow's run id, that expression (`model_version_run_id_idx` on
 *   `run_id` alone cannot serve it);
 * - `registered_model_name_c_idx` `(name COLLATE "C")`: `registered-models/search` sorts by
 *   `name COLLATE "C"` (MLflow's byte order), and a `name LIKE 'prefix%'` becomes an index range
 *   only under the C collation.
 */
export class RegistrySearchIndexes1765200000000 implements MigrationInterface {
  name = 'RegistrySearchIndexes1765200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    await queryRunner.query(`CREATE INDEX IF NOT EXISTS "model_version_name_stage_version_idx" ON ${s}."model_version" ("name", "current_stage", "version" DESC)`);
    await queryRunner.query(`CREATE INDEX IF NOT EXISTS "model_version_mlflow_run_id_idx" ON ${s}."model_version" ((COALESCE("source_run_id", "run_id")))`);
    await queryRunner.query(`CREATE INDEX IF NOT EXISTS "registered_model_name_c_idx" ON ${s}."registered_model" ("name" COLLATE "C")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    await queryRunner.query(`DROP INDEX IF EXISTS ${s}."registered_model_name_c_idx"`);
    await queryRunner.query(`DROP INDEX IF EXISTS ${s}."model_version_mlflow_run_id_idx"`);
    await queryRunner.query(`DROP INDEX IF EXISTS ${s}."model_version_name_stage_version_idx"`);
  }
}
