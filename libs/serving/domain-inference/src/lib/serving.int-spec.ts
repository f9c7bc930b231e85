/** @jest-environment ../../../libs/shared/testing/src/onnxruntime-environment.cjs */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { LocalObjectStore } from '@strata/shared/data-access-object-store';
import { dropSchemas, eventually, mulberry32, onnxProbabilities, twoVariantTrainingRows, uniqueName, waitForTable } from '@strata/shared/testing';
import { IntegrityError } from '@strata/shared/util-errors';
// Test-only cross-scope import: the brief asks to serve a model trained by the platform's own
// trainer; production serving code never imports training (module boundaries).
 
// eslint-disable-next-line @nx/enforce-module-boundaries -- a real ONNX model for the test, trained by training's trainer
import { exportLogisticRegressionToOnnx, trainLogisticRegression } from '@strata/training/util-trainers';
import { DataSource } from 'typeorm';
import { ModelRepository, type ModelVersionDescriptor } from './model-repository';
import { startServingTestApp } from '../testing/serving-test-app';

// 2,000 HTTP requests on a shared 2-core machine can exceed jest's 5 s default.
jest.setTimeout(120_000);

const FEATURES = ['zone_trip_stats__trips_1h', 'trip_request__trip_distance', 'pickup_hour'];

/** Deterministic tiny training set: label depends on distance (v1) or on hour (v2). */
function trainingData(variant: 1 | 2): { features: string[]; rows: number[][]; labels: number[] } {
  return { features: FEATURES, ...twoVariantTrainingRows(variant) };
}

