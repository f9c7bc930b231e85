import type { MigrationInterface, QueryRunner } from 'typeorm';

function schemaOf(queryRunner: QueryRunner): string {
  const s = (queryRunner.connection.driver as { schema?: string }).schema ?? (queryRunner.connection.options as { schema?: string }).schema ?? 'public';
  return `"${s.replace(/"/g, '""')}"`;
}

/**
 * Live rollout comparison after the challenger's training data (issue #19):
 * - `rollout_state.challenger_data_cutoff`: the latest event time in the challenger's training
 *   data, as the registry announced it on `model-rollout-changed` (null = unknown, nothing excluded);
 * - `prediction.rollout_excluded`: true when a rollout prediction's event time is at or before that
 *   cutoff — counted in the rollout's excluded window `rx:<rolloutId>` instead of `r:<rolloutId>`
 *   (null for predictions aggregated before this migration and outside rollouts: as before).
 */
export class MonitoringRolloutCutoff1733400000000 implements MigrationInterface {
  name = 'MonitoringRolloutCutoff1733400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    await queryRunner.query(`ALTER TABLE ${s}."rollout_state" ADD COLUMN IF NOT EXISTS "challenger_data_cutoff" timestamptz NULL`);
    await queryRunner.query(`ALTER TABLE ${s}."prediction" ADD COLUMN IF NOT EXISTS "rollout_excluded" boolean NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    await queryRunner.query(`ALTER TABLE ${s}."prediction" DROP COLUMN IF EXISTS "rollout_excluded"`);
    await queryRunner.query(`ALTER TABLE ${s}."rollout_state" DROP COLUMN IF EXISTS "challenger_data_cutoff"`);
  }
}
