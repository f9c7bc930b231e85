/** @jest-environment ../../libs/shared/testing/src/onnxruntime-environment.cjs */
/**
 * The serving service from source against the real stack: a registry instance (fresh schema) and
 * a serving instance (fresh schema, own consumer group, batching on for one model), real Kafka
 * (alias and rollout events), PostgreSQL (outboxes) and the official tritonclient[http] client.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { InferenceFailedV1, ModelAliasChangedV1, ModelRolloutChangedV1, PredictionLoggedV1 } from '@strata/contracts';
import { stickyPosition } from '@strata/serving/domain-inference';
import { LocalObjectStore } from '@strata/shared/data-access-object-store';
import { eventually, infraEnv, onnxProbabilities, pythonFor, repoRoot, startGroupAtEnd, startService, twoVariantTrainingRows, uniqueName, waitReady, type RunningService } from '@strata/shared/testing';
// Test-only cross-scope import: models trained by the platform's own trainer.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { exportLogisticRegressionToOnnx, trainLogisticRegression } from '@strata/training/util-trainers';
import { onnx } from 'onnx-proto';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { DataSource } from 'typeorm';

jest.setTimeout(300_000);

const REGISTRY_PORT = 27101;
const SERVING_PORT = 27102;
const FEATURES = ['zone_trip_stats__trips_1h', 'trip_request__trip_distance', 'pickup_hour'];
const tag = uniqueName('srv').slice(4).replace(/_/g, '-');
const MODEL = `srv-${tag}-taxi`;
const BATCHED = `srv-${tag}-batched`;
const FAILING = `srv-${tag}-failing`;
const MULTI = `srv-${tag}-multi`;
const servingSchema = uniqueName('serving_svc_it');
const registrySchema = uniqueName('registry_svc_it');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-serving-svc-'));
const store = new LocalObjectStore(dataDir);

function trainingData(variant: 1 | 2): { features: string[]; rows: number[][]; labels: number[] } {
  return { features: FEATURES, ...twoVariantTrainingRows(variant) };
}
const v1 = exportLogisticRegressionToOnnx(trainLogisticRegression(trainingData(1)), { modelVersion: 1 });
const v2 = exportLogisticRegressionToOnnx(trainLogisticRegression(trainingData(2)), { modelVersion: 2 });

const dim = (d: number | string): onnx.TensorShapeProto.IDimension => (typeof d === 'number' ? { dimValue: d } : { dimParam: d });
const valueInfo = (name: string, elemType: number, dims: Array<number | string>): onnx.IValueInfoProto => ({ name, type: { tensorType: { elemType, shape: { dim: dims.map(dim) } } } });
function onnxModel(graph: onnx.IGraphProto): Uint8Array {
  return onnx.ModelProto.encode({ irVersion: 8, producerName: 'strata-test', opsetImport: [{ domain: '', version: 13 }], graph }).finish();
}
const T = onnx.TensorProto.DataType;
/** Reshape [N, 3] → [2, -1]: fine for even N, a runtime error for N = 1 (a server-side failure). */
const failing = onnxModel({
  name: 'failing',
  node: [{ opType: 'Reshape', input: ['input', 'shape'], output: ['probability'], name: 'reshape' }],
  initializer: [{ name: 'shape', dataType: T.INT64, dims: [2], int64Data: [2, -1] }],
  input: [valueInfo('input', T.FLOAT, ['n', 3])],
  output: [valueInfo('probability', T.FLOAT, [2, 'm'])],
});
/** INT64 and BYTES: doubled = ints + ints, same_words = words. */
const multi = onnxModel({
  name: 'multi',
  node: [
    { opType: 'Add', input: ['ints', 'ints'], output: ['doubled'], name: 'add' },
    { opType: 'Identity', input: ['words'], output: ['same_words'], name: 'id' },
  ],
  input: [valueInfo('ints', T.INT64, ['n', 2]), valueInfo('words', T.STRING, ['k'])],
  output: [valueInfo('doubled', T.INT64, ['n', 2]), valueInfo('same_words', T.STRING, ['k'])],
});

const ort = onnxProbabilities;