describe('serving (ModelRepository + OIP v2 + predict) on real PostgreSQL', () => {
  const modelName = uniqueName('taxi-tip').replace(/_/g, '-');
  const schema = uniqueName('serving_it');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-serving-'));
  const store = new LocalObjectStore(dataDir);
  let app: NestFastifyApplication;
  let base: string;
  let repository: ModelRepository;
  let dataSource: DataSource;
  let featuresServer: http.Server;
  const featureRequests: unknown[] = [];
  const v1 = exportLogisticRegressionToOnnx(trainLogisticRegression(trainingData(1)), { modelVersion: 1 });
  const v2 = exportLogisticRegressionToOnnx(trainLogisticRegression(trainingData(2)), { modelVersion: 2 });
  let d1: ModelVersionDescriptor;
  let d2: ModelVersionDescriptor;

  beforeAll(async () => {
    const p1 = await store.put(`models/${modelName}/1/model.onnx`, Buffer.from(v1));
    const p2 = await store.put(`models/${modelName}/2/model.onnx`, Buffer.from(v2));
    d1 = { name: modelName, version: 1, artifactUri: p1.uri, artifactSha256: p1.sha256 };
    d2 = { name: modelName, version: 2, artifactUri: p2.uri, artifactSha256: p2.sha256 };

    // A stand-in for the features service (another service, not infrastructure): its feature repo
    // (GET /feature-views) and its Feast-compatible online endpoint, which computes the on-demand
    // view `trip_request` from `request_data` (hour in UTC) as the real service does.
    featuresServer = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        res.setHeader('content-type', 'application/json');
        if (req.method === 'GET' && req.url === '/feature-views') {
          res.end(JSON.stringify([
            { kind: 'feature_view', name: 'zone_trip_stats', entities: ['pickup_location_id'], features: [{ name: 'trips_1h', dtype: 'INT64' }] },
            {
              kind: 'on_demand_feature_view', name: 'trip_request',
              requestSchema: [{ name: 'trip_distance', dtype: 'FLOAT64' }, { name: 'fare_amount', dtype: 'FLOAT64' }, { name: 'passenger_count', dtype: 'INT64' }, { name: 'pickup_datetime', dtype: 'TIMESTAMP' }],
              features: [{ name: 'trip_distance', dtype: 'FLOAT64' }, { name: 'pickup_hour', dtype: 'INT32' }],
            },
          ]));
          return;
        }
        const parsed = JSON.parse(body) as { features: string[]; entities: Record<string, number[]>; request_data?: Record<string, unknown[]> };
        featureRequests.push(parsed);
        const zone = parsed.entities['pickup_location_id']?.[0];
        const rd = parsed.request_data ?? {};
        const pickup = typeof rd['pickup_datetime']?.[0] === 'string' ? new Date(rd['pickup_datetime'][0]) : undefined;
        const value = (ref: string) => {
          if (ref === 'zone_trip_stats:trips_1h') return zone === 132 ? { values: [9], statuses: ['PRESENT'], event_timestamps: ['2020-01-06T22:00:00Z'] } : { values: [null], statuses: ['NOT_FOUND'], event_timestamps: [null] };
          if (ref === 'trip_request:trip_distance') return { values: [rd['trip_distance']?.[0] ?? null], statuses: ['PRESENT'], event_timestamps: [null] };
          return { values: [pickup ? pickup.getUTCHours() : null], statuses: ['PRESENT'], event_timestamps: [null] };
        };
        res.end(JSON.stringify({
          metadata: { feature_names: ['pickup_location_id', ...parsed.features.map((f) => f.replace(':', '__'))] },
          results: [{ values: [zone], statuses: ['PRESENT'], event_timestamps: [null] }, ...parsed.features.map(value)],
        }));
      });
    });
    await new Promise<void>((r) => featuresServer.listen(0, '127.0.0.1', r));
    const featuresUrl = `http://127.0.0.1:${(featuresServer.address() as AddressInfo).port}`;

    ({ app, base } = await startServingTestApp({ schema, dataDir, serving: { featuresUrl } }));
    base = base.replace('[::1]', '127.0.0.1');
    repository = app.get(ModelRepository);
    dataSource = app.get(DataSource);
    await waitForTable(dataSource, schema, 'outbox_event');
  });

  afterAll(async () => {
    await app?.close();
    featuresServer?.close();
    await dropSchemas(schema);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const post = (url: string, body: unknown): Promise<Response> =>
    fetch(`${base}${url}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('refuses a tampered artifact whose sha256 differs from the registry record, reports it and raises one integrity alert in the outbox', async () => {
    // registered with the sha256 of v1's bytes, then altered on disk (one byte flipped, same size)
    const p7 = await store.put(`models/${modelName}/7/model.onnx`, Buffer.from(v1));
    const tamperedBytes = Buffer.from(v1);
    tamperedBytes.writeUInt8(tamperedBytes.readUInt8(tamperedBytes.length - 1) ^ 0xff, tamperedBytes.length - 1);
    fs.writeFileSync(path.join(dataDir, `models/${modelName}/7/model.onnx`), tamperedBytes);
    const actual = createHash('sha256').update(tamperedBytes).digest('hex');
    const wrong = { name: modelName, version: 7, artifactUri: p7.uri, artifactSha256: p7.sha256 };
    expect(actual).not.toBe(wrong.artifactSha256);
    await expect(repository.load(wrong)).rejects.toBeInstanceOf(IntegrityError);
    const alerts = ((await dataSource.query(`select key, payload from "${schema}"."outbox_event" where topic = 'strata.platform.artifact-integrity-failed.v1' order by seq`)) as Array<{ key: string; payload: Buffer }>)
      .map((r) => ({ key: r.key, ...JSON.parse(r.payload.toString('utf8')) }));
    expect(alerts).toEqual([{
      key: `${modelName}@7`, service: 'serving', resourceType: 'model-version', resource: `${modelName}@7`, uri: p7.uri,
      expectedSha256: p7.sha256, actualSha256: actual, sizeBytes: tamperedBytes.length, reason: 'sha256-mismatch', detectedAt: expect.any(String),
    }]);
    const status = (await (await fetch(`${base}/models?name=${modelName}`)).json()) as Array<{ version: number; state: string; error?: string }>;
    expect(status).toEqual([expect.objectContaining({ version: 7, state: 'FAILED', error: expect.stringContaining(`has sha256 ${actual}, the registry recorded ${wrong.artifactSha256}: refused`) })]);
    const ready = await fetch(`${base}/v2/models/${modelName}/versions/7/ready`);
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { error: string }).error).toMatch(/not ready: FAILED/);
    // known but never served: the model is not ready (503), inference finds no champion (404)
    expect((await fetch(`${base}/v2/models/${modelName}/ready`)).status).toBe(503);
    expect((await post(`/v2/models/${modelName}/infer`, { inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 3], data: [1, 2, 3] }] })).status).toBe(404);
  });

  it('serves the champion: OIP metadata and infer outputs equal onnxruntime run directly', async () => {
    await repository.load(d1);
    const meta = await (await fetch(`${base}/v2/models/${modelName}`)).json();
    expect(meta).toEqual({
      name: modelName, versions: ['1'], platform: 'onnxruntime_onnx',
      inputs: [{ name: 'input', datatype: 'FP32', shape: [-1, 3] }],
      outputs: [{ name: 'probability', datatype: 'FP32', shape: [-1, 1] }],
      // the input's columns, in signature order (OIP metadata `properties`, string values)
      properties: { 'strata.feature_names': JSON.stringify(FEATURES), 'strata.input.input.columns': JSON.stringify(FEATURES) },
    });
    expect(await (await fetch(`${base}/v2/models/${modelName}/ready`)).json()).toEqual({ name: modelName, version: '1', ready: true });
    expect(await (await fetch(`${base}/v2/health/ready`)).json()).toEqual({ ready: true });

    const rows = [[3, 1.2, 8], [0, 7.5, 23], [12, 4.4, 0]];
    const expected = await onnxProbabilities(v1, rows);
    const res = await post(`/v2/models/${modelName}/infer`, {
      id: 'req-1', parameters: { trace: 'abc' },
      inputs: [{ name: 'input', datatype: 'FP32', shape: [3, 3], data: rows }],
      outputs: [{ name: 'probability' }],
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      model_name: modelName, model_version: '1', id: 'req-1', parameters: { trace: 'abc' },
      outputs: [{ name: 'probability', datatype: 'FP32', shape: [3, 1], data: expected }],
    });
    // the same via /versions/1 with flat data
    const flat = await (await post(`/v2/models/${modelName}/versions/1/infer`, { inputs: [{ name: 'input', datatype: 'FP32', shape: [3, 3], data: rows.flat() }] })).json();
    expect((flat as { outputs: Array<{ data: number[] }> }).outputs[0]!.data).toEqual(expected);
  });

  it('answers 400 naming the tensor and 404 for unknown models/versions', async () => {
    const shape = await post(`/v2/models/${modelName}/infer`, { inputs: [{ name: 'input', datatype: 'FP32', shape: [2, 3], data: [1, 2, 3] }] });
    expect(shape.status).toBe(400);
    expect(await shape.json()).toEqual(expect.objectContaining({ error: "Input 'input': shape [2, 3] needs 6 elements, data has 3", code: 'INVALID_ARGUMENT' }));
    const dtype = await post(`/v2/models/${modelName}/infer`, { inputs: [{ name: 'input', datatype: 'INT64', shape: [1, 3], data: [1, 2, 3] }] });
    expect(dtype.status).toBe(400);
    expect(((await dtype.json()) as { error: string }).error).toBe("Input 'input': datatype INT64 does not match the model input's datatype FP32");
    expect((await post('/v2/models/no-such-model/infer', { inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 3], data: [1, 2, 3] }] })).status).toBe(404);
    expect((await post(`/v2/models/${modelName}/versions/99/infer`, { inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 3], data: [1, 2, 3] }] })).status).toBe(404);
    expect((await fetch(`${base}/v2/models/no-such-model`)).status).toBe(404);
  });

  it('predict: assembles online + request features in the model order, answers onnxruntime probability, logs through the outbox', async () => {
    const res = await post(`/models/${modelName}/predict`, {
      predictionId: 'pred-known-zone', eventTime: '2020-01-06T23:30:00Z',
      entities: { pickup_location_id: 132 },
      request: { trip_distance: 2.5, fare_amount: 11, passenger_count: 1, pickup_datetime: '2020-01-06T23:30:00Z' },
    });
    expect(res.status).toBe(200);
    const [expected] = await onnxProbabilities(v1, [[9, 2.5, 23]]);
    expect(await res.json()).toEqual({
      predictionId: 'pred-known-zone', modelName, modelVersion: 1, probability: expected,
      features: { zone_trip_stats__trips_1h: 9, trip_request__trip_distance: 2.5, pickup_hour: 23 },
      featureStatuses: { zone_trip_stats__trips_1h: 'PRESENT', trip_request__trip_distance: 'PRESENT', pickup_hour: 'PRESENT' },
    });
    // ONE call: the batch feature and the on-demand ones, with the request fields as request_data
    expect(featureRequests.at(-1)).toEqual({
      features: ['zone_trip_stats:trips_1h', 'trip_request:trip_distance', 'trip_request:pickup_hour'],
      entities: { pickup_location_id: [132] }, full_feature_names: true, as_of: '2020-01-06T23:30:00.000Z',
      request_data: { trip_distance: [2.5], fare_amount: [11], passenger_count: [1], pickup_datetime: ['2020-01-06T23:30:00.000Z'] },
    });

    // unknown zone → NOT_FOUND → NaN (the model imputes the training mean)
    const missing = (await (await post(`/models/${modelName}/predict`, {
      predictionId: 'pred-unknown-zone', entities: { pickup_location_id: 999 },
      request: { trip_distance: 2.5, fare_amount: null, passenger_count: null, pickup_datetime: '2020-01-06T23:30:00Z' },
    })).json()) as { probability: number; features: Record<string, unknown>; featureStatuses: Record<string, string> };
    const [imputed] = await onnxProbabilities(v1, [[NaN, 2.5, 23]]);
    expect(missing.probability).toBe(imputed);
    expect(missing.features['zone_trip_stats__trips_1h']).toBeNull();
    expect(missing.featureStatuses['zone_trip_stats__trips_1h']).toBe('NOT_FOUND');

    // a rejected request is never logged
    const bad = await post(`/models/${modelName}/predict`, { predictionId: 'pred-rejected', entities: {}, request: { pickup_datetime: 'soon' } });
    expect(bad.status).toBe(400);
    // unknown / missing / mistyped request fields: 400 naming the field and what the model takes
    const takes = `model ${modelName} v1 takes request fields trip_distance (FLOAT64), fare_amount (FLOAT64), passenger_count (INT64), pickup_datetime (TIMESTAMP)`;
    const full = { trip_distance: 2.5, fare_amount: 11, passenger_count: 1, pickup_datetime: '2020-01-06T23:30:00Z' };
    const calls = featureRequests.length;
    for (const [request, error] of [
      [{ ...full, foo: 1 }, `request.foo: unknown field; ${takes}`],
      [{ trip_distance: 2.5, fare_amount: 11, passenger_count: 1 }, `request.pickup_datetime: missing; ${takes}`],
      [{ ...full, pickup_datetime: 'soon' }, "request.pickup_datetime: 'soon' is not an ISO-8601 date-time"],
      [{ ...full, passenger_count: 'one' }, `request.passenger_count: expected INT64, got "one"; ${takes}`],
    ] as const) {
      const r = await post(`/models/${modelName}/predict`, { predictionId: 'pred-rejected', entities: { pickup_location_id: 132 }, request });
      expect(r.status).toBe(400);
      expect(((await r.json()) as { error: string }).error).toBe(error);
    }
    expect(featureRequests.length).toBe(calls); // rejected before any feature is fetched

    const rows = await eventually(async () => {
      const r = (await dataSource.query(`select key, payload from "${schema}"."outbox_event" where topic = 'strata.serving.prediction-logged.v1' order by seq`)) as Array<{ key: string; payload: Buffer }>;
      if (r.length < 2) throw new Error(`only ${r.length} logged`);
      return r.map((x) => ({ key: x.key, value: JSON.parse(x.payload.toString('utf8')) as Record<string, unknown> }));
    }, 10_000);
    expect(rows.map((r) => r.value['predictionId'])).toEqual(['pred-known-zone', 'pred-unknown-zone']);
    expect(rows[0]).toEqual({
      key: modelName,
      value: expect.objectContaining({
        predictionId: 'pred-known-zone', modelName, modelVersion: 1, alias: 'champion',
        features: { zone_trip_stats__trips_1h: 9, trip_request__trip_distance: 2.5, pickup_hour: 23 },
        outputs: { prediction: expected! >= 0.5 ? 1 : 0, probability: expected }, eventTime: '2020-01-06T23:30:00.000Z',
      }),
    });
  });

  it('hot-swaps the champion under load: every request succeeds on exactly one version', async () => {
    const rows = [[5, 6.1, 14]];
    const [p1] = await onnxProbabilities(v1, rows);
    const [p2] = await onnxProbabilities(v2, rows);
    expect(p1).not.toBe(p2);
    const body = { inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 3], data: rows }] };
    const requests = Array.from({ length: 150 }, (_, i) =>
      (async () => {
        if (i === 40) await repository.load(d2); // swap in the middle of the burst
        const res = await post(`/v2/models/${modelName}/infer`, body);
        return { status: res.status, body: (await res.json()) as { model_version: string; outputs: Array<{ data: number[] }> } };
      })(),
    );
    const results = await Promise.all(requests);
    for (const r of results) {
      expect(r.status).toBe(200);
      expect(r.body.outputs[0]!.data[0]).toBe(r.body.model_version === '1' ? p1 : p2);
    }
    expect(new Set(results.map((r) => r.body.model_version)).has('2')).toBe(true);
    const after = (await (await post(`/v2/models/${modelName}/infer`, body)).json()) as { model_version: string; outputs: Array<{ data: number[] }> };
    expect(after.model_version).toBe('2');
    expect(after.outputs[0]!.data[0]).toBe(p2);
    expect(((await (await fetch(`${base}/v2/models/${modelName}`)).json()) as { versions: string[] }).versions).toEqual(['2']);
  });

  it('fuzz: 2,000 generated malformed requests are all answered 4xx, never 5xx, and none is logged as a prediction', async () => {
    await repository.load(d1);
    // deterministic generator (mulberry32) so a failure reproduces
    const rnd = mulberry32(20261129);
    const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    // values that are not an FP32 element (numbers and "NaN"/"Infinity" strings are valid)
    const junk = [null, true, 'x', '', 'NaN ', {}, [], [[]], { a: 1 }, 'Infinity1', '1', [1, [2]]] as const;
    const valid = (): Record<string, unknown> => ({ id: 'fuzz', parameters: { prediction_id: `fuzz-${Math.floor(rnd() * 1e9)}`, event_time: '2020-02-01T00:00:00Z' }, inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 3], data: [1, 2, 3] }] });
    const mutations: Array<() => { path: string; body: string }> = [
      () => { const b = valid(); (b['inputs'] as Array<Record<string, unknown>>)[0]!['datatype'] = pick(['INT64', 'BYTES', 'BOOL', 'FP16', 'XYZ', '', 7, null, 'fp32']); return { path: 'infer', body: JSON.stringify(b) }; },
      () => { const b = valid(); (b['inputs'] as Array<Record<string, unknown>>)[0]!['shape'] = pick([[3], [1, 4], [2, 3], [0, 3], [1, -1], [1.5, 3], ['1', 3], [], [1, 3, 1], null, 'x']); return { path: 'infer', body: JSON.stringify(b) }; },
      () => { const b = valid(); const d = [1, 2, 3] as unknown[]; d[Math.floor(rnd() * 3)] = pick(junk); (b['inputs'] as Array<Record<string, unknown>>)[0]!['data'] = d; return { path: 'infer', body: JSON.stringify(b) }; },
      () => { const b = valid(); (b['inputs'] as Array<Record<string, unknown>>)[0]!['data'] = pick([null, 'abc', {}, [[1, 2], [3]], [[[1, 2, 3]]], [1, 2], [1, 2, 3, 4], []]); return { path: 'infer', body: JSON.stringify(b) }; },
      () => { const b = valid(); b['inputs'] = pick([[], null, {}, 'input', [{}], [{ name: 'other', datatype: 'FP32', shape: [1, 3], data: [1, 2, 3] }], [{ name: 'input', datatype: 'FP32', shape: [1, 3], data: [1, 2, 3] }, { name: 'input', datatype: 'FP32', shape: [1, 3], data: [1, 2, 3] }]]); return { path: 'infer', body: JSON.stringify(b) }; },
      () => { const b = valid(); b['outputs'] = pick([[{ name: 'nope' }], [{}], 'probability', [{ name: 'probability' }, { name: 'probability' }], [null]]); return { path: 'infer', body: JSON.stringify(b) }; },
      () => { const b = valid(); b['parameters'] = pick([{ prediction_id: { x: 1 } }, { prediction_id: 'p', event_time: 'not-a-time' }, { event_time: [1] }, 'x', [1]]); return { path: 'infer', body: JSON.stringify(b) }; },
      () => ({ path: 'infer', body: pick(['{', 'not json', '[]', '"x"', '42', 'null', '{"inputs": [', '\u0000', '{"inputs":{}}']) }),
      () => ({ path: pick(['infer-unknown-model', 'infer-unknown-version', 'infer-bad-version']), body: JSON.stringify(valid()) }),
      () => { const b: Record<string, unknown> = { predictionId: pick(['', 5, null, 'p']), eventTime: pick(['x', 3, '2020-13-01T00:00:00Z', null]), entities: pick([null, {}, { pickup_location_id: {} }, 'x']), request: pick([null, 'x', { trip_distance: 'far' }, { pickup_datetime: 'yesterday' }]) }; return { path: 'predict', body: JSON.stringify(b) }; },
    ];
    const url = (p: string): string =>
      p === 'infer' ? `/v2/models/${modelName}/infer`
      : p === 'infer-unknown-model' ? '/v2/models/no-such-model/infer'
      : p === 'infer-unknown-version' ? `/v2/models/${modelName}/versions/77/infer`
      : p === 'infer-bad-version' ? `/v2/models/${modelName}/versions/-1/infer`
      : `/models/${modelName}/predict`;
    const outboxRows = async (): Promise<number> => Number(((await dataSource.query(`select count(*) as n from "${schema}"."outbox_event"`)) as Array<{ n: string }>)[0]!.n);
    const before = await outboxRows();
    const statuses = new Map<number, number>();
    const serverErrors: string[] = [];
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < 2000) {
        next++;
        const { path: p, body } = pick(mutations)();
        const res = await fetch(`${base}${url(p)}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        const text = await res.text();
        if (res.status >= 500 || res.status < 400) serverErrors.push(`${res.status} ${url(p)} ${body.slice(0, 200)} -> ${text.slice(0, 200)}`);
        else expect(JSON.parse(text)).toEqual(expect.objectContaining({ error: expect.any(String) }));
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    expect(serverErrors.slice(0, 10)).toEqual([]);
    expect([...statuses.keys()].every((s) => s >= 400 && s < 500)).toBe(true);
    // A valid monitored request afterwards: once its log row is in the outbox, everything queued
    // before it has been flushed too — and it must be the only new row.
    const ok = await post(`/v2/models/${modelName}/infer`, { parameters: { prediction_id: 'fuzz-canary' }, inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 3], data: [1, 2, 3] }] });
    expect(ok.status).toBe(200);
    await eventually(async () => expect(await outboxRows()).toBe(before + 1), 20_000);
  });
});
