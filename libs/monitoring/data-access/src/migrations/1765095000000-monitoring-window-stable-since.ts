import type { MigrationInterface, QueryRunner } from 'typeorm';

function schemaOf(queryRunner: QueryRunner): string {
  const s = (queryRunner.connection.driver as { schema?: string }).schema ?? (queryRunner.connection.options as { schema?: string }).schema ?? 'public';
  return `"${s.replace(/"/g, '""')}"`;
}

/**
 * `window_report.stable_since`: since when a window's prediction and label counts have been
 * unchanged, so a closed window that is still filling (late events, a replay of history) is not
 * judged — and its once-only alert decided — on partial data (`MONITORING_SETTLE_SECONDS`).
 * Existing rows count as stable since their last computation.
 */
export class MonitoringWindowStableSince1765095000000 implements MigrationInterface {
  name = 'MonitoringWindowStableSince1765095000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    await queryRunner.query(`ALTER TABLE ${s}."window_report" ADD COLUMN IF NOT EXISTS "stable_since" timestamptz NULL`);
    await queryRunner.query(`UPDATE ${s}."window_report" SET "stable_since" = "computed_at" WHERE "stable_since" IS NULL`);
    await queryRunner.query(`ALTER TABLE ${s}."window_report" ALTER COLUMN "stable_since" SET NOT NULL, ALTER COLUMN "stable_since" SET DEFAULT now()`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    await queryRunner.query(`ALTER TABLE ${s}."window_report" DROP COLUMN IF EXISTS "stable_since"`);
  }
}