let registry: RunningService;
let serving: RunningService;
let db: DataSource;
const R = `http://127.0.0.1:${REGISTRY_PORT}`;
const S = `http://127.0.0.1:${SERVING_PORT}`;

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any
async function send(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: Json }> {
  const res = await fetch(url, { method, headers: { 'content-type': 'application/json', ...headers }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

async function register(name: string, runId: string, bytes: Uint8Array, signature: unknown): Promise<number> {
  const put = await store.put(`models/${name}/${runId}/model.onnx`, Buffer.from(bytes));
  const res = await send('POST', `${R}/registered-models/${name}/versions`, {
    runId, artifactUri: put.uri, artifactSha256: put.sha256, signature, lineage: { datasetVersions: [], featureViews: [] },
  });
  expect(res.status).toBe(201);
  return res.body.version as number;
}
const LR_SIGNATURE = { inputs: [{ name: 'input', datatype: 'FP32', shape: [-1, 3] }], outputs: [{ name: 'probability', datatype: 'FP32', shape: [-1, 1] }] };

const infer = (model: string, rows: number[][], parameters?: Record<string, string>, headers?: Record<string, string>): Promise<{ status: number; body: Json }> =>
  send('POST', `${S}/v2/models/${model}/infer`, { ...(parameters ? { parameters } : {}), inputs: [{ name: 'input', datatype: 'FP32', shape: [rows.length, 3], data: rows }] }, headers);

async function outbox(topic: string, key: string): Promise<Json[]> {
  const rows: Array<{ payload: Buffer }> = await db.query(`SELECT payload FROM "${servingSchema}".outbox_event WHERE topic = $1 AND key = $2 ORDER BY seq`, [topic, key]);
  return rows.map((r) => JSON.parse(r.payload.toString('utf8')));
}

async function routeApplied(expected: Json): Promise<void> {
  await eventually(async () => expect((await send('GET', `${S}/models/${MODEL}/rollout`)).body.route).toEqual(expected), 60_000, 100);
}

beforeAll(async () => {
  const env = infraEnv();
  const group = uniqueName('serving-svc-it');
  await startGroupAtEnd(env.kafkaBrokers, group, [ModelAliasChangedV1.topic, ModelRolloutChangedV1.topic]);
  registry = startService('registry', REGISTRY_PORT, { REGISTRY_DB_SCHEMA: registrySchema, STRATA_DATA_DIR: dataDir });
  serving = startService('serving', SERVING_PORT, {
    SERVING_DB_SCHEMA: servingSchema,
    SERVING_CONSUMER_GROUP: group,
    REGISTRY_URL: R,
    STRATA_DATA_DIR: dataDir,
    SERVING_BATCHING: JSON.stringify({ [BATCHED]: { maxBatchSize: 16, maxDelayMs: 20 } }),
    SERVING_MAX_BODY_BYTES: String(4 * 1024 * 1024),
  });
  await Promise.all([waitReady(registry), waitReady(serving)]);
  db = new DataSource({ type: 'postgres', url: env.databaseUrl });
  await db.initialize();

  expect(await register(MODEL, 'taxi-1', v1, LR_SIGNATURE)).toBe(1);
  expect(await register(MODEL, 'taxi-2', v2, LR_SIGNATURE)).toBe(2);
  expect((await send('PUT', `${R}/registered-models/${MODEL}/aliases/challenger`, { version: 2 })).status).toBe(200);
  await register(BATCHED, 'batched-1', v1, LR_SIGNATURE);
  await register(FAILING, 'failing-1', failing, LR_SIGNATURE);
  await register(MULTI, 'multi-1', multi, {
    inputs: [{ name: 'ints', datatype: 'INT64', shape: [-1, 2] }, { name: 'words', datatype: 'BYTES', shape: [-1] }],
    outputs: [{ name: 'doubled', datatype: 'INT64', shape: [-1, 2] }, { name: 'same_words', datatype: 'BYTES', shape: [-1] }],
  });
  await eventually(async () => {
    for (const [m, ref] of [[MODEL, ''], [MODEL, '/versions/challenger'], [BATCHED, ''], [FAILING, ''], [MULTI, '']] as const) {
      const res = await fetch(`${S}/v2/models/${m}${ref}/ready`);
      if (res.status !== 200) throw new Error(`${m}${ref} not ready: ${res.status}`);
    }
  }, 90_000, 200);
});

afterAll(async () => {
  await serving?.stop();
  await registry?.stop();
  await db?.query(`DROP SCHEMA IF EXISTS "${servingSchema}" CASCADE`);
  await db?.query(`DROP SCHEMA IF EXISTS "${registrySchema}" CASCADE`);
  await db?.destroy();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('rollouts end to end (registry → Kafka → serving)', () => {
  const row = [[5, 6.1, 14]];
  let p1: number;
  let p2: number;
  beforeAll(async () => {
    p1 = (await ort(v1, row))[0]!;
    p2 = (await ort(v2, row))[0]!;
    expect(p1).not.toBe(p2);
  });

  it('canary 30%: the challenger share of 1,000 requests is within binomial bounds, answers are exactly v1 or v2', async () => {
    const started = await send('POST', `${R}/models/${MODEL}/rollouts`, { mode: 'canary', challengerWeight: 0.3, reason: 'canary test' }, { 'x-strata-actor': 'it' });
    expect(started.status).toBe(201);
    await routeApplied({ rolloutId: started.body.rolloutId, mode: 'canary', championVersion: 1, challengerVersion: 2, challengerWeight: 0.3, stickyKey: null });
    const N = 1000;
    let challenger = 0;
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < N) {
        next++;
        const res = await infer(MODEL, row);
        expect(res.status).toBe(200);
        const version = res.body.model_version as string;
        expect(res.body.outputs[0].data[0]).toBe(version === '2' ? p2 : p1);
        if (version === '2') challenger++;
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    // Binomial(N, 0.3): mean 300, sd 14.5; ±4.5 sd fails by chance with p ≈ 7e-6.
    const sd = Math.sqrt(N * 0.3 * 0.7);
    expect(challenger).toBeGreaterThanOrEqual(Math.floor(N * 0.3 - 4.5 * sd));
    expect(challenger).toBeLessThanOrEqual(Math.ceil(N * 0.3 + 4.5 * sd));
    const metrics = await (await fetch(`${S}/metrics`)).text();
    expect(metrics).toContain(`strata_serving_request_duration_seconds_count{model="${MODEL}",version="2",alias="challenger"} ${challenger}`);
    expect(metrics).toContain(`strata_serving_request_duration_seconds_count{model="${MODEL}",version="1",alias="champion"} ${N - challenger}`);
  });

  it('rollback → 100% champion; a new sticky canary starts from its own route only and pins every key to one version', async () => {
    const rb = await send('POST', `${R}/models/${MODEL}/rollouts/current/rollback`, { reason: 'error rate' }, { 'x-strata-actor': 'monitoring:auto-rollback' });
    expect(rb.status).toBe(200);
    await routeApplied(null);
    const after = await Promise.all(Array.from({ length: 200 }, () => infer(MODEL, row)));
    expect(after.map((r) => r.body.model_version)).toEqual(Array(200).fill('1'));

    const sticky = await send('POST', `${R}/models/${MODEL}/rollouts`, { mode: 'canary', challengerWeight: 0.5, stickyKey: 'user_id' });
    expect(sticky.status).toBe(201);
    const rolloutId = sticky.body.rolloutId as string;
    await routeApplied({ rolloutId, mode: 'canary', championVersion: 1, challengerVersion: 2, challengerWeight: 0.5, stickyKey: 'user_id' });
    const seen = new Map<string, Set<string>>();
    for (let round = 0; round < 5; round++) {
      await Promise.all(Array.from({ length: 40 }, async (_, u) => {
        const user = `user-${u}`;
        // the key as an OIP request parameter, or as an HTTP header of the same name
        const res = round % 2 === 0 ? await infer(MODEL, row, { user_id: user }) : await infer(MODEL, row, undefined, { user_id: user });
        expect(res.status).toBe(200);
        if (!seen.has(user)) seen.set(user, new Set());
        seen.get(user)!.add(res.body.model_version as string);
      }));
    }
    for (const [user, versions] of seen) {
      expect([user, [...versions]]).toEqual([user, [stickyPosition(rolloutId, user) < 0.5 ? '2' : '1']]);
    }
    const both = new Set([...seen.values()].map((v) => [...v][0]));
    expect(both).toEqual(new Set(['1', '2']));
    expect((await send('POST', `${R}/models/${MODEL}/rollouts/current/rollback`, { reason: 'done' })).status).toBe(200);
    await routeApplied(null);
  });

  it('shadow: the champion answers, the challenger copy is logged as <id>:shadow (alias challenger) and never returned', async () => {
    const started = await send('POST', `${R}/models/${MODEL}/rollouts`, { mode: 'shadow', challengerVersion: 2 });
    expect(started.status).toBe(201);
    await routeApplied({ rolloutId: started.body.rolloutId, mode: 'shadow', championVersion: 1, challengerVersion: 2, challengerWeight: 0, stickyKey: null });
    const ids = Array.from({ length: 20 }, (_, i) => `shadow-${tag}-${i}`);
    const answers = await Promise.all(ids.map((id) => infer(MODEL, row, { prediction_id: id })));
    for (const a of answers) {
      expect(a.status).toBe(200);
      expect(a.body.model_version).toBe('1');
      expect(a.body.outputs).toEqual([{ name: 'probability', datatype: 'FP32', shape: [1, 1], data: [p1] }]);
    }
    const logged = await eventually(async () => {
      const rows = (await outbox(PredictionLoggedV1.topic, MODEL)).filter((e) => String(e.predictionId).startsWith(`shadow-${tag}-`));
      if (rows.length < 40) throw new Error(`${rows.length} of 40 logged`);
      return rows;
    }, 30_000);
    const byId = new Map(logged.map((e) => [e.predictionId as string, e]));
    for (const id of ids) {
      expect(byId.get(id)).toEqual(expect.objectContaining({ modelVersion: 1, alias: 'champion', outputs: { prediction: p1! >= 0.5 ? 1 : 0, probability: p1 } }));
      expect(byId.get(`${id}:shadow`)).toEqual(expect.objectContaining({ modelVersion: 2, alias: 'challenger', outputs: { prediction: p2! >= 0.5 ? 1 : 0, probability: p2 } }));
    }
    expect(logged).toHaveLength(40);
    expect((await send('POST', `${R}/models/${MODEL}/rollouts/current/rollback`, { reason: 'shadow done' })).status).toBe(200);
    await routeApplied(null);
  });
});

describe('failures, limits, batching', () => {
  it('publishes InferenceFailedV1 for a model execution failure (500), not for a 400', async () => {
    const bad = await infer(FAILING, [[1, 2, 3]]);
    expect(bad.status).toBe(500);
    const ok = await infer(FAILING, [[1, 2, 3], [4, 5, 6]]);
    expect(ok.status).toBe(200);
    expect(ok.body.outputs[0]).toEqual({ name: 'probability', datatype: 'FP32', shape: [2, 3], data: [1, 2, 3, 4, 5, 6] });
    expect((await send('POST', `${S}/v2/models/${FAILING}/infer`, { id: 'bad-shape', inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 4], data: [1, 2, 3, 4] }] })).status).toBe(400);
    const failed = await eventually(async () => {
      const rows = await outbox(InferenceFailedV1.topic, FAILING);
      if (rows.length < 1) throw new Error('not yet');
      return rows;
    }, 20_000);
    expect(failed).toHaveLength(1);
    expect(failed[0]).toEqual(expect.objectContaining({ modelName: FAILING, modelVersion: 1, alias: 'champion', rowCount: 1, errorCode: 'MODEL_EXECUTION_FAILED', httpStatus: 500 }));
    expect(InferenceFailedV1.schema.safeParse(failed[0]).success).toBe(true);
  });

  it('a 100 MB body → 413 naming the limit; nothing logged', async () => {
    const before = (await db.query(`SELECT count(*)::int AS n FROM "${servingSchema}".outbox_event`))[0].n as number;
    const total = 100 * 1024 * 1024;
    const result = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(`${S}/v2/models/${MODEL}/infer`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(total) } }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      const chunk = Buffer.alloc(1024 * 1024, 0x20);
      let sent = 0;
      const pump = (): void => {
        while (sent < total) {
          sent += chunk.length;
          if (!req.write(chunk)) {
            req.once('drain', pump);
            return;
          }
        }
        req.end();
      };
      pump();
    });
    expect(result.status).toBe(413);
    expect(JSON.parse(result.body)).toEqual(expect.objectContaining({ error: `Request body of ${total} bytes exceeds the limit of 4194304 bytes (4.0 MiB, SERVING_MAX_BODY_BYTES)` }));
    // chunked (no Content-Length): counted while streaming
    const chunked = await fetch(`${S}/v2/models/${MODEL}/infer`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, duplex: 'half',
      body: new ReadableStream({ start(c) { for (let i = 0; i < 5; i++) c.enqueue(new Uint8Array(1024 * 1024).fill(0x20)); c.close(); } }),
    } as RequestInit);
    expect(chunked.status).toBe(413);
    expect(((await chunked.json()) as { error: string }).error).toContain('exceeds the limit of 4194304 bytes');
    await infer(MODEL, row3(), { prediction_id: `after-413-${tag}` });
    await eventually(async () => expect((await outbox(PredictionLoggedV1.topic, MODEL)).some((e) => e.predictionId === `after-413-${tag}`)).toBe(true), 20_000);
    const after = (await db.query(`SELECT count(*)::int AS n FROM "${servingSchema}".outbox_event`))[0].n as number;
    expect(after).toBe(before + 1);
  });

  it('dynamic batching: 40 concurrent callers with 1-7 rows each get exactly their own rows (= unbatched onnxruntime), in fewer runs', async () => {
    const countRuns = async (): Promise<number> => {
      const m = (await (await fetch(`${S}/metrics`)).text()).match(new RegExp(`strata_serving_inference_duration_seconds_count\\{model="${BATCHED}",version="1"\\} (\\d+)`));
      return m ? Number(m[1]) : 0;
    };
    const runsBefore = await countRuns();
    const callers = Array.from({ length: 40 }, (_, c) => Array.from({ length: 1 + (c % 7) }, (_, r) => [c % 13, ((c * 7 + r * 3) % 90) / 10, (c + r) % 24]));
    const expected = await Promise.all(callers.map((rows) => ort(v1, rows)));
    const answers = await Promise.all(callers.map((rows) => infer(BATCHED, rows)));
    answers.forEach((a, c) => {
      expect(a.status).toBe(200);
      expect(a.body.outputs).toEqual([{ name: 'probability', datatype: 'FP32', shape: [callers[c]!.length, 1], data: expected[c] }]);
    });
    const runs = (await countRuns()) - runsBefore;
    expect(runs).toBeGreaterThan(0);
    expect(runs).toBeLessThan(40);
  });
});

