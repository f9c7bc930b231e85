import type { MigrationInterface, QueryRunner } from 'typeorm';

function schemaOf(queryRunner: QueryRunner): string {
  return `"${(queryRunner.connection.driver.schema ?? 'public').replace(/"/g, '""')}"`;
}

/**
 * Issue 6/7 (experiment tracking): every `training_run` is mirrored as a tracked run in the
 * registry's tracking API. New nullable columns:
 * - `tracked_run_id`: the registry's run id (32 hex), set once the tracked run exists (retries
 *   reuse it instead of creating another);
 * - `tracking_synced_at`: when the final state (params, metrics, status, artifact, log tail) was
 *   written to the tracked run; null while pending;
 * - `trainer_progress`: per-iteration progress the trainer reported (`{loss: [..]}`), logged as
 *   step series;
 * - `triggered_by`: who asked for the run (principal id / actor; null → derived from the reason).
 */
export class TrainingRunTracking1733200000000 implements MigrationInterface {
  name = 'TrainingRunTracking1733200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    await queryRunner.query(
      `ALTER TABLE ${s}."training_run" ADD COLUMN "tracked_run_id" varchar(64) NULL, ADD COLUMN "tracking_synced_at" timestamptz NULL, ADD COLUMN "trainer_progress" jsonb NULL, ADD COLUMN "triggered_by" varchar(256) NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    await queryRunner.query(
      `ALTER TABLE ${s}."training_run" DROP COLUMN "triggered_by", DROP COLUMN "trainer_progress", DROP COLUMN "tracking_synced_at", DROP COLUMN "tracked_run_id"`,
    );
  }
}
