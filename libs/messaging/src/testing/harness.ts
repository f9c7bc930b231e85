/**
 * Test utilities for this lib's specs (not exported from the lib). Real Kafka and PostgreSQL
 * endpoints come from KAFKA_BROKERS / DATABASE_URL (the shared jest globalSetup, or .stack/env).
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { DataSource } from 'typeorm';
import type { Kafka } from 'kafkajs';
import { defineEvent } from '@strata/contracts';
import { createKafka } from '../core/kafka';
import { silentLogger } from '../core/logger';
import { MESSAGING_ENTITIES, MESSAGING_MIGRATIONS } from '../core/migrations';

export const REPO_ROOT = path.resolve(__dirname, '../../../..');

/** Endpoints of the real infrastructure. */
export function infra(): { brokers: string; databaseUrl: string } {
  const file = path.join(REPO_ROOT, '.stack/env');
  const fromFile: Record<string, string> = {};
  if (fs.existsSync(file)) {
    for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
      const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
      if (m) fromFile[m[1] as string] = m[2] as string;
    }
  }
  return {
    brokers: process.env.KAFKA_BROKERS ?? fromFile.KAFKA_BROKERS ?? '127.0.0.1:9092',
    databaseUrl: process.env.DATABASE_URL ?? fromFile.DATABASE_URL ?? 'postgres://strata:strata@127.0.0.1:5432/strata',
  };
}

/** A short unique lowercase id for topic, group and schema names. */
export function uniq(): string {
  return `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
}

/**
 * Polls `fn` until it returns without throwing (and, if it returns a boolean, returns true).
 *
 * @throws the last error when `timeoutMs` passes.
 */
export async function eventually<T>(fn: () => Promise<T> | T, timeoutMs = 30_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== false) return v;
      last = new Error('condition still false');
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw last;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** A Kafka client for tests (kafkajs logs off). */
export function testKafka(clientId: string): Kafka {
  return createKafka({ brokers: infra().brokers, clientId, logger: undefined });
}

/** Creates topics (and their .dlq) with leaders, for one test run. */
export async function createTopics(kafka: Kafka, topics: string[], partitions = 3): Promise<void> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    await admin.createTopics({
      waitForLeaders: true,
      topics: topics.flatMap((t) => [
        { topic: t, numPartitions: partitions, replicationFactor: 1 },
        { topic: `${t}.dlq`, numPartitions: 1, replicationFactor: 1 },
      ]),
    });
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** Deletes topics (and their .dlq); errors ignored. */
export async function deleteTopics(kafka: Kafka, topics: string[]): Promise<void> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    await admin.deleteTopics({ topics: topics.flatMap((t) => [t, `${t}.dlq`]), timeout: 10_000 });
  } catch {
    /* best effort */
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/**
 * A DataSource on a fresh schema with the messaging tables migrated, plus a `effect` table
 * (event_id, value) that test handlers write to.
 */
export async function createTestDataSource(schema: string, poolSize = 10): Promise<DataSource> {
  const { databaseUrl } = infra();
  const admin = new DataSource({ type: 'postgres', url: databaseUrl });
  await admin.initialize();
  await admin.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
  await admin.destroy();
  const ds = new DataSource({
    type: 'postgres',
    url: databaseUrl,
    schema,
    entities: [...MESSAGING_ENTITIES],
    migrations: [...MESSAGING_MIGRATIONS],
    migrationsTableName: 'migrations',
    extra: { max: poolSize },
  });
  await ds.initialize();
  await ds.runMigrations();
  await ds.query(`CREATE TABLE IF NOT EXISTS "${schema}".effect (event_id text NOT NULL, value text NOT NULL)`);
  return ds;
}

/** Drops a schema (cascade); errors ignored. */
export async function dropSchema(schema: string): Promise<void> {
  const admin = new DataSource({ type: 'postgres', url: infra().databaseUrl });
  try {
    await admin.initialize();
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } catch {
    /* best effort */
  } finally {
    if (admin.isInitialized) await admin.destroy();
  }
}

/** A throwaway contract on a unique topic `strata.test.<name>-<id>.v1`. */
export function testContract(name: string, id: string, partitions = 3) {
  return defineEvent({
    domain: 'test',
    event: `${name}-${id}`,
    version: 1,
    description: 'test event',
    partitions,
    schema: z.object({ id: z.string().min(1), key: z.string().min(1), n: z.number().int(), blob: z.string().optional() }),
    key: (v) => v.key,
    keyDescription: 'key',
    producers: ['test'],
    consumers: ['test'],
  });
}

export { silentLogger };
