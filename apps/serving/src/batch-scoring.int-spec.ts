/** @jest-environment ../../libs/shared/testing/src/onnxruntime-environment.cjs */
/**
 * Batch scoring from source against the real stack: registry, ingestion and serving instances
 * (fresh schemas, own consumer groups, a unique Temporal task queue), real Temporal, PostgreSQL
 * and Kafka. A slice of the NYC taxi sample is ingested as a dataset version and scored through
 * `batchScoringWorkflow`; outputs are compared row by row with direct onnxruntime inference.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { Client, Connection } from '@temporalio/client';
import { ModelAliasChangedV1, ModelRolloutChangedV1 } from '@strata/contracts';
import { ServingApi } from '@strata/contracts/api';
// Test-only cross-scope imports: the ingestion dataset spec loader and the platform's own trainer.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { loadDatasetSpec } from '@strata/ingestion/domain-datasets';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { exportLogisticRegressionToOnnx, trainLogisticRegression } from '@strata/training/util-trainers';
import { LocalObjectStore } from '@strata/shared/data-access-object-store';
import { eventually, infraEnv, onnxProbabilities, repoRoot, startGroupAtEnd, startService, uniqueName, waitReady, type RunningService } from '@strata/shared/testing';

jest.setTimeout(300_000);

const REGISTRY_PORT = 27510;
const INGESTION_PORT = 27511;
const SERVING_PORT = 27512;
const SERVING_B_PORT = 27513;
const FEATURES = ['trip_request__trip_distance', 'fare_amount', 'passenger_count'];
const tag = uniqueName('bs').slice(3).replace(/_/g, '-');
const MODEL = `bs-${tag}-taxi`;
const DATASET = `bs_${tag.replace(/-/g, '_')}_trips`;
const servingSchema = uniqueName('serving_bs_it');
const registrySchema = uniqueName('registry_bs_it');
const ingestionSchema = uniqueName('ingestion_bs_it');
const taskQueue = uniqueName('serving-batch-it');
const group = uniqueName('serving-bs-it');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-batch-scoring-'));
const store = new LocalObjectStore(dataDir);
const SAMPLE = path.join('/work/shared/datasets/nyc-taxi-yellow-samples/yellow_tripdata_sample_2019-03.csv');
const SLICE_ROWS = 2500;

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any
let registry: RunningService;
let ingestion: RunningService;
let serving: RunningService;
let temporal: Client;
let connection: Connection;
let modelBytes: Uint8Array;
let fixtureUri: string;
let missingColumnUri: string;
let dataset: { versionId: string; uri: string; rowCount: number };
const R = `http://127.0.0.1:${REGISTRY_PORT}`;
const I = `http://127.0.0.1:${INGESTION_PORT}`;
let S = `http://127.0.0.1:${SERVING_PORT}`;

async function send(method: string, url: string, body?: unknown, contentType = 'application/json'): Promise<{ status: number; body: Json }> {
  const res = await fetch(url, { method, headers: body !== undefined ? { 'content-type': contentType } : {}, ...(body !== undefined ? { body: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body) } : {}) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/** Runs SQL in a fresh in-memory DuckDB; returns row objects (JS values). */
async function duck(sql: string): Promise<Array<Record<string, unknown>>> {
  const instance = await DuckDBInstance.create(':memory:');
  const c = await instance.connect();
  try {
    return (await c.runAndReadAll(sql)).getRowObjectsJS() as Array<Record<string, unknown>>;
  } finally {
    c.closeSync();
    instance.closeSync();
  }
}
const local = (uri: string): string => new URL(uri).pathname;

/** P(class 1) of each row by onnxruntime directly (float32, as the model's input). */
const ort = (rows: number[][]): Promise<number[]> => onnxProbabilities(modelBytes, rows);

