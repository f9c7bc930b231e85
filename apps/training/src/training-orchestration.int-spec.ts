/** @jest-environment ../../libs/shared/testing/src/onnxruntime-environment.cjs */
/**
 * Issue 6 (training in depth) against the real stack, through the training service from source:
 * PostgreSQL (unique schema), Kafka (monitoring events in), Temporal (in-process worker on a
 * unique task queue). Ingestion, features and registry are small local HTTP servers answering
 * per docs/service-apis.md. The taxi training set is built from the NYC taxi sample CSVs in
 * /work/shared/datasets with DuckDB (the features service's point-in-time join is not under test
 * here). The external trainer is examples/trainers/sklearn-logistic in the `sklearn` venv.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { Client, Connection } from '@temporalio/client';
import { Kafka, logLevel } from 'kafkajs';
import * as ort from 'onnxruntime-node';
import { buildEnvelopeHeaders, DriftDetectedV1, PerformanceDegradedV1 } from '@strata/contracts';
import { TrainingApi } from '@strata/contracts/api';
import { dropSchemas, eventually, infraEnv, infraServiceEnv, pythonFor, repoRoot, startFakeJsonService, startService, uniqueName, waitReady, type RunningService } from '@strata/shared/testing';

jest.setTimeout(600_000);

type Json = Record<string, unknown>;

async function json(method: string, url: string, body?: unknown): Promise<{ status: number; body: Json }> {
  const res = await fetch(url, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Json };
}

const FEATURES = ['trip_request__trip_distance', 'trip_request__fare_amount', 'trip_request__passenger_count', 'trip_request__pickup_hour'];
const SPLIT = '2020-02-01T00:00:00Z';

describe('training orchestration (real PostgreSQL, Kafka, Temporal; sklearn external trainer)', () => {
  const env = infraEnv();
  const schema = uniqueName('training_orch');
  const taskQueue = uniqueName('strata-training-orch');
  const port = 25000 + Math.floor(Math.random() * 400);
  /** The REAL registry (experiment tracking); the fake registry below forwards `/experiments*` and `/runs*` to it. */
  const registrySchema = uniqueName('training_orch_reg');
  const registryPort = 28000 + Math.floor(Math.random() * 900);
  const realRegistry = () => `http://127.0.0.1:${registryPort}`;
  let registryService: RunningService | undefined;
  let dataDir: string;
  let service: RunningService;
  let parquet: { uri: string; sha256: string; rows: number; trainRows: number; evalRows: number };
  const closers: Array<() => Promise<void>> = [];
  /** Registry fake state: versions per model, registrations (body + idempotency key), alias moves. */
  const versions = new Map<string, Map<string, number>>();
  const registrations: Array<{ model: string; key: string; body: Json }> = [];
  const aliasMoves: Array<{ model: string; alias: string; body: Json }> = [];
  let python: string;
  // Unique model names: other engineers' training services consume the same monitoring topics.
  const M = { sk: uniqueName('taxi-sk').replace(/_/g, '-'), fail: uniqueName('taxi-sk-fail').replace(/_/g, '-'), cancel: uniqueName('taxi-sk-cancel').replace(/_/g, '-'), search: uniqueName('taxi-search').replace(/_/g, '-'), lr: uniqueName('taxi-lr').replace(/_/g, '-') };

  beforeAll(async () => {
    python = pythonFor('sklearn');
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'strata-training-orch-'));
    const file = path.join(dataDir, 'training-sets', 'big_tipper', 'taxi.parquet');
    await fs.mkdir(path.dirname(file), { recursive: true });
    const csvDir = path.resolve(repoRoot, '../shared/datasets/nyc-taxi-yellow-samples');
    const db = await DuckDBInstance.create(':memory:');
    const c = await db.connect();
    await c.run(`SET TimeZone='UTC'`);
    await c.run(`COPY (
        SELECT pickup_location_id::INTEGER AS pickup_location_id,
               CAST(pickup_datetime AS TIMESTAMP) AT TIME ZONE 'UTC' AS event_timestamp,
               trip_distance::DOUBLE AS trip_request__trip_distance,
               fare_amount::DOUBLE AS trip_request__fare_amount,
               passenger_count::INTEGER AS trip_request__passenger_count,
               hour(CAST(pickup_datetime AS TIMESTAMP))::INTEGER AS trip_request__pickup_hour,
               (tip_amount / fare_amount >= 0.2) AS label
        FROM read_csv_auto(['${csvDir}/yellow_tripdata_sample_2020-01.csv', '${csvDir}/yellow_tripdata_sample_2020-02.csv'])
        WHERE fare_amount > 0 AND CAST(pickup_datetime AS TIMESTAMP) >= TIMESTAMP '2020-01-01' AND CAST(pickup_datetime AS TIMESTAMP) < TIMESTAMP '2020-03-01'
      ) TO '${file}' (FORMAT parquet)`);
    const counts = (
      await c.runAndReadAll(`SELECT count(*)::INTEGER AS n, count(*) FILTER (WHERE event_timestamp < TIMESTAMPTZ '${SPLIT}')::INTEGER AS tr FROM read_parquet('${file}')`)
    ).getRowObjectsJson()[0]!;
    c.closeSync();
    db.closeSync();
    const rows = Number(counts['n']);
    parquet = { uri: pathToFileURL(file).href, sha256: createHash('sha256').update(await fs.readFile(file)).digest('hex'), rows, trainRows: Number(counts['tr']), evalRows: rows - Number(counts['tr']) };

    const features = await startFakeJsonService((req) =>
      req.method === 'POST'
        ? { status: 202, body: { id: 'ts-taxi', status: 'RUNNING' } }
        : {
            status: 200,
            body: {
              id: 'ts-taxi',
              status: 'SUCCEEDED',
              uri: parquet.uri,
              sha256: parquet.sha256,
              rowCount: parquet.rows,
              columns: ['pickup_location_id', 'event_timestamp', ...FEATURES, 'label'],
              featureRefs: FEATURES.map((f) => f.replace('__', ':')),
            },
          },
    );
    registryService = startService('registry', registryPort, {
      DATABASE_URL: env.databaseUrl,
      KAFKA_BROKERS: env.kafkaBrokers.join(','),
      REGISTRY_DB_SCHEMA: registrySchema,
      STRATA_DATA_DIR: dataDir,
      STRATA_AUTH_MODE: 'off',
    });
    const registry = await startFakeJsonService(async (req, body) => {
      if (/^\/(experiments|runs)(\/|\?|$)/.test(req.url ?? '')) {
        // Tracking: forwarded to the real registry, status + body as it answered.
        const res = await fetch(`${realRegistry()}${req.url}`, {
          method: req.method,
          headers: body === undefined ? {} : { 'content-type': 'application/json' },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        const text = await res.text();
        const contentType = res.headers.get('content-type') ?? 'application/json';
        return { status: res.status, body: contentType.includes('json') && text ? JSON.parse(text) : text, contentType: contentType.includes('json') ? undefined : contentType };
      }
      const m = /^\/registered-models\/([^/]+)\/(versions|aliases\/([^/]+))$/.exec(req.url ?? '');
      if (!m) return { status: 404, body: { error: 'not found' } };
      const model = decodeURIComponent(m[1]!);
      if (m[2] === 'versions' && req.method === 'POST') {
        const key = String(req.headers['idempotency-key']);
        const perModel = versions.get(model) ?? new Map<string, number>();
        versions.set(model, perModel);
        registrations.push({ model, key, body: body as Json });
        if (!perModel.has(key)) perModel.set(key, perModel.size + 1);
        return { status: 201, body: { name: model, version: perModel.get(key) } };
      }
      if (m[3] && req.method === 'PUT') {
        aliasMoves.push({ model, alias: decodeURIComponent(m[3]), body: body as Json });
        return { status: 200, body: { name: model, version: (body as Json)['version'] } };
      }
      return { status: 405, body: { error: 'method not allowed' } };
    });
    const ingestion = await startFakeJsonService((req) => {
      if (/\/versions$/.test(req.url ?? '')) {
        return {
          status: 200,
          body: [
            // the real answer's shape: `createdAt` is the time, `created` the boolean "made by this request"
            { datasetName: 'nyc_taxi_trips', versionId: 'v1', createdAt: '2026-01-01T00:00:00Z', created: false },
            { datasetName: 'nyc_taxi_trips', versionId: 'v3', createdAt: '2026-03-01T00:00:00Z', created: false },
            { datasetName: 'nyc_taxi_trips', versionId: 'v2', createdAt: '2026-02-01T00:00:00Z', created: false },
          ],
        };
      }
      return { status: 200, body: { contentSha256: 'c'.repeat(64) } };
    });
    closers.push(features.close, registry.close, ingestion.close);
    service = startService('training', port, {
      ...infraServiceEnv(env),
      TRAINING_DB_SCHEMA: schema,
      TRAINING_TASK_QUEUE: taskQueue,
      TRAINING_KAFKA_GROUP_ID: uniqueName('training-orch'),
      STRATA_DATA_DIR: dataDir,
      FEATURES_URL: features.url,
      REGISTRY_URL: registry.url,
      INGESTION_URL: ingestion.url,
      TRAINING_COMMAND_TRAINERS: JSON.stringify({ 'sklearn-logistic': [python, path.join(repoRoot, 'examples/trainers/sklearn-logistic/train.py')] }),
      TRAINING_COST_PER_CPU_HOUR: '0.5',
      TRAINING_COST_PER_GB_HOUR: '0.25',
      TRAINING_RETRAIN_COOLDOWN_SECONDS: '3600',
      TRAINING_RETRY_INITIAL_SECONDS: '0.5',
    });
    await Promise.all([waitReady(service), waitReady(registryService)]);
  });

  afterAll(async () => {
    await service?.stop();
    await registryService?.stop();
    for (const close of closers) await close();
    await dropSchemas(schema, registrySchema);
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  const base = () => `http://127.0.0.1:${port}`;
  const request = (modelName: string, requestId: string, params: Json, trainer = 'command:sklearn-logistic') => ({
    modelName,
    trainer,
    params,
    trainingSet: 'big_tipper',
    trainDatasetVersions: [{ datasetName: 'nyc_taxi_trips', versionId: 'v1' }],
    evaluation: { splitTime: SPLIT },
    requestId,
  });
  /** The registry's tracked run of a training run (the one run tagged with its id), once its final state is synced. */
  const trackedRun = (modelName: string, runId: string, finalStatus: 'FINISHED' | 'FAILED' | 'KILLED') =>
    eventually(async () => {
      const exps = await json('GET', `${realRegistry()}/experiments?filter=${encodeURIComponent(`name = '${modelName}'`)}`);
      const experiments = exps.body['experiments'] as Json[];
      expect(experiments.map((e) => e['name'])).toEqual([modelName]);
      const found = await json('POST', `${realRegistry()}/runs/search`, { experimentIds: [experiments[0]!['experimentId']], filter: `tags.\`strata.training_run_id\` = '${runId}'` });
      const runs = found.body['runs'] as Json[];
      expect(runs).toHaveLength(1);
      expect(runs[0]!['status']).toBe(finalStatus);
      const id = String(runs[0]!['runId']);
      const artifacts = (await json('GET', `${realRegistry()}/runs/${id}/artifacts`)).body as unknown as Json[];
      const log = await (await fetch(`${realRegistry()}/runs/${id}/log`)).text();
      return { run: runs[0]!, artifacts, log, experimentId: String(experiments[0]!['experimentId']) };
    }, 60_000, 300);
  /** Params as the tracking stores them (strings). */
  const asStrings = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, String(v)]));
  /** Latest metrics expected on a completed run: every evaluation metric + resources, at step 0, stamped at the end. */
  const expectedMetrics = (run: Json) => {
    const end = Date.parse(String(run['finishedAt']));
    const resources = run['resources'] as Record<string, number | null>;
    const all: Record<string, number | null | undefined> = {
      ...((run['metrics'] ?? {}) as Record<string, number>),
      'resource.wall_time_ms': resources['wallTimeMs'],
      'resource.cpu_seconds': resources['cpuSeconds'],
      'resource.peak_rss_bytes': resources['peakRssBytes'],
    };
    return Object.fromEntries(Object.entries(all).filter(([, v]) => typeof v === 'number').map(([key, value]) => [key, { key, value, step: 0, timestamp: end }]));
  };

  const waitStatus = (runId: string, status: string, ms = 240_000) =>
    eventually(async () => {
      const r = await json('GET', `${base()}/training-runs/${runId}`);
      expect(r.body['status']).toBe(status);
      return r.body;
    }, ms, 300);

  it('trains the taxi model with the sklearn external trainer: ONNX runs in onnxruntime-node, metrics, logs, cost', async () => {
    const res = await fetch(`${base()}/training-runs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-strata-actor': 'alice@example.com' },
      body: JSON.stringify(request(M.sk, uniqueName('req'), { C: 1, max_iter: 300 })),
    });
    const started = { status: res.status, body: (await res.json()) as Json };
    expect(started.status).toBe(202);
    const runId = String(started.body['runId']);
    const run = await waitStatus(runId, 'COMPLETED');
    expect(run).toMatchObject({ trainer: 'command:sklearn-logistic', modelVersion: 1, step: 'completed', featureViews: ['trip_request'] });
    const metrics = run['metrics'] as Record<string, number>;
    expect(metrics['trainer_sklearn_train_rows']).toBe(parquet.trainRows);
    expect(metrics['rows']).toBe(parquet.evalRows);
    expect(metrics['train_rows']).toBe(parquet.trainRows);
    expect(metrics['roc_auc']).toBeGreaterThan(0.55);
    expect(metrics['roc_auc']).toBeLessThanOrEqual(1);

    // The artifact: the expected signature, and its eval-slice accuracy equals the recorded metric.
    const bytes = await fs.readFile(new URL(String(run['artifactUri'])));
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(run['artifactSha256']);
    const session = await ort.InferenceSession.create(new Uint8Array(bytes));
    expect(session.inputNames).toEqual(['input']);
    expect(session.outputNames).toEqual(['probability']);
    const db = await DuckDBInstance.create(':memory:');
    const c = await db.connect();
    const evalRows = (
      await c.runAndReadAll(`SELECT ${FEATURES.map((f) => `CAST(${f} AS DOUBLE) AS ${f}`).join(', ')}, CAST(label AS INTEGER) AS label FROM read_parquet('${new URL(parquet.uri).pathname}') WHERE event_timestamp >= TIMESTAMPTZ '${SPLIT}'`)
    ).getRowObjectsJson();
    c.closeSync();
    db.closeSync();
    const data = new Float32Array(evalRows.length * FEATURES.length);
    evalRows.forEach((r, i) => FEATURES.forEach((f, j) => (data[i * FEATURES.length + j] = r[f] === null ? Number.NaN : Number(r[f]))));
    const out = await session.run({ input: new ort.Tensor('float32', data, [evalRows.length, FEATURES.length]) });
    expect(out['probability']!.dims).toEqual([evalRows.length, 1]);
    const probs = out['probability']!.data as Float32Array;
    const correct = evalRows.filter((r, i) => (probs[i]! >= 0.5 ? 1 : 0) === Number(r['label'])).length;
    expect(metrics['accuracy']).toBeCloseTo(correct / evalRows.length, 10);
    await session.release();

    const registered = registrations.filter((r) => r.model === M.sk);
    expect(registered).toHaveLength(1);
    expect(registered[0]!.body['signature']).toMatchObject({ inputs: [{ name: 'input', datatype: 'FP32', shape: [-1, 4] }], outputs: [{ name: 'probability', datatype: 'FP32', shape: [-1, 1] }] });

    const logs = await json('GET', `${base()}/training-runs/${runId}/logs`);
    expect(logs.status).toBe(200);
    expect(String(logs.body['text'])).toContain(`loaded ${parquet.trainRows} rows x 4 features`);
    expect(String(logs.body['text'])).toMatch(/exit code 0 after \d+ ms/);
    expect((logs.body['chunks'] as Json[]).every((ch) => ch['attempt'] === 1)).toBe(true);

    const resources = run['resources'] as Record<string, number | null>;
    expect(resources['cpuSeconds']).toBeGreaterThan(0.3); // python + sklearn import alone costs more than this
    expect(resources['peakRssBytes']).toBeGreaterThan(50_000_000);
    expect(resources['gpuUtilizationPct']).toBeNull(); // no nvidia-smi on this machine
    // Experiment tracking (real registry): experiment = model name, one tracked run with params,
    // step-0 metrics, status, times, who, tags, artifact and the captured log.
    const tracked = await trackedRun(M.sk, runId, 'FINISHED');
    expect(tracked.run).toMatchObject({
      userId: 'alice@example.com',
      startTime: Date.parse(String(run['createdAt'])),
      endTime: Date.parse(String(run['finishedAt'])),
      params: { C: '1', max_iter: '300' },
      tags: {
        'strata.training_run_id': runId,
        'strata.workflow_id': run['workflowId'],
        'strata.request_id': run['requestId'],
        'strata.trigger': 'manual',
        'strata.trainer': 'command:sklearn-logistic',
        'strata.training_set': 'big_tipper',
        'strata.training_status': 'COMPLETED',
        'strata.model_version': '1',
      },
    });
    expect(tracked.run['tags']).not.toHaveProperty('strata.parent_search_id');
    expect(tracked.run['latestMetrics']).toEqual(expectedMetrics(run));
    expect(tracked.artifacts.filter((a) => a['path'] === 'model.onnx')).toEqual([expect.objectContaining({ path: 'model.onnx', uri: run['artifactUri'], sha256: run['artifactSha256'] })]);
    expect(tracked.log).toBe(String(logs.body['text']));
    // Idempotent: the run's own row points at the same tracked run, and nothing was logged twice.
    const history = await json('GET', `${realRegistry()}/runs/${String(tracked.run['runId'])}/metrics/roc_auc/history`);
    expect((history.body as unknown as Json[]).map((p) => p['value'])).toEqual([metrics['roc_auc']]);

    const cost = run['cost'] as Record<string, number | string>;
    const cpuHours = (resources['cpuSeconds'] as number) / 3600;
    const gbHours = ((resources['peakRssBytes'] as number) / 2 ** 30) * ((resources['wallTimeMs'] as number) / 3_600_000);
    expect(cost).toEqual({ estimated: cpuHours * 0.5 + gbHours * 0.25, currency: 'USD', cpuHours, gbHours, ratePerCpuHour: 0.5, ratePerGbHour: 0.25 });
  });

  it('a non-zero exit fails the run with the tail of stderr (captured in the log)', async () => {
    const started = await json('POST', `${base()}/training-runs`, request(M.fail, uniqueName('req'), { fail: true }));
    const run = await waitStatus(String(started.body['runId']), 'FAILED');
    expect(run['step']).toBe('train');
    expect(run['error']).toEqual({
      code: 'TRAINER_FAILED',
      message: `External trainer '${path.basename(python)}' exited with code 3; stderr tail: ValueError: the example trainer was asked to fail (params.fail=true)`,
    });
    const logs = await json('GET', `${base()}/training-runs/${String(started.body['runId'])}/logs`);
    const chunks = logs.body['chunks'] as Array<{ stream: string; text: string }>;
    expect(chunks.filter((ch) => ch.stream === 'stderr').map((ch) => ch.text).join('')).toBe('ValueError: the example trainer was asked to fail (params.fail=true)\n');
    expect(chunks.filter((ch) => ch.stream === 'stdout').map((ch) => ch.text).join('')).toBe('about to fail on purpose\n');
    expect(registrations.some((r) => r.model === M.fail)).toBe(false);
    const tracked = await trackedRun(M.fail, String(started.body['runId']), 'FAILED');
    expect(tracked.run).toMatchObject({ userId: 'training:manual', params: { fail: 'true' }, endTime: Date.parse(String(run['finishedAt'])) });
    expect(tracked.run['latestMetrics']).toEqual(expectedMetrics(run)); // resources only: no evaluation
    expect(tracked.run['tags']).toMatchObject({ 'strata.training_status': 'FAILED', 'strata.error_code': 'TRAINER_FAILED', 'strata.trigger': 'manual' });
    expect(tracked.artifacts).toEqual([]);
    expect(tracked.log).toBe(`${String(logs.body['text'])}${String(logs.body['text']).endsWith('\n') ? '' : '\n'}[TRAINER_FAILED] ${(run['error'] as Json)['message']}\n`);
  });

  it('cancelling a run kills the trainer process', async () => {
    const started = await json('POST', `${base()}/training-runs`, request(M.cancel, uniqueName('req'), { sleep_seconds: 120 }));
    const runId = String(started.body['runId']);
    const logsUrl = `${base()}/training-runs/${runId}/logs`;
    await eventually(async () => expect(String((await json('GET', logsUrl)).body['text'])).toContain('sleeping 2/120'), 120_000, 300);
    expect((await json('POST', `${base()}/training-runs/${runId}/cancel`)).status).toBe(202);
    await waitStatus(runId, 'CANCELLED', 60_000);
    // The workflow records CANCELLED without waiting for the activity (TRY_CANCEL); the kill follows.
    const pid = await eventually(async () => {
      const text = String((await json('GET', logsUrl)).body['text']);
      const found = Number(/cancelled: killing process group (\d+)/.exec(text)?.[1]);
      expect(found).toBeGreaterThan(1);
      return found;
    }, 30_000, 200);
    await eventually(() => expect(() => process.kill(pid, 0)).toThrow(/ESRCH/), 15_000, 200);
  });

  it('bad trainer input → 400 naming the field', async () => {
    const unknown = await json('POST', `${base()}/training-runs`, request(M.sk, 'x1', {}, 'command:nope'));
    expect(unknown.status).toBe(400);
    expect(unknown.body['error']).toBe("trainer: command trainer 'nope' is not configured (TRAINING_COMMAND_TRAINERS has: sklearn-logistic)");
    const badParams = await json('POST', `${base()}/training-runs`, request(M.sk, 'x2', { l3: 1 }, 'logistic_regression'));
    expect(badParams.status).toBe(400);
    expect(String(badParams.body['error'])).toMatch(/params/);
  });

  it('built-in logistic_regression: the loss per iteration is the tracked run\'s train_loss step series', async () => {
    const started = await json('POST', `${base()}/training-runs`, request(M.lr, uniqueName('req'), { l2: 0.01, maxIterations: 50 }, 'logistic_regression'));
    expect(started.status).toBe(202);
    const runId = String(started.body['runId']);
    const run = await waitStatus(runId, 'COMPLETED');
    const tracked = await trackedRun(M.lr, runId, 'FINISHED');
    expect(tracked.run).toMatchObject({ userId: 'training:manual', params: { l2: '0.01', maxIterations: '50' }, tags: { 'strata.trainer': 'logistic_regression', 'strata.model_version': '1' } });
    const history = (await json('GET', `${realRegistry()}/runs/${String(tracked.run['runId'])}/metrics/train_loss/history`)).body as unknown as Array<{ step: number; value: number; timestamp: number }>;
    expect(history.length).toBeGreaterThanOrEqual(2);
    expect(history.length).toBeLessThanOrEqual(50);
    expect(history.map((p) => p.step)).toEqual(Array.from({ length: history.length }, (_, i) => i + 1)); // iterations 1..n, once each
    for (let i = 1; i < history.length; i++) {
      expect(history[i]!.value).toBeLessThanOrEqual(history[i - 1]!.value * (1 + 1e-12)); // Armijo line search: never increases
      expect(history[i]!.timestamp).toBeGreaterThanOrEqual(history[i - 1]!.timestamp);
    }
    expect(history[0]!.value).toBeGreaterThan(0);
    expect(history[0]!.timestamp).toBeGreaterThanOrEqual(Date.parse(String(run['createdAt'])));
    expect(history[history.length - 1]!.timestamp).toBeLessThanOrEqual(Date.parse(String(run['finishedAt'])));
    const last = history[history.length - 1]!;
    expect(tracked.run['latestMetrics']).toEqual({ ...expectedMetrics(run), train_loss: { key: 'train_loss', value: last.value, step: last.step, timestamp: last.timestamp } });
  });

  it('grid search: trials as child workflows (2 at a time), failed trials recorded, best by roc_auc registered once', async () => {
    const requestId = uniqueName('search');
    const started = await json('POST', `${base()}/training-searches`, {
      ...request(M.search, requestId, {}),
      search: { strategy: 'grid', space: { C: { values: [0.001, 1] }, fail: { values: [false, true] } }, metric: 'roc_auc', direction: 'maximize', parallelism: 2 },
    });
    expect(started.status).toBe(202);
    expect(started.body['trials']).toHaveLength(4);
    // the answer is the contract's (what the typed client's startTrainingSearch types and validates)
    expect(TrainingApi.startTrainingSearch.response.parse(started.body)).toMatchObject({ requestId, status: 'RUNNING', alreadyExists: false });
    const searchId = String(started.body['searchId']);
    const search = await eventually(async () => {
      const r = await json('GET', `${base()}/training-searches/${searchId}`);
      expect(r.body['status']).toBe('COMPLETED');
      return r.body;
    }, 300_000, 500);
    expect(TrainingApi.getTrainingSearch.response.parse(search).trials).toHaveLength(4);
    const trials = search['trials'] as Json[];
    expect(trials.map((t) => [t['params'], t['status'], t['parentSearchId']])).toEqual([
      [{ C: 0.001, fail: false }, 'COMPLETED', searchId],
      [{ C: 0.001, fail: true }, 'FAILED', searchId],
      [{ C: 1, fail: false }, 'COMPLETED', searchId],
      [{ C: 1, fail: true }, 'FAILED', searchId],
    ]);
    const completed = trials.filter((t) => t['status'] === 'COMPLETED');
    const aucs = completed.map((t) => (t['metrics'] as Record<string, number>)['roc_auc']!);
    const best = completed[aucs[0]! >= aucs[1]! ? 0 : 1]!;
    expect(search).toMatchObject({ completedTrials: 2, failedTrials: 2, bestRunId: best['runId'], bestMetric: Math.max(...aucs), modelVersion: 1, error: null });
    expect(best['modelVersion']).toBe(1);
    expect(completed.find((t) => t !== best)!['modelVersion']).toBeUndefined();
    const registered = registrations.filter((r) => r.model === M.search);
    expect(registered.map((r) => r.key)).toEqual([best['runId']]);
    expect(registered[0]!.body['params']).toEqual(best['params']);
    const listed = (await json('GET', `${base()}/training-runs?searchId=${searchId}`)).body as unknown as Json[];
    expect(listed).toHaveLength(4);
    // Every trial is a tracked run in the model's experiment, tagged with the search.
    for (const t of trials) {
      const row = listed.find((r) => r['runId'] === t['runId'])!;
      const ok = t['status'] === 'COMPLETED';
      const tracked = await trackedRun(M.search, String(t['runId']), ok ? 'FINISHED' : 'FAILED');
      expect(tracked.run['params']).toEqual(asStrings(t['params'] as Json));
      expect(tracked.run['tags']).toMatchObject({ 'strata.training_run_id': t['runId'], 'strata.parent_search_id': searchId, 'strata.training_status': t['status'], 'strata.workflow_id': row['workflowId'] });
      if (t === best) expect(tracked.run['tags']).toMatchObject({ 'strata.model_version': '1' });
      else expect(tracked.run['tags']).not.toHaveProperty('strata.model_version');
      if (ok) {
        expect(tracked.run['latestMetrics']).toEqual(expectedMetrics(row));
        expect(tracked.artifacts.find((a) => a['path'] === 'model.onnx')).toMatchObject({ uri: row['artifactUri'], sha256: row['artifactSha256'] });
      } else {
        expect(tracked.run['latestMetrics']).toEqual(expectedMetrics(row));
        expect(tracked.run['tags']).toMatchObject({ 'strata.error_code': 'TRAINER_FAILED' });
      }
    }
    const bad = await json('POST', `${base()}/training-searches`, { ...request(M.search, 'bad', {}), search: { strategy: 'grid', space: { C: { min: 0, max: 1 } } } });
    expect(bad.status).toBe(400);
    expect(bad.body['error']).toBe('search.space.C: grid search needs { values: [...] }, not a range');
  });

  it('retraining: drift → one retraining (a second event while it runs is skipped), fresh data, alias challenger, cooldown, schedule', async () => {
    const model = M.sk; // trained by the first test
    const kafka = new Kafka({ clientId: 'training-orch-test', brokers: env.kafkaBrokers, logLevel: logLevel.NOTHING });
    const producer = kafka.producer();
    await producer.connect();
    const now = new Date().toISOString();
    const drift = (detectionId: string): DriftDetectedV1 => ({
      detectionId,
      modelName: model,
      modelVersion: 1,
      windowStart: '2026-01-01T00:00:00Z',
      windowEnd: '2026-02-01T00:00:00Z',
      referenceProfileId: 'ref-1',
      sampleSize: 500,
      features: [
        { feature: 'trip_request__trip_distance', method: 'psi', score: 0.31, threshold: 0.2, drifted: true },
        { feature: 'trip_request__fare_amount', method: 'psi', score: 0.05, threshold: 0.2, drifted: false },
      ],
      datasetDrift: true,
      driftShare: 0.5,
      detectedAt: now,
    });
    const d1 = uniqueName('det');
    const d2 = uniqueName('det');
    const d0 = uniqueName('det'); // detected before the model's run finished → stale
    const dx = uniqueName('det'); // for a model never trained here
    const stale = { ...drift(d0), detectedAt: '2020-01-01T00:00:00Z' };
    const unknownModel = uniqueName('never-trained').replace(/_/g, '-');
    const other = { ...drift(dx), modelName: unknownModel };
    const msg = (contract: { type: string }, id: string, value: unknown) => ({ key: model, value: JSON.stringify(value), headers: buildEnvelopeHeaders({ id, source: '/strata/test', type: contract.type, subject: model }) });
    await producer.send({ topic: DriftDetectedV1.topic, messages: [msg(DriftDetectedV1, `${d0}-ce`, stale), { ...msg(DriftDetectedV1, `${dx}-ce`, other), key: unknownModel }] });
    await producer.send({ topic: DriftDetectedV1.topic, messages: [msg(DriftDetectedV1, `${d1}-ce`, drift(d1)), msg(DriftDetectedV1, `${d2}-ce`, drift(d2))] });
    const triggersUrl = `${base()}/retraining/${model}/triggers`;
    const all = await eventually(async () => {
      const list = (await json('GET', triggersUrl)).body as unknown as Json[];
      expect(list).toHaveLength(3);
      return list;
    }, 120_000, 300);
    expect(all.find((t) => t['triggerEventId'] === d0)).toMatchObject({ decision: 'SKIPPED_STALE', workflowId: null });
    const noRun = await eventually(async () => {
      const list = (await json('GET', `${base()}/retraining/${unknownModel}/triggers`)).body as unknown as Json[];
      expect(list).toHaveLength(1);
      return list[0]!;
    }, 60_000, 300);
    expect(noRun).toMatchObject({ decision: 'SKIPPED_NO_RUN', source: 'drift', triggerEventId: dx });
    const firstTwo = all.filter((t) => t['triggerEventId'] !== d0);
    const started = firstTwo.find((t) => t['triggerEventId'] === d1)!;
    expect(started).toMatchObject({ source: 'drift', decision: 'STARTED', workflowId: `retrain:${model}` });
    expect(String(started['reason'])).toBe(
      `drift on ${model} v1: 1/2 features drifted (share 0.5, dataset drift) [trip_request__trip_distance psi=0.3100>0.2] over 2026-01-01T00:00:00Z..2026-02-01T00:00:00Z`,
    );
    const skipped = firstTwo.find((t) => t['triggerEventId'] === d2)!;
    expect(skipped['decision']).toBe('SKIPPED_RUNNING');
    expect(String(skipped['reason'])).toContain(`skipped: retraining ${String(started['triggerId'])} (drift) is still running`);

    const done = await eventually(async () => {
      const list = (await json('GET', triggersUrl)).body as unknown as Json[];
      const t = list.find((x) => x['triggerEventId'] === d1)!;
      expect(t['status']).toBe('COMPLETED');
      return t;
    }, 300_000, 500);
    expect(done['modelVersion']).toBe(2);
    const run = (await json('GET', `${base()}/training-runs/${String(done['runId'])}`)).body;
    expect(run).toMatchObject({ status: 'COMPLETED', reason: 'drift', trainer: 'command:sklearn-logistic', params: { C: 1, max_iter: 300 }, modelVersion: 2, evaluation: {} });
    expect((run['datasetVersions'] as Json[]).map((d) => d['versionId'])).toEqual(['v3']); // the newest version
    expect(aliasMoves.filter((a) => a.model === model)).toEqual([
      { model, alias: 'challenger', body: { version: 2, actor: 'training', reason: expect.stringContaining(`retraining (drift): drift on ${model} v1`) } },
    ]);
    // the retraining is a tracked run too: triggered by the drift, with the trigger's reason
    const trackedRetrain = await trackedRun(model, String(done['runId']), 'FINISHED');
    expect(trackedRetrain.run).toMatchObject({
      userId: 'training:drift',
      params: { C: '1', max_iter: '300' },
      tags: { 'strata.trigger': 'drift', 'strata.trigger_reason': done['reason'], 'strata.model_version': '2', 'strata.request_id': `retrain-${String(done['triggerId'])}` },
    });
    expect(trackedRetrain.run['latestMetrics']).toEqual(expectedMetrics(run));

    // Within the cooldown: performance-degraded is recorded and skipped.
    const p1 = uniqueName('perf');
    // Detected after the retraining finished (an earlier detection would be SKIPPED_STALE).
    const perf: PerformanceDegradedV1 = { detectionId: p1, modelName: model, modelVersion: 1, metric: 'roc_auc', direction: 'higher-is-better', value: 0.52, baseline: 0.6, threshold: 0.05, sampleSize: 300, windowStart: '2026-01-01T00:00:00Z', windowEnd: '2026-02-01T00:00:00Z', detectedAt: new Date().toISOString() };
    await producer.send({ topic: PerformanceDegradedV1.topic, messages: [msg(PerformanceDegradedV1, `${p1}-ce`, perf)] });
    await producer.disconnect();
    const cooled = await eventually(async () => {
      const list = (await json('GET', triggersUrl)).body as unknown as Json[];
      const t = list.find((x) => x['triggerEventId'] === p1);
      expect(t).toBeDefined();
      return t!;
    }, 120_000, 300);
    expect(cooled['decision']).toBe('SKIPPED_COOLDOWN');
    expect(String(cooled['reason'])).toMatch(new RegExp(`^performance of ${model} v1: roc_auc 0.52 vs baseline 0.6 .* skipped: cooldown of 3600 s after retraining ${String(started['triggerId'])} \\(until `));

    // Schedule per model: created, described, fired (→ the same guarded path: skipped by the cooldown), deleted.
    const put = await json('PUT', `${base()}/retraining/${model}/schedule`, { intervalSeconds: 3600 });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ modelName: model, scheduleId: `retrain-schedule:${model}`, intervalSeconds: [3600], cron: [], paused: false });
    const cron = await json('PUT', `${base()}/retraining/${model}/schedule`, { cron: '0 3 * * *' });
    expect(cron.body).toMatchObject({ cron: ['0 3 * * *'], intervalSeconds: [] });
    expect(new Date(String((cron.body['nextActionTimes'] as string[])[0])).getUTCHours()).toBe(3);
    const connection = await Connection.connect({ address: env.temporalAddress });
    try {
      await new Client({ connection, namespace: env.temporalNamespace }).schedule.getHandle(`retrain-schedule:${model}`).trigger();
    } finally {
      await connection.close();
    }
    const scheduled = await eventually(async () => {
      const list = (await json('GET', triggersUrl)).body as unknown as Json[];
      const t = list.find((x) => x['source'] === 'schedule');
      expect(t).toBeDefined();
      return t!;
    }, 120_000, 300);
    expect(scheduled['decision']).toBe('SKIPPED_COOLDOWN');
    expect(String(scheduled['triggerEventId'])).toMatch(new RegExp(`^scheduled-retrain:${model}`));
    expect((await json('DELETE', `${base()}/retraining/${model}/schedule`)).status).toBe(200);
    expect((await json('GET', `${base()}/retraining/${model}/schedule`)).status).toBe(404);
    expect((await json('PUT', `${base()}/retraining/${model}/schedule`, { cron: '0 3 * * *', intervalSeconds: 60 })).status).toBe(400);
  });
});
