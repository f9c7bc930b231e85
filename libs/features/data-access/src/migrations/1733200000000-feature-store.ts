import type { MigrationInterface, QueryRunner } from 'typeorm';

function schemaOf(queryRunner: QueryRunner): string {
  const s = (queryRunner.connection.driver as { schema?: string }).schema ?? (queryRunner.connection.options as { schema?: string }).schema ?? 'public';
  return `"${s.replace(/"/g, '""')}"`;
}

/**
 * Feature store tables: registry (`registry_object`), dataset versions seen from events
 * (`known_dataset_version`), `materialization`, the online store (`online_feature`),
 * `training_set_build` and `feature_view_watermark`.
 */
export class FeatureStore1733200000000 implements MigrationInterface {
  name = 'FeatureStore1733200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    await queryRunner.query(`
      CREATE TABLE ${s}."registry_object" (
        "kind" varchar(32) NOT NULL CHECK ("kind" IN ('entity', 'feature_view', 'on_demand_feature_view', 'training_set')),
        "name" varchar(128) NOT NULL,
        "definition" jsonb NOT NULL,
        "content_hash" char(64) NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY ("kind", "name")
      )`);
    await queryRunner.query(`
      CREATE TABLE ${s}."known_dataset_version" (
        "dataset_name" varchar(128) NOT NULL,
        "version_id" varchar(256) NOT NULL,
        "content_sha256" char(64) NOT NULL,
        "uri" text NOT NULL,
        "row_count" bigint NOT NULL,
        "version_created_at" timestamptz NOT NULL,
        "received_at" timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY ("dataset_name", "version_id")
      )`);
    await queryRunner.query(`
      CREATE TABLE ${s}."materialization" (
        "id" varchar(64) PRIMARY KEY,
        "feature_view" varchar(128) NOT NULL,
        "dataset_versions" jsonb NOT NULL,
        "start_time" timestamptz NOT NULL,
        "end_time" timestamptz NOT NULL,
        "status" varchar(16) NOT NULL CHECK ("status" IN ('RUNNING', 'SUCCEEDED', 'FAILED')),
        "row_count" bigint NULL,
        "online_row_count" bigint NULL,
        "offline_uri" text NULL,
        "offline_sha256" char(64) NULL,
        "min_event_time" timestamptz NULL,
        "max_event_time" timestamptz NULL,
        "error" text NULL,
        "trigger" text NULL,
        "started_at" timestamptz NOT NULL,
        "completed_at" timestamptz NULL
      )`);
    await queryRunner.query(`CREATE INDEX "materialization_view_started_idx" ON ${s}."materialization" ("feature_view", "started_at")`);
    await queryRunner.query(`
      CREATE TABLE ${s}."online_feature" (
        "feature_view" varchar(128) NOT NULL,
        "entity_key" text NOT NULL,
        "features" jsonb NOT NULL,
        "event_timestamp" timestamptz NOT NULL,
        "created_timestamp" timestamptz NOT NULL,
        PRIMARY KEY ("feature_view", "entity_key")
      )`);
    await queryRunner.query(`
      CREATE TABLE ${s}."training_set_build" (
        "id" uuid PRIMARY KEY,
        "definition_name" varchar(128) NOT NULL,
        "dataset_versions" jsonb NOT NULL,
        "feature_refs" jsonb NOT NULL,
        "feature_views" jsonb NOT NULL DEFAULT '[]'::jsonb,
        "status" varchar(16) NOT NULL CHECK ("status" IN ('RUNNING', 'SUCCEEDED', 'FAILED')),
        "output_key" text NOT NULL,
        "uri" text NULL,
        "sha256" char(64) NULL,
        "row_count" bigint NULL,
        "columns" jsonb NULL,
        "error" text NULL,
        "created_at" timestamptz NOT NULL,
        "completed_at" timestamptz NULL
      )`);
    await queryRunner.query(`
      CREATE TABLE ${s}."feature_view_watermark" (
        "feature_view" varchar(128) PRIMARY KEY,
        "max_event_time" timestamptz NULL,
        "materialization_id" varchar(64) NOT NULL,
        "updated_at" timestamptz NOT NULL
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    for (const t of ['feature_view_watermark', 'training_set_build', 'online_feature', 'materialization', 'known_dataset_version', 'registry_object']) {
      await queryRunner.query(`DROP TABLE IF EXISTS ${s}."${t}"`);
    }
  }
}
