import type { MigrationInterface, QueryRunner } from 'typeorm';

function schemaOf(queryRunner: QueryRunner): string {
  const s = (queryRunner.connection.driver as { schema?: string }).schema ?? 'public';
  return `"${s.replace(/"/g, '""')}"`;
}

/**
 * Creates the registry tables in the DataSource's schema: `registered_model`, `model_version`
 * (PK `(name, version)`, UNIQUE `(name, run_id)`), `model_alias` (FK to the version it points at,
 * so an aliased version cannot be deleted), `model_alias_history` and the append-only
 * `audit_log` (UPDATE/DELETE rejected by a trigger).
 */
export class RegistryInitial1764460800000 implements MigrationInterface {
  name = 'RegistryInitial1764460800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    await queryRunner.query(`
      CREATE TABLE ${s}."registered_model" (
        "name" text PRIMARY KEY,
        "description" text NULL,
        "tags" jsonb NOT NULL DEFAULT '{}'::jsonb,
        "latest_version" integer NOT NULL DEFAULT 0 CHECK ("latest_version" >= 0),
        "created_at" timestamptz NOT NULL,
        "updated_at" timestamptz NOT NULL
      )`);
    await queryRunner.query(`
      CREATE TABLE ${s}."model_version" (
        "name" text NOT NULL REFERENCES ${s}."registered_model" ("name"),
        "version" integer NOT NULL CHECK ("version" >= 1),
        "run_id" text NOT NULL,
        "workflow_id" text NULL,
        "artifact_uri" text NOT NULL,
        "artifact_sha256" char(64) NOT NULL,
        "signature" jsonb NOT NULL,
        "metrics" jsonb NOT NULL,
        "params" jsonb NOT NULL,
        "lineage" jsonb NOT NULL,
        "reference_profile_uri" text NULL,
        "reference_profile_sha256" char(64) NULL,
        "status" varchar(32) NOT NULL DEFAULT 'READY',
        "description" text NULL,
        "tags" jsonb NOT NULL DEFAULT '{}'::jsonb,
        "created_by" text NOT NULL,
        "created_at" timestamptz NOT NULL,
        PRIMARY KEY ("name", "version"),
        CONSTRAINT "model_version_name_run_id_key" UNIQUE ("name", "run_id")
      )`);
    await queryRunner.query(`
      CREATE TABLE ${s}."model_alias" (
        "name" text NOT NULL,
        "alias" text NOT NULL,
        "version" integer NOT NULL,
        "updated_by" text NOT NULL,
        "updated_at" timestamptz NOT NULL,
        PRIMARY KEY ("name", "alias"),
        CONSTRAINT "model_alias_version_fkey" FOREIGN KEY ("name", "version") REFERENCES ${s}."model_version" ("name", "version")
      )`);
    await queryRunner.query(`CREATE INDEX "model_alias_version_idx" ON ${s}."model_alias" ("name", "version")`);
    await queryRunner.query(`
      CREATE TABLE ${s}."model_alias_history" (
        "id" bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        "name" text NOT NULL,
        "alias" text NOT NULL,
        "from_version" integer NULL,
        "to_version" integer NULL,
        "actor" text NOT NULL,
        "reason" text NOT NULL,
        "changed_at" timestamptz NOT NULL
      )`);
    await queryRunner.query(`CREATE INDEX "model_alias_history_name_alias_idx" ON ${s}."model_alias_history" ("name", "alias", "id")`);
    await queryRunner.query(`
      CREATE TABLE ${s}."audit_log" (
        "id" bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        "actor" text NOT NULL,
        "action" varchar(64) NOT NULL,
        "resource" text NOT NULL,
        "before" jsonb NULL,
        "after" jsonb NULL,
        "request_id" text NULL,
        "outcome" varchar(32) NOT NULL,
        "at" timestamptz NOT NULL DEFAULT clock_timestamp()
      )`);
    await queryRunner.query(`CREATE INDEX "audit_log_resource_idx" ON ${s}."audit_log" ("resource", "id")`);
    await queryRunner.query(`
      CREATE FUNCTION ${s}."audit_log_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER "audit_log_append_only" BEFORE UPDATE OR DELETE ON ${s}."audit_log"
      FOR EACH ROW EXECUTE FUNCTION ${s}."audit_log_append_only"()`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    await queryRunner.query(`DROP TABLE IF EXISTS ${s}."audit_log"`);
    await queryRunner.query(`DROP FUNCTION IF EXISTS ${s}."audit_log_append_only"()`);
    await queryRunner.query(`DROP TABLE IF EXISTS ${s}."model_alias_history"`);
    await queryRunner.query(`DROP TABLE IF EXISTS ${s}."model_alias"`);
    await queryRunner.query(`DROP TABLE IF EXISTS ${s}."model_version"`);
    await queryRunner.query(`DROP TABLE IF EXISTS ${s}."registered_model"`);
  }
}
