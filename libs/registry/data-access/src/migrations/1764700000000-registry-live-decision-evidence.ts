import type { MigrationInterface, QueryRunner } from 'typeorm';

function schemaOf(queryRunner: QueryRunner): string {
  const s = (queryRunner.connection.driver as { schema?: string }).schema ?? 'public';
  return `"${s.replace(/"/g, '""')}"`;
}

/**
 * `promotion_decision.evidence` (jsonb, null for offline decisions): the live evidence of a
 * `live-rollout` decision — labels per version, the challenger's training data cutoff and how
 * many rollout predictions / labels each version had excluded as at or before it (issue #19).
 */
export class RegistryLiveDecisionEvidence1764700000000 implements MigrationInterface {
  name = 'RegistryLiveDecisionEvidence1764700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE ${schemaOf(queryRunner)}."promotion_decision" ADD COLUMN IF NOT EXISTS "evidence" jsonb NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE ${schemaOf(queryRunner)}."promotion_decision" DROP COLUMN IF EXISTS "evidence"`);
  }
}
