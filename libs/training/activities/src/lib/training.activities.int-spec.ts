/**
 * @jest-environment ../../../libs/shared/testing/src/onnxruntime-environment.cjs
 *
 * Training activities against real PostgreSQL (training schema + outbox), a real local object
 * store and DuckDB/onnxruntime. The features/registry/ingestion services are small local HTTP
 * servers answering per docs/service-apis.md.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ApplicationFailure } from '@temporalio/common';
import * as ort from 'onnxruntime-node';
import type { DataSource } from 'typeorm';
import { EventPublisher } from '@strata/messaging';
import { LocalObjectStore } from '@strata/shared/data-access-object-store';
import { migratedSchema } from '@strata/shared/testing';
import { TRAINING_ENTITIES, TRAINING_MIGRATIONS, TrainingRunEntity } from '@strata/training/data-access';
import { onnxSignature, predictProba, trainLogisticRegression } from '@strata/training/util-trainers';
import { createTrainingActivities } from './training.activities';
import type { TrainingSetRef } from './activity.types';
import { TrainingSetFile } from './training-set-reader';
import { writeTrainingSetParquet } from '../testing/training-set-file';

jest.setTimeout(120_000);

const silent = { log: () => undefined, warn: () => undefined, error: () => undefined };

/** A local HTTP server answering with `handler`; returns its base URL. */
async function fakeService(handler: (req: http.IncomingMessage, body: unknown) => { status: number; body: unknown }): Promise<{ url: string; close: () => Promise<void>; requests: Array<{ method: string; url: string; body: unknown; headers: http.IncomingHttpHeaders }> }> {
  const requests: Array<{ method: string; url: string; body: unknown; headers: http.IncomingHttpHeaders }> = [];
  const server = http.createServer((req, res) => {
    let data = '';
    req.on('data', (c: Buffer) => (data += c.toString()));
    req.on('end', () => {
      const body = data ? JSON.parse(data) : undefined;
      requests.push({ method: req.method ?? '', url: req.url ?? '', body, headers: req.headers });
      const out = handler(req, body);
      res.writeHead(out.status, { 'content-type': 'application/json' }).end(JSON.stringify(out.body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((r) => server.close(() => r())), requests };
}

describe('training activities (real PostgreSQL, DuckDB, onnxruntime)', () => {
  const pgSchema = migratedSchema('training_act', TRAINING_ENTITIES, TRAINING_MIGRATIONS);
  const schema = pgSchema.schema;
  let dataSource: DataSource;
  let root: string;
  let store: LocalObjectStore;
  let trainingSet: TrainingSetRef;
  const runId = '5f0c1f7e-2b9a-4c55-9f59-3f8a0d6f1a01';

  beforeAll(async () => {
    dataSource = await pgSchema.open();
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'strata-training-act-'));
    store = new LocalObjectStore(root);

    // Synthetic training set: 2000 rows over 20 days, label depends on two features (+ noise),
    // one feature with missing values, full feature names as the features service writes them.
    const written = await writeTrainingSetParquet(root, 'ts-1.parquet', `
        SELECT
          (i % 50)::INTEGER AS pickup_location_id,
          TIMESTAMPTZ '2020-01-01 00:00:00+00' + to_minutes(i * 14) AS event_timestamp,
          ((i * 7919) % 1000) / 100.0 AS trip_distance,
          CASE WHEN i % 17 = 0 THEN NULL ELSE ((i * 104729) % 997) / 10.0 END AS zone_trip_stats__trips_1h,
          ((i * 31) % 24)::INTEGER AS trip_request__pickup_hour,
          ((((i * 7919) % 1000) / 100.0) * 0.6 - ((i * 31) % 24) * 0.2 + ((i * 2654435761) % 1000) / 250.0 - 0.5 > 0) AS label
        FROM range(2000) t(i)`);
    trainingSet = {
      id: 'ts-1',
      uri: written.uri,
      sha256: written.sha256,
      rowCount: 2000,
      columns: ['pickup_location_id', 'event_timestamp', 'trip_distance', 'zone_trip_stats__trips_1h', 'trip_request__pickup_hour', 'label'],
      featureRefs: ['trip_request:trip_distance', 'zone_trip_stats:trips_1h', 'trip_request:pickup_hour'],
    };
    await dataSource.getRepository(TrainingRunEntity).insert({
      runId,
      workflowId: 'train:taxi-tip:req-1',
      modelName: 'taxi-tip',
      requestId: 'req-1',
      status: 'RUNNING',
      trainer: 'logistic_regression',
      trainingSet: 'big_tipper',
      reason: 'manual',
      params: { l2: 0.001 },
      evaluation: { splitTime: '2020-01-16T00:00:00.000Z' },
      datasetVersions: [{ datasetName: 'taxi', versionId: 'v1' }],
    } as never);
  });

  afterAll(async () => {
    await pgSchema.drop();
    await fs.rm(root, { recursive: true, force: true });
  });

  function activities(urls: { featuresUrl?: string; registryUrl?: string; ingestionUrl?: string } = {}) {
    return createTrainingActivities({
      featuresUrl: urls.featuresUrl ?? 'http://127.0.0.1:1',
      registryUrl: urls.registryUrl ?? 'http://127.0.0.1:1',
      ingestionUrl: urls.ingestionUrl ?? 'http://127.0.0.1:1',
      objectStore: store,
      dataSource,
      publisher: new EventPublisher({ serviceName: 'training' }),
      logger: silent,
      codeVersion: '0.1.0',
    });
  }

  it('trains, stores ONNX + reference profile with sha256, and the ONNX predictions equal predictProba', async () => {
    const ref = { ...trainingSet, featureRefs: ['zone_trip_stats:trips_1h', 'trip_request:pickup_hour'] };
    const sut = activities();
    const out = await sut.trainModel({ runId, modelName: 'taxi-tip', trainer: 'logistic_regression', params: { l2: 0.001 }, trainingSet: ref, splitTime: '2020-01-16T00:00:00Z' });
    expect(out.featureNames).toEqual(['zone_trip_stats__trips_1h', 'trip_request__pickup_hour']);
    expect(out.splitTime).toBe('2020-01-16T00:00:00.000Z');
    // 14-minute steps from 2020-01-01: rows with i*14 min < 15 days = 21600 min → i < 1542.86
    expect(out.trainRows).toBe(1543);
    expect(out.evalRows).toBe(457);
    expect(out.artifactUri).toBe(pathToFileURL(path.join(root, `artifacts/taxi-tip/${runId}/model.onnx`)).href);
    const onnxBytes = await fs.readFile(store.pathFor(`artifacts/taxi-tip/${runId}/model.onnx`));
    expect(createHash('sha256').update(onnxBytes).digest('hex')).toBe(out.artifactSha256);
    // The feature reference of each input column is recorded in the model (serving's /predict uses it).
    expect(JSON.parse(onnxSignature(new Uint8Array(onnxBytes)).metadata['strata.feature_refs']!)).toEqual(['zone_trip_stats:trips_1h', 'trip_request:pickup_hour']);
    const profileBytes = await fs.readFile(store.pathFor(`artifacts/taxi-tip/${runId}/reference-profile.json`));
    expect(createHash('sha256').update(profileBytes).digest('hex')).toBe(out.referenceProfileSha256);
    const profile = JSON.parse(profileBytes.toString());
    expect(profile.rowCount).toBe(1543);
    expect(profile.features.map((f: { name: string }) => f.name)).toEqual(['zone_trip_stats__trips_1h', 'trip_request__pickup_hour']);
    expect(profile.label.name).toBe('label');
    expect(out.resources.wallTimeMs).toBeGreaterThanOrEqual(0);
    expect(out.resources.cpuSeconds).toBeGreaterThan(0);
    expect(out.resources.peakRssBytes).toBeGreaterThan(10_000_000);

    // Same data, trained in-process: onnxruntime output equals predictProba within 1e-5.
    const file = await TrainingSetFile.open(store.pathFor('training-sets/ts-1.parquet'));
    const train = await file.readSlice(out.featureNames, out.splitTime, 'train');
    const evalSlice = await file.readSlice(out.featureNames, out.splitTime, 'eval');
    file.close();
    const model = trainLogisticRegression({ features: out.featureNames, rows: train.rows, labels: train.labels }, { l2: 0.001 });
    const expected = predictProba(model, evalSlice.rows);
    const session = await ort.InferenceSession.create(new Uint8Array(onnxBytes));
    const flat = new Float32Array(evalSlice.rows.length * 2);
    evalSlice.rows.forEach((r, i) => flat.set(r, i * 2));
    const got = (await session.run({ input: new ort.Tensor('float32', flat, [evalSlice.rows.length, 2]) }))['probability']!.data as Float32Array;
    await session.release();
    expect(got.length).toBe(expected.length);
    let maxDiff = 0;
    for (let i = 0; i < got.length; i++) maxDiff = Math.max(maxDiff, Math.abs(got[i]! - expected[i]!));
    expect(maxDiff).toBeLessThan(1e-5);

    const evaluated = await sut.evaluateModel({
      runId,
      modelName: 'taxi-tip',
      artifactUri: out.artifactUri,
      artifactSha256: out.artifactSha256,
      trainingSet: ref,
      featureNames: out.featureNames,
      splitTime: out.splitTime,
    });
    const m = evaluated.metrics;
    expect(m['rows']).toBe(457);
    expect(m['train_rows']).toBe(1543);
    for (const k of ['roc_auc', 'accuracy', 'train_roc_auc', 'train_accuracy']) {
      expect(m[k]).toBeGreaterThan(0.6); // the label depends on pickup_hour: well above chance
      expect(m[k]).toBeLessThanOrEqual(1);
    }
    expect(m['log_loss']).toBeGreaterThan(0);
    expect(m['log_loss']).toBeLessThan(0.693);
    expect((evaluated.report.eval['calibration'] as unknown[]).length).toBe(10);

    // Recording completion updates the row and writes the event to the outbox (same transaction).
    const registryPayload = { version: 1 };
    const registry = await fakeService(() => ({ status: 201, body: { name: 'taxi-tip', ...registryPayload } }));
    // the run's tracked run (set by RunTracker when the run started): registered as the version's sourceRunId (MLflow run_id)
    const trackedRunId = 'c'.repeat(32);
    await dataSource.getRepository(TrainingRunEntity).update({ runId }, { trackedRunId });
    try {
      const reg = await activities({ registryUrl: registry.url }).registerModelVersion({
        runId,
        workflowId: 'train:taxi-tip:req-1',
        modelName: 'taxi-tip',
        trainer: 'logistic_regression',
        artifactUri: out.artifactUri,
        artifactSha256: out.artifactSha256,
        referenceProfileUri: out.referenceProfileUri,
        referenceProfileSha256: out.referenceProfileSha256,
        metrics: m,
        params: { l2: 0.001 },
        datasetVersions: [{ datasetName: 'taxi', versionId: 'v1', contentSha256: 'b'.repeat(64) }],
        featureViews: ['trip_request', 'zone_trip_stats'],
        trainingSet: { name: 'big_tipper', id: 'ts-1', uri: ref.uri, sha256: ref.sha256 },
      });
      expect(reg).toEqual({ modelVersion: 1 });
      const sent = registry.requests[0]!;
      expect(sent.url).toBe('/registered-models/taxi-tip/versions');
      expect(sent.headers['idempotency-key']).toBe(runId);
      expect(sent.body).toMatchObject({
        runId,
        sourceRunId: trackedRunId,
        artifactSha256: out.artifactSha256,
        signature: { inputs: [{ name: 'input', datatype: 'FP32', shape: [-1, 2] }], outputs: [{ name: 'probability', datatype: 'FP32', shape: [-1, 1] }] },
        // trainingDataCutoff: the last event time of the set, 2020-01-01 + 1999 × 14 min (issue #19)
        lineage: { featureViews: ['trip_request', 'zone_trip_stats'], workflowId: 'train:taxi-tip:req-1', codeVersion: '0.1.0', trainingDataCutoff: '2020-01-20T10:26:00.000Z' },
        referenceProfileUri: out.referenceProfileUri,
      });
    } finally {
      await registry.close();
    }

    const completed = {
      runId,
      workflowId: 'train:taxi-tip:req-1',
      modelName: 'taxi-tip',
      requestId: 'req-1',
      trainer: 'logistic_regression' as const,
      params: { l2: 0.001 },
      artifactUri: out.artifactUri,
      artifactSha256: out.artifactSha256,
      referenceProfileUri: out.referenceProfileUri,
      referenceProfileSha256: out.referenceProfileSha256,
      metrics: m,
      evaluationReport: evaluated.report,
      datasetVersions: [{ datasetName: 'taxi', versionId: 'v1', contentSha256: 'b'.repeat(64) }],
      featureViews: ['trip_request', 'zone_trip_stats'],
      trainingSet: { id: 'ts-1', uri: ref.uri, sha256: ref.sha256 },
      modelVersion: 1,
      startedAt: '2026-01-01T00:00:00.000Z',
      resources: { wallTimeMs: 1234, cpuSeconds: 2.5, peakRssBytes: 123_456_789 },
    };
    await sut.recordRunCompleted(completed);
    await sut.recordRunCompleted(completed); // activity retry: no second event
    const row = await dataSource.getRepository(TrainingRunEntity).findOneByOrFail({ runId });
    expect(row).toMatchObject({ status: 'COMPLETED', modelVersion: 1, artifactSha256: out.artifactSha256, wallTimeMs: 1234, cpuSeconds: 2.5, peakRssBytes: 123_456_789 });
    expect(row.finishedAt).toBeInstanceOf(Date);
    const outbox = await dataSource.query(`SELECT topic, key, convert_from(payload, 'UTF8')::jsonb AS value FROM "${schema}".outbox_event`);
    expect(outbox).toHaveLength(1);
    expect(outbox[0]).toMatchObject({
      topic: 'strata.training.training-run-completed.v1',
      key: 'taxi-tip',
      value: { runId, artifactFormat: 'onnx', signature: { inputs: [{ name: 'input', type: 'float32', shape: [-1, 2] }] }, featureViews: [{ name: 'trip_request' }, { name: 'zone_trip_stats' }] },
    });
  });

  it('buildTrainingSet posts the request, polls until SUCCEEDED, and maps FAILED to a non-retryable failure', async () => {
    let polls = 0;
    const features = await fakeService((req, body) => {
      if (req.method === 'POST') return { status: 202, body: { id: (body as { trainingSet: string }).trainingSet === 'bad' ? 'b-1' : 'ts-9', status: 'RUNNING' } };
      if (req.url === '/training-sets/b-1') return { status: 200, body: { id: 'b-1', status: 'FAILED', error: "feature view 'zone_trip_stats' has no materialization" } };
      polls++;
      return polls < 3
        ? { status: 200, body: { id: 'ts-9', status: 'RUNNING' } }
        : { status: 200, body: { id: 'ts-9', status: 'SUCCEEDED', uri: trainingSet.uri, sha256: trainingSet.sha256, rowCount: 2000, columns: [{ name: 'label', type: 'boolean' }], featureRefs: ['v:f'] } };
    });
    try {
      const sut = activities({ featuresUrl: features.url });
      const dv = [{ datasetName: 'taxi', versionId: 'v1' }];
      const ref = await sut.buildTrainingSet({ runId, modelName: 'taxi-tip', trainingSet: 'big_tipper', datasetVersions: dv, pollIntervalMs: 20 });
      expect(ref).toEqual({ id: 'ts-9', uri: trainingSet.uri, sha256: trainingSet.sha256, rowCount: 2000, columns: ['label'], featureRefs: ['v:f'] });
      expect(features.requests[0]).toMatchObject({ method: 'POST', url: '/training-sets', body: { trainingSet: 'big_tipper', datasetVersions: dv } });
      expect(polls).toBe(3);

      const err = await sut.buildTrainingSet({ runId, modelName: 'taxi-tip', trainingSet: 'bad', datasetVersions: dv, pollIntervalMs: 20 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ApplicationFailure);
      expect(err).toMatchObject({ type: 'TRAINING_SET_FAILED', nonRetryable: true });
      expect((err as Error).message).toContain("feature view 'zone_trip_stats' has no materialization");
    } finally {
      await features.close();
    }
  });

  it('maps errors: bad params are non-retryable INVALID_ARGUMENT, an unreachable service is retryable UNAVAILABLE', async () => {
    const sut = activities();
    const bad = await sut.trainModel({ runId, modelName: 'taxi-tip', trainer: 'logistic_regression', params: { l3: 1 }, trainingSet }).catch((e: unknown) => e);
    expect(bad).toMatchObject({ type: 'INVALID_ARGUMENT', nonRetryable: true });
    expect((bad as Error).message).toMatch(/l3/);
    const down = await sut.resolveInputs({ runId, modelName: 'taxi-tip', datasetVersions: [{ datasetName: 'taxi', versionId: 'v1' }] }).catch((e: unknown) => e);
    expect(down).toMatchObject({ type: 'UNAVAILABLE', nonRetryable: false });
    expect((down as Error).message).toMatch(/ingestion is unavailable/);
  });
});