async function waitJob(jobId: string, statuses: string[] = ['SUCCEEDED', 'FAILED', 'CANCELLED']): Promise<Json> {
  return eventually(async () => {
    const res = await send('GET', `${S}/batch-scoring-jobs/${jobId}`);
    expect(res.status).toBe(200);
    expect(statuses).toContain(res.body.status);
    return res.body;
  }, 180_000, 200);
}

async function stagedObjects(jobId: string): Promise<string[]> {
  return (await store.list(`batch-scoring/${jobId}/`)).map((o) => o.key);
}

function startServing(port: number): RunningService {
  return startService('serving', port, {
    SERVING_DB_SCHEMA: servingSchema,
    SERVING_CONSUMER_GROUP: group,
    REGISTRY_URL: R,
    INGESTION_URL: I,
    STRATA_DATA_DIR: dataDir,
    SERVING_TASK_QUEUE: taskQueue,
    SERVING_BATCH_CHUNK_ROWS: '1000',
    SERVING_BATCH_HEARTBEAT_TIMEOUT_SECONDS: '5',
    SERVING_BATCH_RETRY_INITIAL_SECONDS: '0.2',
  });
}

beforeAll(async () => {
  const env = infraEnv();
  await startGroupAtEnd(env.kafkaBrokers, group, [ModelAliasChangedV1.topic, ModelRolloutChangedV1.topic]);
  registry = startService('registry', REGISTRY_PORT, { REGISTRY_DB_SCHEMA: registrySchema, STRATA_DATA_DIR: dataDir });
  ingestion = startService('ingestion', INGESTION_PORT, {
    INGESTION_DB_SCHEMA: ingestionSchema,
    INGESTION_KAFKA_GROUP_ID: ingestionSchema,
    STRATA_DATA_DIR: dataDir,
    STRATA_OBJECT_STORE: 'local',
    INGESTION_STREAM_ENABLED: 'false',
  });
  serving = startServing(SERVING_PORT);
  connection = await Connection.connect({ address: env.temporalAddress });
  temporal = new Client({ connection, namespace: env.temporalNamespace });

  // Fixtures: a CSV slice of the sample (ingested) and a Parquet "training set" with the model's columns.
  const csv = fs.readFileSync(SAMPLE, 'utf8').split('\n').slice(0, SLICE_ROWS + 1).join('\n') + '\n';
  fs.mkdirSync(path.join(dataDir, 'fixtures'), { recursive: true });
  const sliceCsv = path.join(dataDir, 'fixtures', 'slice.csv');
  fs.writeFileSync(sliceCsv, csv);
  const fixture = path.join(dataDir, 'fixtures', 'trips.parquet');
  await duck(`COPY (SELECT CAST(row_number() OVER () AS BIGINT) AS trip_id, pickup_location_id, CAST(pickup_datetime AS TIMESTAMP) AS event_timestamp,
      trip_distance, fare_amount, CASE WHEN row_number() OVER () % 97 = 0 THEN NULL ELSE passenger_count END AS passenger_count, tip_amount
    FROM read_csv('${sliceCsv}', header = true)) TO '${fixture}' (FORMAT parquet)`);
  fixtureUri = store.uriFor('fixtures/trips.parquet');
  await duck(`COPY (SELECT trip_id, event_timestamp, trip_distance, passenger_count FROM read_parquet('${fixture}')) TO '${path.join(dataDir, 'fixtures', 'no-fare.parquet')}' (FORMAT parquet)`);
  missingColumnUri = store.uriFor('fixtures/no-fare.parquet');

  // Model: logistic regression on the fixture (tip > 0), the platform's trainer and ONNX export.
  const train = await duck(`SELECT trip_distance, fare_amount, coalesce(passenger_count, 1) AS passenger_count, tip_amount FROM read_parquet('${fixture}') ORDER BY trip_id`);
  modelBytes = exportLogisticRegressionToOnnx(
    trainLogisticRegression({ features: FEATURES, rows: train.map((r) => [Number(r['trip_distance']), Number(r['fare_amount']), Number(r['passenger_count'])]), labels: train.map((r) => (Number(r['tip_amount']) > 0 ? 1 : 0)) }),
    { modelVersion: 1 },
  );

  await Promise.all([waitReady(registry), waitReady(ingestion), waitReady(serving)]);
  const put = await store.put(`models/${MODEL}/run-1/model.onnx`, Buffer.from(modelBytes));
  const reg = await send('POST', `${R}/registered-models/${MODEL}/versions`, {
    runId: 'run-1', artifactUri: put.uri, artifactSha256: put.sha256,
    signature: { inputs: [{ name: 'input', datatype: 'FP32', shape: [-1, 3] }], outputs: [{ name: 'probability', datatype: 'FP32', shape: [-1, 1] }] },
    lineage: { datasetVersions: [], featureViews: [] },
  });
  expect(reg.status).toBe(201);
  expect((await send('PUT', `${R}/registered-models/${MODEL}/aliases/champion`, { version: 1 })).status).toBe(200);

  const spec = { ...(await loadDatasetSpec(path.join(repoRoot, 'examples/taxi/dataset.yaml'))), name: undefined };
  expect((await send('PUT', `${I}/datasets/${DATASET}`, spec)).status).toBe(200);
  const version = await send('POST', `${I}/datasets/${DATASET}/versions`, csv, 'text/csv');
  expect(version.status).toBe(201);
  dataset = { versionId: version.body.versionId, uri: version.body.uri, rowCount: version.body.rowCount };
  expect(dataset.rowCount).toBeGreaterThan(2000);
}, 300_000);

