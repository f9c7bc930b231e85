/**
 * TLS and SASL against REAL servers started by this test (tools/security scripts; ports 29432,
 * 29092-29093, 29443), stopped afterwards:
 * - PostgreSQL that only accepts TLS: DatabaseService connects with `sslmode=verify-full` and the
 *   generated CA (pg_stat_ssl says ssl = true); without TLS the server refuses; with the wrong CA
 *   the client refuses.
 * - Kafka with a SASL_PLAINTEXT listener: PLAIN and SCRAM-SHA-256 from `kafkaSecurityFromEnv`
 *   produce and consume; a wrong password and no SASL fail.
 * - HTTPS: `bootstrapService` serves TLS from STRATA_HTTP_TLS_CERT_FILE/KEY_FILE.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { Controller, Get, Module } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { kafkaSecurityFromEnv } from '@strata/shared/auth';
import { repoRoot } from '@strata/shared/testing';
import { Kafka, logLevel } from 'kafkajs';
import { LoggerModule } from 'nestjs-pino';
import { DataSource } from 'typeorm';
import { bootstrapService } from '../bootstrap';
import { DatabaseService, createDataSourceOptions } from '../database/database.service';
import { createLoggerParams } from '../logging/logging';

jest.setTimeout(180_000);

const script = (name: string, cmd: string): Record<string, string> => {
  const out = execFileSync('bash', [path.join(repoRoot, 'tools/security', name), cmd], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return Object.fromEntries(
    out
      .split('\n')
      .filter((l) => l.includes('='))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
};

let pg: Record<string, string>;
let kafka: Record<string, string>;

beforeAll(() => {
  pg = script('tls-postgres.sh', 'up');
  kafka = script('kafka-sasl.sh', 'up');
});

afterAll(() => {
  script('tls-postgres.sh', 'down');
  script('kafka-sasl.sh', 'down');
});

describe('PostgreSQL over TLS', () => {
  it('connects with verify-full and the generated CA, and the session is encrypted', async () => {
    const url = `${pg['PG_TLS_URL']}?sslmode=verify-full&sslrootcert=${encodeURIComponent(pg['PG_TLS_CA_FILE'] ?? '')}`;
    const options = { url, schema: 'tls_it', entities: [], migrations: [], startupWaitMs: 20_000 };
    const db = new DatabaseService(options, new DataSource(createDataSourceOptions(options)));
    await db.onModuleInit();
    try {
      await db.whenReady();
      const rows: Array<{ ssl: boolean; version: string }> = await db.getDataSource().query('SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()');
      expect(rows[0]?.ssl).toBe(true);
      expect(rows[0]?.version).toMatch(/^TLSv1\.[23]$/);
    } finally {
      await db.onApplicationShutdown();
    }
  });

  it('is refused without TLS by the server, and with the wrong CA by the client', async () => {
    const tryUrl = async (url: string): Promise<string> => {
      const ds = new DataSource({ type: 'postgres', url, extra: { connectionTimeoutMillis: 5000 } });
      try {
        await ds.initialize();
        await ds.destroy();
        return 'connected';
      } catch (e) {
        return (e as Error).message;
      }
    };
    expect(await tryUrl(`${pg['PG_TLS_URL']}?sslmode=disable`)).toMatch(/no encryption/);
    expect(await tryUrl(`${pg['PG_TLS_URL']}?sslmode=verify-full&sslrootcert=${encodeURIComponent(pg['PG_TLS_WRONG_CA_FILE'] ?? '')}`)).toMatch(/self.signed certificate|unable to verify/);
  });
});

describe('Kafka with SASL', () => {
  const brokers = (): string[] => [kafka['KAFKA_SASL_BROKERS'] ?? ''];
  const roundTrip = async (mechanism: string, password: string): Promise<string> => {
    const security = kafkaSecurityFromEnv({ KAFKA_SASL_MECHANISM: mechanism, KAFKA_SASL_USERNAME: 'strata', KAFKA_SASL_PASSWORD: password });
    const client = new Kafka({ clientId: 'sasl-it', brokers: brokers(), logLevel: logLevel.NOTHING, retry: { retries: 2 }, connectionTimeout: 5000, ...security });
    const topic = `sasl-it-${mechanism}-${Date.now()}`;
    const producer = client.producer();
    const consumer = client.consumer({ groupId: `${topic}-g` });
    const admin = client.admin();
    try {
      // Create the topic and wait for its leader (auto-creation races the first send under load:
      // "This server does not host this topic-partition").
      await admin.connect();
      await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true });
      await admin.disconnect();
      await producer.connect();
      await producer.send({ topic, messages: [{ key: 'k', value: `hello over ${mechanism}` }] });
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      return await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no message within 30 s')), 30_000);
        void consumer.run({
          eachMessage: async ({ message }) => {
            clearTimeout(timer);
            resolve(message.value?.toString() ?? '');
          },
        });
      });
    } finally {
      await consumer.disconnect().catch(() => undefined);
      await producer.disconnect().catch(() => undefined);
      await admin.disconnect().catch(() => undefined);
    }
  };

  it('produces and consumes with PLAIN and with SCRAM-SHA-256', async () => {
    expect(await roundTrip('plain', kafka['KAFKA_SASL_PASSWORD'] ?? '')).toBe('hello over plain');
    expect(await roundTrip('scram-sha-256', kafka['KAFKA_SASL_PASSWORD'] ?? '')).toBe('hello over scram-sha-256');
  });

  it('fails with a wrong password and without SASL', async () => {
    await expect(roundTrip('plain', 'wrong-password')).rejects.toThrow(/SASL PLAIN authentication failed|Authentication failed/i);
    const plain = new Kafka({ clientId: 'sasl-it', brokers: brokers(), logLevel: logLevel.NOTHING, retry: { retries: 0 }, connectionTimeout: 3000, requestTimeout: 3000 });
    const admin = plain.admin();
    await expect(admin.connect().then(() => admin.listTopics())).rejects.toThrow();
    await admin.disconnect().catch(() => undefined);
  });
});

describe('HTTPS', () => {
  @Controller()
  class PingController {
    @Get('ping')
    ping(): { pong: true } {
      return { pong: true };
    }
  }
  @Module({ imports: [LoggerModule.forRoot(createLoggerParams('tls-it', '0', 'silent'))], controllers: [PingController] })
  class PingModule {}

  it('serves TLS from STRATA_HTTP_TLS_CERT_FILE/KEY_FILE', async () => {
    const certDir = path.dirname(pg['PG_TLS_CA_FILE'] ?? '');
    process.env['STRATA_HTTP_TLS_CERT_FILE'] = path.join(certDir, 'server.crt');
    process.env['STRATA_HTTP_TLS_KEY_FILE'] = path.join(certDir, 'server.key');
    process.env['STRATA_AUTH_MODE'] = 'enforce'; // also: no public OpenAPI under enforce
    let app: NestFastifyApplication | undefined;
    try {
      app = await bootstrapService(PingModule, { name: 'tls-it', description: 'tls', version: '0', port: 29443, host: '127.0.0.1' });
      const body = await new Promise<string>((resolve, reject) => {
        https
          .get({ host: '127.0.0.1', port: 29443, path: '/ping', ca: fs.readFileSync(pg['PG_TLS_CA_FILE'] ?? '') }, (res) => {
            let text = '';
            res.on('data', (d: Buffer) => (text += d.toString()));
            res.on('end', () => resolve(`${res.statusCode} ${text}`));
          })
          .on('error', reject);
      });
      expect(body).toBe('200 {"pong":true}');
      await expect(fetch('http://127.0.0.1:29443/ping')).rejects.toThrow();
      const docs = await new Promise<number>((resolve, reject) => {
        https.get({ host: '127.0.0.1', port: 29443, path: '/docs-json', ca: fs.readFileSync(pg['PG_TLS_CA_FILE'] ?? '') }, (res) => resolve(res.statusCode ?? 0)).on('error', reject);
      });
      expect(docs).toBe(404);
    } finally {
      delete process.env['STRATA_HTTP_TLS_CERT_FILE'];
      delete process.env['STRATA_HTTP_TLS_KEY_FILE'];
      delete process.env['STRATA_AUTH_MODE'];
      await app?.close();
    }
  });
});
