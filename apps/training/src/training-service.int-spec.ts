/**
 * The training service from source (`apps/training/src/main.ts`) on the real stack: PostgreSQL
 * (unique schema), Kafka (the completed/failed events through the outbox relay) and Temporal
 * (in-process worker on a unique task queue). Ingestion, features and registry are small local
 * HTTP servers answering per docs/service-apis.md.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { buildEnvelopeHeaders, TrainingRequestedV1 } from '@strata/contracts';
import { dropSchemas, eventually, infraEnv, infraServiceEnv, startFakeJsonService, startService, uniqueName, waitReady, type FakeJsonHandler, type RunningService } from '@strata/shared/testing';
import { logisticRegressionRunRequest } from './__fixtures__/training-run-request';
import { writeSyntheticTrainingSet } from './__fixtures__/synthetic-training-set';

jest.setTimeout(180_000);

type Handler = FakeJsonHandler;

async function json(method: string, url: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('training service (real PostgreSQL, Kafka, Temporal)', () => {
  const env = infraEnv();
  const schema = uniqueName('training_svc');
  const port = 23000 + Math.floor(Math.random() * 900);
  let dataDir: string;
  let service: RunningService;
  let parquet: { uri: string; sha256: string };
  const features = { current: (() => ({ status: 500, body: {} })) as Handler };
  const registry = { current: (() => ({ status: 500, body: {} })) as Handler };
  const ingestion = { current: (() => ({ status: 200, body: { contentSha256: 'c'.repeat(64) } })) as Handler };
  const closers: Array<() => Promise<void>> = [];
  const registered: unknown[] = [];
  /** Calls to the registry's experiment tracking, which is DOWN in this suite (503): runs must complete regardless. */
  const trackingCalls: string[] = [];
  const registryWithTrackingDown = {
    current: ((req, body) => {
      if (/^\/(experiments|runs)(\/|\?|$)/.test(req.url ?? '')) {
        trackingCalls.push(`${req.method} ${req.url}`);
        return { status: 503, body: { error: 'tracking is down (test)' } };
      }
      return registry.current(req, body);
    }) as Handler,
  };

  beforeAll(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'strata-training-svc-'));
    parquet = await writeSyntheticTrainingSet(path.join(dataDir, 'training-sets', 'big_tipper', 'ts-1.parquet'), true);

    const [f, r, i] = await Promise.all([startFakeJsonService(features), startFakeJsonService(registryWithTrackingDown), startFakeJsonService(ingestion)]);
    closers.push(f.close, r.close, i.close);
    service = startService('training', port, {
      ...infraServiceEnv(env),
      TRAINING_DB_SCHEMA: schema,
      TRAINING_TASK_QUEUE: uniqueName('strata-training-test'),
      TRAINING_KAFKA_GROUP_ID: uniqueName('training-test'),
      STRATA_DATA_DIR: dataDir,
      FEATURES_URL: f.url,
      REGISTRY_URL: r.url,
      INGESTION_URL: i.url,
    });
    await waitReady(service);
  });

  afterAll(async () => {
    await service?.stop();
    for (const close of closers) await close();
    await dropSchemas(schema);
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  const base = () => `http://127.0.0.1:${port}`;
  const succeedingFeatures: Handler = (req) =>
    req.method === 'POST'
      ? { status: 202, body: { id: 'ts-1', status: 'RUNNING' } }
      : {
          status: 200,
          body: {
            id: 'ts-1',
            status: 'SUCCEEDED',
            uri: parquet.uri,
            sha256: parquet.sha256,
            rowCount: 3000,
            columns: [{ name: 'pickup_location_id' }, { name: 'event_timestamp' }, { name: 'trip_request__trip_distance' }, { name: 'trip_request__pickup_hour' }, { name: 'label' }],
            featureRefs: ['trip_request:trip_distance', 'trip_request:pickup_hour'],
          },
        };
  const request = (requestId: string) => logisticRegressionRunRequest('taxi-tip', requestId);

  it('reports temporal in /health/ready', async () => {
    const ready = await json('GET', `${base()}/health/ready`);
    expect(ready.status).toBe(200);
    expect((ready.body['checks'] as Record<string, { status: string }>)['temporal']?.status).toBe('up');
  });

  it('runs a training run to COMPLETED, once per request id, and announces it on Kafka', async () => {
    features.current = succeedingFeatures;
    registry.current = (req, body) => {
      // the evaluate step reads the model's promotion policy (its fairness segment): none here
      if (req.method === 'GET' && (req.url ?? '').endsWith('/promotion-policy')) return { status: 404, body: { error: 'no promotion policy (test)' } };
      registered.push(body);
      return { status: 201, body: { name: 'taxi-tip', version: 1 } };
    };
    const requestId = uniqueName('req');
    const first = await json('POST', `${base()}/training-runs`, request(requestId));
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ workflowId: `train:taxi-tip:${requestId}`, requestId, status: 'RUNNING', alreadyExists: false });
    const again = await json('POST', `${base()}/training-runs`, request(requestId));
    expect(again.status).toBe(202);
    expect(again.body).toMatchObject({ runId: first.body['runId'], alreadyExists: true });

    const run = await eventually(async () => {
      const r = await json('GET', `${base()}/training-runs/${String(first.body['runId'])}`);
      expect(r.body['status']).toBe('COMPLETED');
      return r.body;
    }, 120_000, 250);
    expect(run).toMatchObject({ step: 'completed', progress: 1, modelVersion: 1, featureViews: ['trip_request'], datasetVersions: [{ datasetName: 'nyc_taxi_trips', versionId: 'v1', contentSha256: 'c'.repeat(64) }] });
    const metrics = run['metrics'] as Record<string, number>;
    expect(metrics['rows']).toBe(3000 - 2304); // 10-minute steps: 16 days = 2304 rows before the split
    expect(metrics['roc_auc']).toBeGreaterThan(0.7);
    expect(metrics['roc_auc']).toBeLessThanOrEqual(1);
    const artifact = await fs.readFile(new URL(String(run['artifactUri'])));
    expect(createHash('sha256').update(artifact).digest('hex')).toBe(run['artifactSha256']);
    expect(String(run['artifactUri'])).toMatch(new RegExp(`/artifacts/taxi-tip/${String(first.body['runId'])}/model.onnx$`));
    const resources = run['resources'] as Record<string, number>;
    expect(resources['cpuSeconds']).toBeGreaterThan(0);
    expect(resources['peakRssBytes']).toBeGreaterThan(10_000_000);
    expect(registered).toHaveLength(1);
    // experiment tracking was down the whole time: tried (resolve-inputs, train, completion), warned, never failed the run
    await eventually(() => expect(trackingCalls.filter((c) => c === 'POST /experiments').length).toBeGreaterThanOrEqual(3), 30_000, 200);

    const kafka = new Kafka({ clientId: 'training-test', brokers: env.kafkaBrokers, logLevel: logLevel.NOTHING });
    const consumer = kafka.consumer({ groupId: uniqueName('training-test') });
    const seen: Array<Record<string, unknown>> = [];
    await consumer.connect();
    await consumer.subscribe({ topic: 'strata.training.training-run-completed.v1', fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const v = JSON.parse(String(message.value)) as Record<string, unknown>;
        if (v['runId'] === first.body['runId']) seen.push(v);
      },
    });
    try {
      await eventually(() => expect(seen).toHaveLength(1), 60_000);
      expect(seen[0]).toMatchObject({ modelName: 'taxi-tip', requestId, artifactSha256: run['artifactSha256'], artifactFormat: 'onnx' });
    } finally {
      await consumer.disconnect();
    }
  });

  it('a failed training-set build fails the run with the error', async () => {
    features.current = (req) =>
      req.method === 'POST' ? { status: 202, body: { id: 'ts-bad', status: 'RUNNING' } } : { status: 200, body: { id: 'ts-bad', status: 'FAILED', error: 'no materialization for zone_trip_stats' } };
    const started = await json('POST', `${base()}/training-runs`, request(uniqueName('req')));
    const run = await eventually(async () => {
      const r = await json('GET', `${base()}/training-runs/${String(started.body['runId'])}`);
      expect(r.body['status']).toBe('FAILED');
      return r.body;
    }, 60_000, 250);
    expect(run['step']).toBe('build-training-set');
    expect(run['error']).toEqual({ code: 'TRAINING_SET_FAILED', message: "Training set 'big_tipper' build 'ts-bad' failed: no materialization for zone_trip_stats" });
  });

  it('cancels a running run', async () => {
    features.current = (req) => (req.method === 'POST' ? { status: 202, body: { id: 'ts-slow', status: 'RUNNING' } } : { status: 200, body: { id: 'ts-slow', status: 'RUNNING' } });
    const started = await json('POST', `${base()}/training-runs`, request(uniqueName('req')));
    const runUrl = `${base()}/training-runs/${String(started.body['runId'])}`;
    await eventually(async () => expect((await json('GET', runUrl)).body).toMatchObject({ step: 'build-training-set', detail: "building training set 'big_tipper'" }), 30_000, 200);
    const cancel = await json('POST', `${runUrl}/cancel`);
    expect(cancel.status).toBe(202);
    await eventually(async () => expect((await json('GET', runUrl)).body).toMatchObject({ status: 'CANCELLED', step: 'build-training-set' }), 60_000, 250);
    expect((await json('POST', `${runUrl}/cancel`)).status).toBe(409);
  });

  it('starts a run from a training-requested event (once, even when redelivered)', async () => {
    features.current = succeedingFeatures;
    registry.current = () => ({ status: 201, body: { name: 'taxi-tip-evt', version: 4 } });
    const requestId = uniqueName('evt');
    const value: TrainingRequestedV1 = {
      modelName: 'taxi-tip-evt',
      requestId,
      datasetVersions: [{ datasetName: 'nyc_taxi_trips', versionId: 'v1', contentSha256: 'c'.repeat(64) }],
      trainer: 'builtin:logistic-regression',
      params: { trainingSet: 'big_tipper', splitTime: '2020-01-17T00:00:00Z', l2: 0.01 },
      reason: 'drift',
      requestedBy: 'monitoring',
      requestedAt: new Date().toISOString(),
    };
    const kafka = new Kafka({ clientId: 'training-test', brokers: env.kafkaBrokers, logLevel: logLevel.NOTHING });
    const producer = kafka.producer();
    await producer.connect();
    const message = () => ({
      key: value.modelName,
      value: JSON.stringify(value),
      headers: buildEnvelopeHeaders({ id: `${requestId}-ce`, source: '/strata/test', type: TrainingRequestedV1.type, subject: value.modelName }),
    });
    await producer.send({ topic: TrainingRequestedV1.topic, messages: [message(), message()] }); // redelivery: same ce_id
    await producer.disconnect();
    const runs = await eventually(async () => {
      const r = await fetch(`${base()}/training-runs?modelName=taxi-tip-evt`);
      // A new consumer group also reads earlier runs' events: keep this run's request only.
      const list = ((await r.json()) as Array<Record<string, unknown>>).filter((x) => x['requestId'] === requestId);
      expect(list.map((x) => x['status'])).toEqual(['COMPLETED']);
      return list;
    }, 120_000, 250);
    expect(runs[0]).toMatchObject({ requestId, workflowId: `train:taxi-tip-evt:${requestId}`, reason: 'drift', params: { l2: 0.01 }, evaluation: { splitTime: '2020-01-17T00:00:00Z' }, modelVersion: 4 });
  });

  it('boots while Temporal is unreachable: /health/ready 503 naming temporal, POST 503, nothing written', async () => {
    const otherPort = port + 1000;
    const down = startService('training', otherPort, {
      DATABASE_URL: env.databaseUrl,
      KAFKA_BROKERS: env.kafkaBrokers.join(','),
      TEMPORAL_ADDRESS: '127.0.0.1:1',
      TRAINING_DB_SCHEMA: schema,
      TRAINING_KAFKA_GROUP_ID: uniqueName('training-test'),
      STRATA_DATA_DIR: dataDir,
    });
    try {
      const ready = await eventually(async () => {
        const r = await json('GET', `http://127.0.0.1:${otherPort}/health/ready`);
        expect((r.body['checks'] as Record<string, { status: string }>)['postgres']?.status).toBe('up');
        return r;
      }, 60_000, 250);
      expect(ready.status).toBe(503);
      expect((ready.body['checks'] as Record<string, { status: string }>)['temporal']?.status).toBe('down');
      const requestId = uniqueName('req');
      const started = await json('POST', `http://127.0.0.1:${otherPort}/training-runs`, request(requestId));
      expect(started.status).toBe(503);
      expect(started.body['code']).toBe('UNAVAILABLE');
      const list = (await json('GET', `http://127.0.0.1:${otherPort}/training-runs?modelName=taxi-tip&limit=500`)).body as unknown as Array<{ requestId: string }>;
      expect(list.some((r) => r.requestId === requestId)).toBe(false);
    } finally {
      // bootstrapService closes everything on SIGTERM, then exits 0
      expect(await down.stop()).toBe(0);
    }
  });

  it('rejects bad input with 400 naming each field', async () => {
    const bad = await json('POST', `${base()}/training-runs`, { ...request('x'), modelName: 'Bad Name', evaluation: { splitTime: 'yesterday' }, params: { l3: 1 } });
    expect(bad.status).toBe(400);
    expect(bad.body['code']).toBe('INVALID_ARGUMENT');
    expect(String(bad.body['error'])).toMatch(/modelName/);
    expect(String(bad.body['error'])).toMatch(/evaluation\.splitTime/);
    expect(String(bad.body['error'])).toMatch(/l3/);
  });
});
