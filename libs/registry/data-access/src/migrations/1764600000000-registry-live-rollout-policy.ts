import type { MigrationInterface, QueryRunner } from 'typeorm';

function schemaOf(queryRunner: QueryRunner): string {
  const s = (queryRunner.connection.driver as { schema?: string }).schema ?? 'public';
  return `"${s.replace(/"/g, '""')}"`;
}

/**
 * Closed loop: `promotion_policy.rollout` (jsonb, null = no automatic rollout) — when set, a new
 * `challenger` starts a canary/shadow rollout instead of an offline decision, and the live
 * comparison on that rollout's traffic decides promotion or rollback.
 */
export class RegistryLiveRolloutPolicy1764600000000 implements MigrationInterface {
  name = 'RegistryLiveRolloutPolicy1764600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    await queryRunner.query(`ALTER TABLE ${s}."promotion_policy" ADD COLUMN "rollout" jsonb NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    await queryRunner.query(`ALTER TABLE ${s}."promotion_policy" DROP COLUMN IF EXISTS "rollout"`);
  }
}
