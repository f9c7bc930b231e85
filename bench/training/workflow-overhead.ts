/**
 * Workflow overhead beyond the trainer's own compute: N `trainModelWorkflow` runs on the real
 * Temporal dev server (in-process worker, real activities: DuckDB, the built-in trainer,
 * onnxruntime evaluation, PostgreSQL row updates + outbox), with local HTTP stand-ins for
 * features / registry / ingestion. Per run, from the workflow's history:
 *
 *   e2e       = client start → result (ms, measured by the client)
 *   train     = trainModel activity: ActivityTaskStarted → ActivityTaskCompleted
 *   activities= Σ every activity's Started → Completed
 *   overhead  = e2e − train               (everything that is not the trainer: other steps + orchestration)
 *   orch      = e2e − activities          (pure orchestration: scheduling, task round-trips, history)
 *
 * Usage: node -r @swc-node/register bench/training/workflow-overhead.ts [--runs 10] [--rows 20000]
 * Needs the stack (.stack/env or DATABASE_URL / TEMPORAL_ADDRESS).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { Client, Connection } from '@temporalio/client';
import { type temporal } from '@temporalio/proto';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { DataSource } from 'typeorm';
import { EventPublisher } from '@strata/messaging';
import { LocalObjectStore } from '@strata/shared/data-access-object-store';
import { createTrainingActivities } from '@strata/training/activities';
import { TRAINING_ENTITIES, TRAINING_MIGRATIONS } from '@strata/training/data-access';
import { trainModelWorkflow } from '@strata/training/workflows';

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
}

function stackEnv(): Record<string, string> {
  const file = path.resolve(__dirname, '../../.stack/env');
  const out: Record<string, string> = {};
  if (fs.existsSync(file)) {
    for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
      const m = /^(?:export\s+)?([A-Z_]+)=(.*)$/.exec(line.trim());
      if (m) out[m[1]!] = m[2]!.replace(/^['"]|['"]$/g, '');
    }
  }
  return { ...out, ...(process.env as Record<string, string>) };
}

const ms = (t: temporal.api.history.v1.IHistoryEvent): number => Number(t.eventTime?.seconds ?? 0) * 1000 + Math.round((t.eventTime?.nanos ?? 0) / 1e6);
const pct = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const runs = arg('runs', 10);
  const rows = arg('rows', 20000);
  const env = stackEnv();
  const databaseUrl = env['DATABASE_URL'] ?? 'postgres://strata:strata@127.0.0.1:5432/strata';
  const temporalAddress = env['TEMPORAL_ADDRESS'] ?? '127.0.0.1:7233';
  const namespace = env['TEMPORAL_NAMESPACE'] ?? 'default';
  const schema = `bench_wf_${process.pid}`;
  const taskQueue = `bench-training-${process.pid}`;
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-bench-wf-'));

  const file = path.join(root, 'ts.parquet');
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  await c.run(`SET TimeZone='UTC'`);
  await c.run(`COPY (SELECT TIMESTAMPTZ '2020-01-01 00:00:00+00' + to_seconds(i * 60) AS event_timestamp,
      ((i * 7919) % 1000) / 100.0 AS trip_request__trip_distance, ((i * 31) % 24)::INTEGER AS trip_request__pickup_hour,
      ((i * 104729) % 997) / 10.0 AS trip_request__fare_amount,
      (((i * 31) % 24) < 10 OR ((i * 2654435761) % 1000) < 150) AS label FROM range(${rows}) t(i)) TO '${file}' (FORMAT parquet)`);
  c.closeSync();
  db.closeSync();
  const sha256 = createHash('sha256').update(fs.readFileSync(file)).digest('hex');
  const servers: http.Server[] = [];
  const serve = async (handler: (req: http.IncomingMessage) => unknown): Promise<string> => {
    const s = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(handler(req))));
    });
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    servers.push(s);
    return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
  };
  const featuresUrl = await serve(() => ({ id: 'ts', status: 'SUCCEEDED', uri: pathToFileURL(file).href, sha256, rowCount: rows, columns: ['event_timestamp', 'trip_request__trip_distance', 'trip_request__pickup_hour', 'trip_request__fare_amount', 'label'], featureRefs: ['trip_request:trip_distance', 'trip_request:pickup_hour', 'trip_request:fare_amount'] }));
  let version = 0;
  const registryUrl = await serve(() => ({ name: 'bench', version: ++version }));
  const ingestionUrl = await serve(() => ({ contentSha256: 'c'.repeat(64) }));

  const dataSource = new DataSource({ type: 'postgres', url: databaseUrl, schema, entities: TRAINING_ENTITIES, migrations: TRAINING_MIGRATIONS, migrationsTableName: 'typeorm_migrations', synchronize: false, logging: ['error'] });
  await dataSource.initialize();
  await dataSource.query(`CREATE SCHEMA "${schema}"`);
  await dataSource.runMigrations({ transaction: 'each' });
  const quiet = { log: () => undefined, warn: () => undefined, error: (m: string) => console.error(m) };
  const activities = createTrainingActivities({ featuresUrl, registryUrl, ingestionUrl, objectStore: new LocalObjectStore(root), dataSource, publisher: new EventPublisher({ serviceName: 'training' }), logger: quiet });
  const nativeConnection = await NativeConnection.connect({ address: temporalAddress });
  const worker = await Worker.create({ connection: nativeConnection, namespace, taskQueue, workflowsPath: require.resolve('../../libs/training/workflows/src/workflows'), activities: { ...activities } });
  const running = worker.run();
  const connection = await Connection.connect({ address: temporalAddress });
  const client = new Client({ connection, namespace });

  const results: Array<{ e2e: number; train: number; acts: number; overhead: number; orch: number }> = [];
  try {
    for (let i = 0; i < runs + 1; i++) {
      const requestId = `bench-${process.pid}-${i}`;
      const t0 = performance.now();
      const handle = await client.workflow.start(trainModelWorkflow, {
        taskQueue,
        workflowId: `train:bench:${requestId}`,
        args: [{ runId: '00000000-0000-4000-8000-' + String(i).padStart(12, '0'), modelName: 'bench', requestId, trainer: 'logistic_regression', params: { l2: 0.001 }, trainingSet: 'big_tipper', trainDatasetVersions: [{ datasetName: 'd', versionId: 'v1' }], evaluation: {}, reason: 'manual', timeouts: { pollIntervalMs: 50 } }],
      });
      await handle.result();
      const e2e = performance.now() - t0;
      const history = await handle.fetchHistory();
      const events = history.events ?? [];
      const scheduled = new Map<number, string>();
      const startedAt = new Map<number, number>();
      let train = 0;
      let acts = 0;
      for (const ev of events) {
        const a = ev.activityTaskScheduledEventAttributes;
        if (a) scheduled.set(Number(ev.eventId), a.activityType?.name ?? '');
        if (ev.activityTaskStartedEventAttributes) startedAt.set(Number(ev.activityTaskStartedEventAttributes.scheduledEventId), ms(ev));
        const done = ev.activityTaskCompletedEventAttributes;
        if (done) {
          const sid = Number(done.scheduledEventId);
          const d = ms(ev) - (startedAt.get(sid) ?? ms(ev));
          acts += d;
          if (scheduled.get(sid) === 'trainModel') train += d;
        }
      }
      if (i === 0) continue; // warm-up (workflow bundle, DuckDB/onnxruntime first load)
      results.push({ e2e, train, acts, overhead: e2e - train, orch: e2e - acts });
    }
  } finally {
    worker.shutdown();
    await running;
    await nativeConnection.close();
    await connection.close();
    await dataSource.query(`DROP SCHEMA "${schema}" CASCADE`);
    await dataSource.destroy();
    for (const s of servers) s.close();
    fs.rmSync(root, { recursive: true, force: true });
  }

  const f = (x: number) => x.toFixed(0).padStart(9);
  console.log(`trainModelWorkflow overhead — ${runs} runs (after 1 warm-up), ${rows} rows × 3 features, built-in logistic regression`);
  console.log(`machine: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, shared; Temporal dev server local`);
  console.log(`${'run'.padStart(4)} ${'e2e ms'.padStart(9)} ${'train ms'.padStart(9)} ${'acts ms'.padStart(9)} ${'e2e-train'.padStart(9)} ${'e2e-acts'.padStart(9)}`);
  results.forEach((r, i) => console.log(`${String(i + 1).padStart(4)} ${f(r.e2e)} ${f(r.train)} ${f(r.acts)} ${f(r.overhead)} ${f(r.orch)}`));
  for (const [name, p] of [['p50', 50], ['p95', 95]] as const) {
    console.log(`${name.padStart(4)} ${f(pct(results.map((r) => r.e2e), p))} ${f(pct(results.map((r) => r.train), p))} ${f(pct(results.map((r) => r.acts), p))} ${f(pct(results.map((r) => r.overhead), p))} ${f(pct(results.map((r) => r.orch), p))}`);
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
