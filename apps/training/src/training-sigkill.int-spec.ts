/**
 * A worker killed with SIGKILL mid-training (while the train activity heartbeats): after a new
 * worker process starts on the same task queue, the run completes and exactly one model version
 * is registered. Real PostgreSQL, Kafka and Temporal; the trainer is the sklearn example (it
 * sleeps first so the kill lands inside the train activity); features/registry/ingestion are
 * local HTTP fakes.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { Client as PgClient } from 'pg';
import { eventually, infraEnv, pythonFor, repoRoot, startService, uniqueName, waitReady, type RunningService } from '@strata/shared/testing';

jest.setTimeout(300_000);

type Json = Record<string, unknown>;

async function json(method: string, url: string, body?: unknown): Promise<{ status: number; body: Json }> {
  const res = await fetch(url, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Json };
}

describe('training worker SIGKILL mid-training (real Temporal)', () => {
  const env = infraEnv();
  const schema = uniqueName('training_kill');
  const taskQueue = uniqueName('strata-training-kill');
  const portA = 25500 + Math.floor(Math.random() * 200);
  const portB = portA + 200;
  let dataDir: string;
  const services: RunningService[] = [];
  const servers: http.Server[] = [];
  const registrations: Array<{ key: string }> = [];
  let serviceEnv: Record<string, string>;

  beforeAll(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'strata-training-kill-'));
    const file = path.join(dataDir, 'ts.parquet');
    const db = await DuckDBInstance.create(':memory:');
    const c = await db.connect();
    await c.run(`SET TimeZone='UTC'`);
    await c.run(`COPY (
        SELECT TIMESTAMPTZ '2020-01-01 00:00:00+00' + to_minutes(i * 10) AS event_timestamp,
               ((i * 7919) % 1000) / 100.0 AS trip_request__trip_distance,
               ((i * 31) % 24)::INTEGER AS trip_request__pickup_hour,
               (((i * 31) % 24) < 10 OR ((i * 2654435761) % 1000) < 150) AS label
        FROM range(3000) t(i)) TO '${file}' (FORMAT parquet)`);
    c.closeSync();
    db.closeSync();
    const sha256 = createHash('sha256').update(await fs.readFile(file)).digest('hex');
    const serve = async (handler: (req: http.IncomingMessage) => { status: number; body: unknown }) => {
      const server = http.createServer((req, res) => {
        req.resume();
        req.on('end', () => {
          const out = handler(req);
          res.writeHead(out.status, { 'content-type': 'application/json' }).end(JSON.stringify(out.body));
        });
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      servers.push(server);
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    };
    const featuresUrl = await serve((req) =>
      req.method === 'POST'
        ? { status: 202, body: { id: 'ts-1', status: 'RUNNING' } }
        : { status: 200, body: { id: 'ts-1', status: 'SUCCEEDED', uri: pathToFileURL(file).href, sha256, rowCount: 3000, columns: ['event_timestamp', 'trip_request__trip_distance', 'trip_request__pickup_hour', 'label'], featureRefs: ['trip_request:trip_distance', 'trip_request:pickup_hour'] } },
    );
    const versionOf = new Map<string, number>();
    const registryUrl = await serve((req) => {
      // experiment tracking (not part of this test) is down here: best-effort, never fails the run
      if (/^\/(experiments|runs)(\/|\?|$)/.test(req.url ?? '')) return { status: 503, body: { error: 'tracking is down (test)' } };
      // the evaluate step reads the model's promotion policy (its fairness segment): none here
      if (req.method === 'GET' && (req.url ?? '').endsWith('/promotion-policy')) return { status: 404, body: { error: 'no promotion policy (test)' } };
      const key = String(req.headers['idempotency-key']);
      registrations.push({ key });
      if (!versionOf.has(key)) versionOf.set(key, versionOf.size + 1);
      return { status: 201, body: { name: 'taxi-kill', version: versionOf.get(key) } };
    });
    const ingestionUrl = await serve(() => ({ status: 200, body: { contentSha256: 'c'.repeat(64) } }));
    serviceEnv = {
      DATABASE_URL: env.databaseUrl,
      KAFKA_BROKERS: env.kafkaBrokers.join(','),
      TEMPORAL_ADDRESS: env.temporalAddress,
      TEMPORAL_NAMESPACE: env.temporalNamespace,
      TRAINING_DB_SCHEMA: schema,
      TRAINING_TASK_QUEUE: taskQueue,
      TRAINING_KAFKA_GROUP_ID: uniqueName('training-kill'),
      STRATA_DATA_DIR: dataDir,
      FEATURES_URL: featuresUrl,
      REGISTRY_URL: registryUrl,
      INGESTION_URL: ingestionUrl,
      TRAINING_COMMAND_TRAINERS: JSON.stringify({ 'sklearn-logistic': [pythonFor('sklearn'), path.join(repoRoot, 'examples/trainers/sklearn-logistic/train.py')] }),
      // A dead worker's train activity times out after 5 s without heartbeats, then is retried.
      TRAINING_HEARTBEAT_TIMEOUT_SECONDS: '5',
      TRAINING_RETRY_INITIAL_SECONDS: '0.5',
    };
  });

  afterAll(async () => {
    for (const s of services) await s.stop().catch(() => undefined);
    for (const s of servers) await new Promise((r) => s.close(r));
    const pg = new PgClient({ connectionString: env.databaseUrl });
    await pg.connect();
    await pg.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await pg.end();
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  it('completes on a new worker and registers exactly one version', async () => {
    const a = startService('training', portA, serviceEnv);
    services.push(a);
    await waitReady(a);
    const started = await json('POST', `http://127.0.0.1:${portA}/training-runs`, {
      modelName: 'taxi-kill',
      trainer: 'command:sklearn-logistic',
      params: { sleep_seconds: 4 },
      trainingSet: 'big_tipper',
      trainDatasetVersions: [{ datasetName: 'nyc_taxi_trips', versionId: 'v1' }],
      evaluation: { splitTime: '2020-01-17T00:00:00Z' },
      requestId: uniqueName('kill'),
    });
    expect(started.status).toBe(202);
    const runId = String(started.body['runId']);
    const logsUrl = (port: number) => `http://127.0.0.1:${port}/training-runs/${runId}/logs`;
    // Mid-training: the trainer process is running and the activity heartbeats.
    await eventually(async () => expect(String((await json('GET', logsUrl(portA))).body['text'])).toContain('sleeping 1/4'), 120_000, 100);
    expect(await a.stop('SIGKILL')).toBeNull(); // killed by a signal: no exit code
    expect(registrations).toHaveLength(0);

    const b = startService('training', portB, serviceEnv);
    services.push(b);
    await waitReady(b);
    const run = await eventually(async () => {
      const r = await json('GET', `http://127.0.0.1:${portB}/training-runs/${runId}`);
      expect(r.body['status']).toBe('COMPLETED');
      return r.body;
    }, 180_000, 300);
    expect(run['modelVersion']).toBe(1);
    expect(registrations.map((r) => r.key)).toEqual([runId]);
    const chunks = (await json('GET', logsUrl(portB))).body['chunks'] as Array<{ attempt: number; text: string }>;
    expect([...new Set(chunks.map((ch) => ch.attempt))]).toEqual([1, 2]); // attempt 1 died with worker A, attempt 2 finished on B
    expect(chunks.filter((ch) => ch.attempt === 2).map((ch) => ch.text).join('')).toMatch(/exit code 0 after/);
  });
});
