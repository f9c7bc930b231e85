import type { MigrationInterface, QueryRunner } from 'typeorm';

function schemaOf(queryRunner: QueryRunner): string {
  const s = (queryRunner.connection.driver as { schema?: string }).schema ?? (queryRunner.connection.options as { schema?: string }).schema ?? 'public';
  return `"${s.replace(/"/g, '""')}"`;
}

/**
 * Feature services and push sources in the registry (`registry_object.kind`), materialization
 * mode (`full` / `range` / `incremental` / `push`), the watermark's `materialized_until` (end of
 * the covered event-time interval) and `version_event_range` (per dataset version and view: the
 * event-time range of the view's rows computed from that version alone, used to prune versions
 * for windowed runs).
 */
export class FeatureServicesIncremental1733300000000 implements MigrationInterface {
  name = 'FeatureServicesIncremental1733300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    await queryRunner.query(`ALTER TABLE ${s}."registry_object" DROP CONSTRAINT IF EXISTS "registry_object_kind_check"`);
    await queryRunner.query(
      `ALTER TABLE ${s}."registry_object" ADD CONSTRAINT "registry_object_kind_check" CHECK ("kind" IN ('entity', 'feature_view', 'on_demand_feature_view', 'training_set', 'feature_service', 'push_source'))`,
    );
    await queryRunner.query(`ALTER TABLE ${s}."materialization" ADD COLUMN "mode" varchar(16) NOT NULL DEFAULT 'full' CHECK ("mode" IN ('full', 'range', 'incremental', 'push'))`);
    await queryRunner.query(`ALTER TABLE ${s}."feature_view_watermark" ADD COLUMN "materialized_until" timestamptz NULL`);
    await queryRunner.query(`
      CREATE TABLE ${s}."version_event_range" (
        "dataset_name" varchar(128) NOT NULL,
        "version_id" varchar(256) NOT NULL,
        "feature_view" varchar(128) NOT NULL,
        "definition_hash" char(64) NOT NULL,
        "min_event_time" timestamptz NULL,
        "max_event_time" timestamptz NULL,
        "row_count" bigint NOT NULL,
        PRIMARY KEY ("dataset_name", "version_id", "feature_view", "definition_hash")
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    await queryRunner.query(`DROP TABLE IF EXISTS ${s}."version_event_range"`);
    await queryRunner.query(`ALTER TABLE ${s}."feature_view_watermark" DROP COLUMN IF EXISTS "materialized_until"`);
    await queryRunner.query(`ALTER TABLE ${s}."materialization" DROP COLUMN IF EXISTS "mode"`);
    await queryRunner.query(`ALTER TABLE ${s}."registry_object" DROP CONSTRAINT IF EXISTS "registry_object_kind_check"`);
    await queryRunner.query(
      `ALTER TABLE ${s}."registry_object" ADD CONSTRAINT "registry_object_kind_check" CHECK ("kind" IN ('entity', 'feature_view', 'on_demand_feature_view', 'training_set'))`,
    );
  }
}
