import type { MigrationInterface, QueryRunner } from 'typeorm';

function schemaOf(queryRunner: QueryRunner): string {
  const s = (queryRunner.connection.driver as { schema?: string }).schema ?? 'public';
  return `"${s.replace(/"/g, '""')}"`;
}

/**
 * `promotion_policy.fairness` (jsonb, null = no gate): the offline disparity gate of a promotion
 * policy (issue #17) — `{ segment, metric, maxWidening, maxValue, minValue, minCount }`, checked on
 * the versions' per-group evaluation (`lineage.evaluation.segments`).
 */
export class RegistryPromotionFairness1765080000000 implements MigrationInterface {
  name = 'RegistryPromotionFairness1765080000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE ${schemaOf(queryRunner)}."promotion_policy" ADD COLUMN IF NOT EXISTS "fairness" jsonb NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE ${schemaOf(queryRunner)}."promotion_policy" DROP COLUMN IF EXISTS "fairness"`);
  }
}