afterAll(async () => {
  await Promise.all([serving?.stop(), registry?.stop(), ingestion?.stop()]);
  await connection?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('batch scoring', () => {
  it('scores an ingested dataset version by alias: every row, input order, predictions equal onnxruntime; progress reaches rowsTotal', async () => {
    const body = { modelName: MODEL, alias: 'champion', datasetName: DATASET, versionId: dataset.versionId, outputColumns: ['pickup_location_id', 'pickup_datetime'], requestId: `req-${tag}-1` };
    const started = await send('POST', `${S}/batch-scoring-jobs`, body);
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ workflowId: `batch-score:${MODEL}:req-${tag}-1`, status: 'PENDING', alreadyExists: false });
    const again = await send('POST', `${S}/batch-scoring-jobs`, body);
    expect(again.status).toBe(202);
    expect(again.body).toMatchObject({ jobId: started.body.jobId, alreadyExists: true });
    // the answers are the contract's (what the typed client's startBatchScoring / getBatchScoring type)
    expect(ServingApi.startBatchScoring.response.parse(again.body).jobId).toBe(started.body.jobId);

    const job = await waitJob(started.body.jobId);
    expect(job).toMatchObject({ status: 'SUCCEEDED', modelVersion: 1, alias: 'champion', inputUri: dataset.uri, rowCount: dataset.rowCount, error: null, progress: { rowsDone: dataset.rowCount, rowsTotal: dataset.rowCount } });
    expect(ServingApi.getBatchScoringJob.response.parse(job).rowCount).toBe(dataset.rowCount);
    const progress = await temporal.workflow.getHandle(started.body.workflowId).query<Json>('progress');
    expect(progress).toEqual({ phase: 'succeeded', rowsDone: dataset.rowCount, rowsTotal: dataset.rowCount, chunksDone: Math.ceil(dataset.rowCount / 1000), chunkCount: Math.ceil(dataset.rowCount / 1000) });

    const out = local(job.outputUri);
    expect(createHash('sha256').update(fs.readFileSync(out)).digest('hex')).toBe(job.outputSha256);
    expect((await duck(`DESCRIBE SELECT * FROM read_parquet('${out}')`)).map((c) => c['column_name'])).toEqual(['pickup_location_id', 'pickup_datetime', 'prediction', 'probability']);
    const rows = await duck(`SELECT pickup_location_id, CAST(pickup_datetime AS VARCHAR) AS t, prediction, probability FROM read_parquet('${out}')`);
    const input = await duck(`SELECT pickup_location_id, CAST(pickup_datetime AS VARCHAR) AS t, trip_distance, fare_amount, passenger_count FROM read_parquet('${local(dataset.uri)}')`);
    expect(rows.length).toBe(dataset.rowCount);
    expect(rows.map((r) => `${r['pickup_location_id']}|${r['t']}`)).toEqual(input.map((r) => `${r['pickup_location_id']}|${r['t']}`));
    const expected = await ort(input.map((r) => [r['trip_distance'], r['fare_amount'], r['passenger_count']].map((v) => (v === null ? NaN : Number(v)))));
    expect(rows.map((r) => r['probability'])).toEqual(expected);
    expect(rows.map((r) => r['prediction'])).toEqual(expected.map((p) => (p >= 0.5 ? 1 : 0)));
    // Spot check, spelled out: row 1234 of the input.
    expect(rows[1234]!['probability']).toBe((await ort([[Number(input[1234]!['trip_distance']), Number(input[1234]!['fare_amount']), Number(input[1234]!['passenger_count'])]]))[0]);
    expect(await stagedObjects(job.jobId)).toEqual([`batch-scoring/${job.jobId}/predictions.parquet`]);

    const listed = await send('GET', `${S}/batch-scoring-jobs?modelName=${MODEL}`);
    expect(listed.status).toBe(200);
    expect(listed.body.map((j: Json) => j.jobId)).toContain(job.jobId);
  });

  it('scores a Parquet URI by version with the default key + event time columns; nulls reach the model as NaN', async () => {
    const started = await send('POST', `${S}/batch-scoring-jobs`, { modelName: MODEL, version: 1, inputUri: fixtureUri });
    expect(started.status).toBe(202);
    const job = await waitJob(started.body.jobId);
    expect(job).toMatchObject({ status: 'SUCCEEDED', rowCount: SLICE_ROWS, progress: { rowsDone: SLICE_ROWS, rowsTotal: SLICE_ROWS } });
    const out = local(job.outputUri);
    expect((await duck(`DESCRIBE SELECT * FROM read_parquet('${out}')`)).map((c) => c['column_name'])).toEqual(['trip_id', 'pickup_location_id', 'event_timestamp', 'prediction', 'probability']);
    const rows = await duck(`SELECT trip_id, probability FROM read_parquet('${out}')`);
    expect(rows.map((r) => Number(r['trip_id']))).toEqual(Array.from({ length: SLICE_ROWS }, (_, i) => i + 1));
    const input = await duck(`SELECT trip_distance, fare_amount, passenger_count FROM read_parquet('${local(fixtureUri)}')`);
    const expected = await ort(input.map((r) => [r['trip_distance'], r['fare_amount'], r['passenger_count']].map((v) => (v === null ? NaN : Number(v)))));
    expect(rows.map((r) => r['probability'])).toEqual(expected);
    expect(input[96]!['passenger_count']).toBeNull();
  });

  it('fails a job for an unknown model version, an unknown dataset version and a missing column, naming the problem and writing no output', async () => {
    const cases: Array<[Json, string, RegExp]> = [
      [{ modelName: MODEL, version: 99, inputUri: fixtureUri }, 'NOT_FOUND', /Model version '.*@99'/],
      [{ modelName: MODEL, alias: 'champion', datasetName: DATASET, versionId: 'no-such-version' }, 'NOT_FOUND', /Dataset version '.*@no-such-version'/],
      [{ modelName: MODEL, version: 1, inputUri: missingColumnUri }, 'INVALID_ARGUMENT', /feature 'fare_amount' has no input column/],
      [{ modelName: MODEL, version: 1, inputUri: fixtureUri, outputColumns: ['trip_id', 'nope'] }, 'INVALID_ARGUMENT', /outputColumns not in the input: 'nope'/],
    ];
    for (const [body, code, message] of cases) {
      const started = await send('POST', `${S}/batch-scoring-jobs`, body);
      expect(started.status).toBe(202);
      const job = await waitJob(started.body.jobId);
      expect(job).toMatchObject({ status: 'FAILED', errorCode: code, outputUri: null, outputSha256: null, rowCount: null });
      expect(job.error).toMatch(message);
      expect(await stagedObjects(job.jobId)).toEqual([]);
    }
  });

  it('answers 400 naming the field for a bad request, 404 for an unknown job', async () => {
    const both = await send('POST', `${S}/batch-scoring-jobs`, { modelName: MODEL, alias: 'champion', version: 1, inputUri: fixtureUri });
    expect(both.status).toBe(400);
    expect(both.body.error).toMatch(/version.*alias or version, not both/);
    const none = await send('POST', `${S}/batch-scoring-jobs`, { modelName: MODEL });
    expect(none.status).toBe(400);
    expect(none.body.error).toMatch(/inputUri/);
    expect((await send('GET', `${S}/batch-scoring-jobs/00000000-0000-4000-8000-000000000000`)).status).toBe(404);
    expect((await send('GET', `${S}/batch-scoring-jobs/not-a-uuid`)).status).toBe(400);
  });

  it('cancels a running job: CANCELLED, nothing left under the job prefix', async () => {
    const started = await send('POST', `${S}/batch-scoring-jobs`, { modelName: MODEL, version: 1, inputUri: fixtureUri, chunkRows: 5 });
    await eventually(async () => expect((await send('GET', `${S}/batch-scoring-jobs/${started.body.jobId}`)).body.progress.rowsDone).toBeGreaterThan(0), 60_000, 50);
    const cancel = await send('POST', `${S}/batch-scoring-jobs/${started.body.jobId}/cancel`);
    expect(cancel.status).toBe(202);
    const job = await waitJob(started.body.jobId);
    expect(job.status).toBe('CANCELLED');
    expect(job.progress.rowsDone).toBeLessThan(SLICE_ROWS);
    // The workflow waits for the chunk activity in flight to stop before its cleanup, so no part
    // can be written after it (patch batch-scoring-wait-cancelled-chunk).
    expect(await stagedObjects(job.jobId)).toEqual([]);
  });

  it('resumes on a new worker after the worker process is SIGKILLed mid-run: exact output in order', async () => {
    const started = await send('POST', `${S}/batch-scoring-jobs`, { modelName: MODEL, version: 1, inputUri: fixtureUri, chunkRows: 25 });
    expect(started.status).toBe(202);
    await eventually(async () => expect((await send('GET', `${S}/batch-scoring-jobs/${started.body.jobId}`)).body.progress.rowsDone).toBeGreaterThanOrEqual(250), 60_000, 50);
    const atKill = (await send('GET', `${S}/batch-scoring-jobs/${started.body.jobId}`)).body;
    await serving.stop('SIGKILL');
    expect(atKill.status).toBe('RUNNING');
    expect(atKill.progress.rowsDone).toBeLessThan(SLICE_ROWS);
    serving = startServing(SERVING_B_PORT);
    S = `http://127.0.0.1:${SERVING_B_PORT}`;
    await waitReady(serving);
    const job = await waitJob(started.body.jobId);
    expect(job).toMatchObject({ status: 'SUCCEEDED', rowCount: SLICE_ROWS, progress: { rowsDone: SLICE_ROWS, rowsTotal: SLICE_ROWS } });
    const rows = await duck(`SELECT trip_id FROM read_parquet('${local(job.outputUri)}')`);
    expect(rows.map((r) => Number(r['trip_id']))).toEqual(Array.from({ length: SLICE_ROWS }, (_, i) => i + 1));
    // The workflow continued from its history: one scheduled scoreChunk per chunk (a restart from scratch would schedule more).
    const history = await temporal.workflow.getHandle(started.body.workflowId).fetchHistory();
    const scheduled = (history.events ?? []).filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'scoreChunk');
    expect(scheduled.length).toBe(SLICE_ROWS / 25);
  });
});
