/**
 * A worker killed with SIGKILL mid-training (while the train activity heartbeats): after a new
 * worker process starts on the same task queue, the run completes and exactly one model version
 * is registered. Real PostgreSQL, Kafka and Temporal; the trainer is the sklearn example (it
 * sleeps first so the kill lands inside the train activity); features/registry/ingestion are
 * local HTTP fakes.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { dropSchemas, eventually, infraEnv, infraServiceEnv, pythonFor, repoRoot, startFakeJsonService, startService, uniqueName, waitReady, type FakeJsonHandler, type RunningService } from '@strata/shared/testing';
import { logisticRegressionRunRequest } from './__fixtures__/training-run-request';
import { SYNTHETIC_FEATURE_COLUMNS, SYNTHETIC_FEATURE_REFS, SYNTHETIC_ROWS, writeSyntheticTrainingSet } from './__fixtures__/synthetic-training-set';

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
  const closers: Array<() => Promise<void>> = [];
  const registrations: Array<{ key: string }> = [];
  let serviceEnv: Record<string, string>;

  beforeAll(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'strata-training-kill-'));
    const { uri, sha256 } = await writeSyntheticTrainingSet(path.join(dataDir, 'ts.parquet'), false);
    const serve = async (handler: FakeJsonHandler) => {
      const fake = await startFakeJsonService(handler);
      closers.push(fake.close);
      return fake.url;
    };
    const featuresUrl = await serve((req) =>
      req.method === 'POST'
        ? { status: 202, body: { id: 'ts-1', status: 'RUNNING' } }
        : { status: 200, body: { id: 'ts-1', status: 'SUCCEEDED', uri, sha256, rowCount: SYNTHETIC_ROWS, columns: ['event_timestamp', ...SYNTHETIC_FEATURE_COLUMNS, 'label'], featureRefs: SYNTHETIC_FEATURE_REFS } },
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
      ...infraServiceEnv(env),
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
    for (const close of closers) await close();
    await dropSchemas(schema);
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  it('completes on a new worker and registers exactly one version', async () => {
    const a = startService('training', portA, serviceEnv);
    services.push(a);
    await waitReady(a);
    const started = await json('POST', `http://127.0.0.1:${portA}/training-runs`, logisticRegressionRunRequest('taxi-kill', uniqueName('kill'), { trainer: 'command:sklearn-logistic', params: { sleep_seconds: 4 } }));
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
