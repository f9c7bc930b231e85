import type { MigrationInterface, QueryRunner } from 'typeorm';
import { InboxEventEntity, OutboxEventEntity } from './entities';

function schemaOf(queryRunner: QueryRunner): string {
  const driverSchema = (queryRunner.connection.driver as { schema?: string }).schema;
  const optionsSchema = (queryRunner.connection.options as { schema?: string }).schema;
  return driverSchema ?? optionsSchema ?? 'public';
}

function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * Creates `outbox_event` and `inbox_event` in the DataSource's schema
 * (`queryRunner.connection.driver.schema`, else `options.schema`, else `public`). The schema
 * itself must exist (the platform creates it before running migrations).
 */
export class MessagingTables1732900000000 implements MigrationInterface {
  name = 'MessagingTables1732900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = ident(schemaOf(queryRunner));
    await queryRunner.query(`
      CREATE TABLE IF NOT EXISTS ${s}."outbox_event" (
        "id" uuid PRIMARY KEY,
        "seq" bigint GENERATED ALWAYS AS IDENTITY,
        "topic" varchar(249) NOT NULL,
        "key" text NOT NULL,
        "headers" jsonb NOT NULL,
        "payload" bytea NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT clock_timestamp(),
        "sent_at" timestamptz NULL,
        "failed_at" timestamptz NULL,
        "attempts" integer NOT NULL DEFAULT 0,
        "last_error" text NULL
      )`);
    await queryRunner.query(
      `CREATE INDEX IF NOT EXISTS "outbox_event_unsent_idx" ON ${s}."outbox_event" ("created_at", "seq") WHERE sent_at IS NULL AND failed_at IS NULL`,
    );
    await queryRunner.query(`
      CREATE TABLE IF NOT EXISTS ${s}."inbox_event" (
        "consumer_group" varchar(255) NOT NULL,
        "event_id" varchar(255) NOT NULL,
        "topic" varchar(249) NOT NULL,
        "partition" integer NOT NULL,
        "offset" bigint NOT NULL,
        "processed_at" timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY ("consumer_group", "event_id")
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const s = ident(schemaOf(queryRunner));
    await queryRunner.query(`DROP TABLE IF EXISTS ${s}."inbox_event"`);
    await queryRunner.query(`DROP TABLE IF EXISTS ${s}."outbox_event"`);
  }
}

/** Entities to add to a service's DataSource `entities`. */
export const MESSAGING_ENTITIES: Array<typeof OutboxEventEntity | typeof InboxEventEntity> = [OutboxEventEntity, InboxEventEntity];

/** Migrations to add to a service's DataSource `migrations`. */
export const MESSAGING_MIGRATIONS: Array<typeof MessagingTables1732900000000> = [MessagingTables1732900000000];