function row3(): number[][] {
  return [[1, 2, 3]];
}

describe('official tritonclient[http] client', () => {
  it('is_server_live/ready, get_model_metadata and infer (FP32, INT64, BYTES) equal onnxruntime', async () => {
    const python = pythonFor('tritonclient');
    const out = JSON.parse(execFileSync(python, [path.join(repoRoot, 'apps/serving/test/oip_client_check.py'), `127.0.0.1:${SERVING_PORT}`, BATCHED, MULTI], { encoding: 'utf8', timeout: 120_000 })) as Json;
    expect(out.live).toBe(true);
    expect(out.ready).toBe(true);
    expect(out.model_ready).toBe(true);
    expect(out.metadata).toEqual({
      name: BATCHED, versions: ['1'], platform: 'onnxruntime_onnx', inputs: [{ name: 'input', datatype: 'FP32', shape: [-1, 3] }], outputs: [{ name: 'probability', datatype: 'FP32', shape: [-1, 1] }],
      // the input's columns (OIP metadata `properties`): the official client takes them as they are
      properties: { 'strata.feature_names': JSON.stringify(FEATURES), 'strata.input.input.columns': JSON.stringify(FEATURES) },
    });
    expect(out.server.name).toBe('strata-serving');
    const rows = [[3, 1.2, 8], [0, 7.5, 23], [12, 4.4, 0]];
    expect(out.fp32).toEqual({ probability: await ort(v1, rows), shape: [3, 1], id: 'tc-1', model_version: '1' });
    const session = await InferenceSession.create(multi);
    const direct = await session.run({ ints: new Tensor('int64', BigInt64Array.from([1n, -2n, 40000000000n, 7n]), [2, 2]), words: new Tensor('string', ['taxi', 'tip'], [2]) });
    await session.release();
    expect(out.int64).toEqual({ doubled: [[2, -4], [80000000000, 14]], dtype: 'int64' });
    expect(Array.from(direct['doubled']!.data as BigInt64Array, Number)).toEqual([2, -4, 80000000000, 14]);
    expect(out.bytes).toEqual({ same_words: Array.from(direct['same_words']!.data as string[]) });
  });
});
