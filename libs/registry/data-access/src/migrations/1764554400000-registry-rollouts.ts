import type { MigrationInterface, QueryRunner } from 'typeorm';

function schemaOf(queryRunner: QueryRunner): string {
  const s = (queryRunner.connection.driver as { schema?: string }).schema ?? 'public';
  return `"${s.replace(/"/g, '""')}"`;
}

/**
 * Creates `model_rollout` (canary/shadow rollouts of a model). A partial unique index allows at
 * most one `active` rollout per model, so two concurrent starts cannot both succeed.
 */
export class RegistryRollouts1764554400000 implements MigrationInterface {
  name = 'RegistryRollouts1764554400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    await queryRunner.query(`
      CREATE TABLE ${s}."model_rollout" (
        "rollout_id" uuid PRIMARY KEY,
        "model_name" text NOT NULL REFERENCES ${s}."registered_model" ("name"),
        "status" varchar(32) NOT NULL CHECK ("status" IN ('active', 'rolled-back', 'promoted', 'ended')),
        "mode" varchar(16) NOT NULL CHECK ("mode" IN ('canary', 'shadow')),
        "champion_version" integer NOT NULL,
        "challenger_version" integer NOT NULL,
        "challenger_weight" double precision NOT NULL CHECK ("challenger_weight" >= 0 AND "challenger_weight" <= 1),
        "sticky_key" text NULL,
        "started_by" text NOT NULL,
        "start_reason" text NOT NULL,
        "started_at" timestamptz NOT NULL,
        "updated_at" timestamptz NOT NULL,
        "ended_by" text NULL,
        "end_reason" text NULL,
        "ended_at" timestamptz NULL
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX "model_rollout_one_active_idx" ON ${s}."model_rollout" ("model_name") WHERE "status" = 'active'`);
    await queryRunner.query(`CREATE INDEX "model_rollout_model_started_idx" ON ${s}."model_rollout" ("model_name", "started_at")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE ${schemaOf(queryRunner)}."model_rollout"`);
  }
}
