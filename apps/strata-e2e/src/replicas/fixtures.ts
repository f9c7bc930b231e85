/**
 * Data and models of the replica test: a small synthetic taxi CSV in the shape of
 * examples/taxi/dataset.yaml, the example feature repo (entity, zone_trip_stats, trip_request),
 * two logistic-regression ONNX models over three served features, and a JSON helper with a
 * bounded time per call.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, twoVariantTrainingRows } from '@strata/shared/testing';
// The models are trained by the platform's own trainer (an e2e project may import any scope).
import { exportLogisticRegressionToOnnx, trainLogisticRegression } from '@strata/training/util-trainers';
import { parse as parseYaml } from 'yaml';

/** Features of the served models, in input order. */
export const MODEL_FEATURES = ['zone_trip_stats__trips_1h', 'trip_request__trip_distance', 'pickup_hour'];
/** Zones of the synthetic trips (entity `pickup_location_id`). */
export const ZONES = [4, 13, 48, 79, 132, 161, 230, 236];

const COLUMNS = [
  'vendor_id', 'pickup_datetime', 'dropoff_datetime', 'passenger_count', 'trip_distance', 'rate_code_id', 'store_and_fwd_flag',
  'pickup_location_id', 'dropoff_location_id', 'payment_type', 'fare_amount', 'extra', 'mta_tax', 'tip_amount', 'tolls_amount',
  'improvement_surcharge', 'total_amount', 'congestion_surcharge',
];

/** `n` trips on 2020-01-06 (one every 2 minutes, round-robin over {@link ZONES}) as CSV. */
export function tripsCsv(n: number): string {
  const lines = [COLUMNS.join(',')];
  const t0 = Date.parse('2020-01-06T06:00:00Z');
  const fmt = (ms: number): string => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
  for (let i = 0; i < n; i++) {
    const pickup = t0 + i * 120_000;
    const distance = 0.5 + ((i * 37) % 90) / 10;
    const fare = Math.round((3 + distance * 2.5) * 100) / 100;
    const tip = i % 3 === 0 ? 0 : Math.round(fare * 0.2 * 100) / 100;
    lines.push([1, fmt(pickup), fmt(pickup + 900_000), 1 + (i % 3), distance.toFixed(1), 1, 'N', ZONES[i % ZONES.length], 100 + (i % 50), i % 4 === 0 ? 2 : 1, fare, 0.5, 0.5, tip, 0, 0.3, (fare + tip + 1.3).toFixed(2), 2.5].join(','));
  }
  return lines.join('\n') + '\n';
}

/**
 * The taxi dataset spec (examples/taxi/dataset.yaml as JSON) under the name `dataset`: a name
 * of the test's own, so dataset versions other runs announce on the shared topic never match a
 * view of this test.
 */
export function datasetSpec(dataset: string): Record<string, unknown> {
  return { ...(parseYaml(fs.readFileSync(path.join(REPO_ROOT, 'examples/taxi/dataset.yaml'), 'utf8')) as Record<string, unknown>), name: dataset };
}

/** The example feature repo documents the models need, with zone_trip_stats reading `dataset`. */
export function featureRepoDocuments(dataset: string): Array<{ file: string; content: string }> {
  return ['entities.yaml', 'zone_trip_stats.yaml', 'trip_request.yaml'].map((file) => ({
    file,
    content: fs.readFileSync(path.join(REPO_ROOT, 'examples/taxi/feature_repo', file), 'utf8').replace('datasetName: nyc_taxi_trips', `datasetName: ${dataset}`),
  }));
}

/** ONNX bytes of a model whose label depends on distance (variant 1) or on the hour (variant 2). */
export function modelBytes(variant: 1 | 2): Uint8Array {
  return exportLogisticRegressionToOnnx(trainLogisticRegression({ features: MODEL_FEATURES, ...twoVariantTrainingRows(variant) }), { modelVersion: variant });
}

/** Writes `bytes` under `<dataDir>/models/<model>/<tag>/model.onnx`; returns its file URI and sha256. */
export function storeArtifact(dataDir: string, model: string, tag: string, bytes: Uint8Array): { uri: string; sha256: string } {
  const file = path.join(dataDir, 'models', model, tag, 'model.onnx');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, bytes);
  return { uri: `file://${file}`, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/** Body of `POST /registered-models/{m}/versions` for an artifact. */
export function registration(runId: string, artifact: { uri: string; sha256: string }): Record<string, unknown> {
  return {
    runId,
    artifactUri: artifact.uri,
    artifactSha256: artifact.sha256,
    signature: { inputs: [{ name: 'input', datatype: 'FP32', shape: [-1, MODEL_FEATURES.length] }], outputs: [{ name: 'probability', datatype: 'FP32', shape: [-1, 1] }] },
    metrics: { roc_auc: 0.7 },
    params: {},
    lineage: { datasetVersions: [], featureViews: ['zone_trip_stats'], trainingSet: 'replicas-e2e', codeVersion: 'test' },
  };
}

/** A JSON call with a bearer key, bounded by `timeoutMs`; resolves with status and parsed body. */
export async function call<T = unknown>(method: string, url: string, key: string, body?: unknown, timeoutMs = 15_000): Promise<{ status: number; body: T }> {
  const res = await fetch(url, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body: parsed as T };
}

/** {@link call} that throws (with the answer) unless the status is one of `ok`. */
export async function callOk<T = unknown>(method: string, url: string, key: string, body?: unknown, ok: number[] = [200, 201, 202], timeoutMs = 15_000): Promise<T> {
  const r = await call<T>(method, url, key, body, timeoutMs);
  if (!ok.includes(r.status)) throw new Error(`${method} ${url} → ${r.status}: ${JSON.stringify(r.body).slice(0, 500)}`);
  return r.body;
}
