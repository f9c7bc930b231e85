import type { MigrationInterface, QueryRunner } from 'typeorm';

function schemaOf(queryRunner: QueryRunner): string {
  const s = (queryRunner.connection.driver as { schema?: string }).schema ?? (queryRunner.connection.options as { schema?: string }).schema ?? 'public';
  return `"${s.replace(/"/g, '""')}"`;
}

/** Creates `dataset` and `dataset_version` (unique per dataset and version id) in the service schema. */
export class Datasets1733100000000 implements MigrationInterface {
  name = 'Datasets1733100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    await queryRunner.query(`
      CREATE TABLE ${s}."dataset" (
        "name" varchar(128) PRIMARY KEY,
        "spec" jsonb NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE ${s}."dataset_version" (
        "id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        "dataset_name" varchar(128) NOT NULL REFERENCES ${s}."dataset" ("name"),
        "version_id" varchar(64) NOT NULL,
        "content_sha256" char(64) NOT NULL,
        "uri" text NOT NULL,
        "manifest_uri" text NOT NULL,
        "row_count" bigint NOT NULL,
        "size_bytes" bigint NOT NULL,
        "schema" jsonb NOT NULL,
        "profile" jsonb NOT NULL,
        "validation" jsonb NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX "dataset_version_dataset_version_uq" ON ${s}."dataset_version" ("dataset_name", "version_id")`);
    await queryRunner.query(`CREATE INDEX "dataset_version_dataset_created_idx" ON ${s}."dataset_version" ("dataset_name", "created_at")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    await queryRunner.query(`DROP TABLE IF EXISTS ${s}."dataset_version"`);
    await queryRunner.query(`DROP TABLE IF EXISTS ${s}."dataset"`);
  }
}
