/** @jest-environment ../../libs/shared/testing/src/onnxruntime-environment.cjs */
import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { ModelAliasChangedV1, ModelRolloutChangedV1 } from '@strata/contracts';
import { LocalObjectStore } from '@strata/shared/data-access-object-store';
import { announceDatasetVersions, createTestCredentials, eventually, infraEnv, startGroupAtEnd, startService, uniqueName, waitReady, type RunningService } from '@strata/shared/testing';
import { adultFeatureRepoYaml } from './__fixtures__/adult-feature-repo';
// Test-only cross-scope import: the model is trained with the platform's own trainer on the
// training set the features service built; production serving code never imports training.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { exportCategoricalLogisticRegressionToOnnx, onnxSignature, trainCategoricalLogisticRegression } from '@strata/training/util-trainers';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { Client } from 'pg';

/**
 * Issue 18, model side, on 200 rows of the UCI Adult census data
 * (apps/serving/src/__fixtures__/adult-200.csv: the first 200 lines of
 * ../shared/datasets/uci-adult/adult.data.csv with a header). Real features, registry and serving
 * processes under STRATA_AUTH_MODE=enforce, each with its own default `service:<name>` key; real
 * PostgreSQL, Kafka, Temporal. The model takes RAW categories: two STRING features of a batch view
 * (workclass, occupation) and a STRING on-demand feature computed from a STRING request field
 * (education → education_group), one-hot encoded inside its ONNX graph. For the same rows:
 * the training set (point-in-time join), `/predict` (online) and batch scoring over the dataset
 * version (the model's training-set definition built over it by serving) give the same features
 * and the same probability.
 */
jest.setTimeout(300_000);

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any
const FIXTURE = path.join(__dirname, '__fixtures__/adult-200.csv');
const ROWS = 200;
const infra = infraEnv();
const PORTS = { features: Number(process.env['ADULT_IT_FEATURES_PORT'] ?? 6801), registry: Number(process.env['ADULT_IT_REGISTRY_PORT'] ?? 6802), serving: Number(process.env['ADULT_IT_SERVING_PORT'] ?? 6803) };
const dataset = uniqueName('adult_cat');
const definition = `${dataset}_income`;
const schemas = { features: uniqueName('features_adult_cat'), registry: uniqueName('registry_adult_cat'), serving: uniqueName('serving_adult_cat') };
const servingGroup = uniqueName('serving-adult-cat');
const modelName = uniqueName('adult-cat').replace(/_/g, '-');

const repo = adultFeatureRepoYaml({
  dataset,
  trainingSet: definition,
  moreProfileFeatures: ['{ name: workclass, dtype: STRING }', '{ name: occupation, dtype: STRING }'],
  requestFeatures: [
    `{ name: education_group, dtype: STRING, expression: "CASE WHEN education IN ('Bachelors', 'Masters', 'Doctorate') THEN 'degree' WHEN education = 'HS-grad' THEN 'high-school' ELSE 'other' END" }`,
    '{ name: log_capital_gain, dtype: FLOAT64, expression: "ln(1 + capital_gain)" }',
  ],
  trainingFeatures: [
    'person_profile:age',
    'person_profile:hours_per_week',
    'applicant_request:log_capital_gain',
    'person_profile:workclass',
    'person_profile:occupation',
    'applicant_request:education_group',
  ],
});
const NUMERIC = ['person_profile__age', 'person_profile__hours_per_week', 'applicant_request__log_capital_gain'];
const CATEGORICAL = ['person_profile__workclass', 'person_profile__occupation', 'applicant_request__education_group'];
const COLUMNS = [...NUMERIC, ...CATEGORICAL];
const REFS = COLUMNS.map((c) => c.replace('__', ':'));

let dataDir: string;
let keys: Record<'admin' | 'service:features' | 'service:registry' | 'service:serving', string>;
const running: RunningService[] = [];
let versionId: string;
let versionSha256: string;
const url = (service: keyof typeof PORTS, p: string): string => `http://127.0.0.1:${PORTS[service]}${p}`;

async function call(target: string, method = 'GET', body?: unknown): Promise<{ status: number; body: Json }> {
  const res = await fetch(target, {
    method,
    headers: { authorization: `Bearer ${keys.admin}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

async function duck(sql: string): Promise<Array<Record<string, string | number | null>>> {
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  try {
    await conn.run(`SET TimeZone = 'UTC'`);
    return (await conn.runAndReadAll(sql)).getRowObjectsJson() as Array<Record<string, string | number | null>>;
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

beforeAll(async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'strata-adult-cat-'));
  keys = await createTestCredentials(infra.databaseUrl, ['admin', 'service:features', 'service:registry', 'service:serving'] as const);
  const base = { STRATA_AUTH_MODE: 'enforce', STRATA_API_KEY_FILE: undefined, STRATA_DATA_DIR: dataDir, DATABASE_URL: infra.databaseUrl, KAFKA_BROKERS: infra.kafkaBrokers.join(',') };
  // The dataset version: the fixture as Parquet, a person id and an hourly event time per row, the label.
  const file = path.join(dataDir, 'adult.parquet');
  await duck(
    `COPY (SELECT row_number() OVER () :: BIGINT AS person_id,
                  TIMESTAMPTZ '2024-01-01 00:00:00+00' + to_hours(row_number() OVER ()) AS event_timestamp,
                  age::BIGINT AS age, hours_per_week::BIGINT AS hours_per_week, workclass, occupation, education,
                  capital_gain::DOUBLE AS capital_gain, (income = '>50K') AS label
           FROM read_csv('${FIXTURE}', header = true, all_varchar = true))
     TO '${file}' (FORMAT parquet)`,
  );
  const put = await new LocalObjectStore(dataDir).put(`datasets/${dataset}/v1.parquet`, await fs.readFile(file));
  versionId = `v1-${randomUUID().slice(0, 8)}`;
  versionSha256 = put.sha256;

  await startGroupAtEnd(infra.kafkaBrokers, servingGroup, [ModelAliasChangedV1.topic, ModelRolloutChangedV1.topic]);
  running.push(
    startService('features', PORTS.features, { ...base, STRATA_API_KEY: keys['service:features'], FEATURES_DB_SCHEMA: schemas.features, FEATURES_KAFKA_GROUP_ID: schemas.features, FEATURES_ONLINE_STORE: 'postgres' }),
    startService('registry', PORTS.registry, { ...base, STRATA_API_KEY: keys['service:registry'], REGISTRY_DB_SCHEMA: schemas.registry }),
    startService('serving', PORTS.serving, {
      ...base, STRATA_API_KEY: keys['service:serving'], SERVING_DB_SCHEMA: schemas.serving, SERVING_CONSUMER_GROUP: servingGroup,
      REGISTRY_URL: url('registry', ''), FEATURES_URL: url('features', ''), INGESTION_URL: 'http://127.0.0.1:9', SERVING_TASK_QUEUE: uniqueName('serving-adult-cat'),
    }),
  );
  await Promise.all(running.map((s) => waitReady(s)));
  const applied = await call(url('features', '/feature-repo/apply'), 'POST', { documents: [{ file: 'adult.yaml', content: repo }] });
  expect(applied.status).toBe(200);

  await announceDatasetVersions(infra.kafkaBrokers, '/strata/adult-cat-it', [
    {
      datasetName: dataset, versionId, contentSha256: put.sha256, uri: put.uri, format: 'parquet', rowCount: ROWS, sizeBytes: 1,
      schema: [{ name: 'person_id', type: 'int64', nullable: false }], parentVersionId: null, createdAt: new Date().toISOString(),
    },
  ]);
  await eventually(async () => {
    const r = await call(url('features', '/materializations?featureView=person_profile'));
    if (!(r.body as Json[]).some((m) => m['status'] === 'SUCCEEDED')) throw new Error(`no SUCCEEDED materialization yet: ${JSON.stringify(r.body)}`);
  }, 90_000);
}, 300_000);

afterAll(async () => {
  await Promise.all(running.map((s) => s.stop()));
  const admin = new Client({ connectionString: infra.databaseUrl });
  await admin.connect();
  for (const schema of Object.values(schemas)) await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await admin.end();
  if (dataDir) await fs.rm(dataDir, { recursive: true, force: true });
});

it('raw categories: the training set row, /predict and batch scoring over the dataset version agree (default service keys)', async () => {
  // 1. The training set: point-in-time join of the batch view + the on-demand view offline.
  const started = await call(url('features', '/training-sets'), 'POST', { trainingSet: definition, datasetVersions: [{ datasetName: dataset, versionId }] });
  expect(started.status).toBe(202);
  const built = await eventually(async () => {
    const r = await call(url('features', `/training-sets/${String(started.body.id)}`));
    if (r.body.status !== 'SUCCEEDED') throw new Error(`build ${String(r.body.status)}: ${JSON.stringify(r.body.error ?? null)}`);
    return r.body;
  }, 90_000);
  const rows = await duck(
    `SELECT person_id::INTEGER AS person_id, strftime(event_timestamp, '%Y-%m-%dT%H:%M:%S.%gZ') AS t, education, capital_gain, label::INTEGER AS label,
            ${NUMERIC.map((c) => `"${c}"::DOUBLE AS "${c}"`).join(', ')}, ${CATEGORICAL.map((c) => `"${c}"`).join(', ')}
     FROM read_parquet('${new URL(String(built.uri)).pathname}') ORDER BY person_id`,
  );
  expect(rows).toHaveLength(ROWS);
  // Row 1 of the fixture: 39, State-gov, Bachelors, Adm-clerical, capital gain 2174, 40 h/week.
  expect(rows[0]).toMatchObject({
    person_id: 1, education: 'Bachelors', person_profile__age: 39, person_profile__hours_per_week: 40, person_profile__workclass: 'State-gov',
    person_profile__occupation: 'Adm-clerical', applicant_request__education_group: 'degree',
  });
  expect(rows[0]!['applicant_request__log_capital_gain']).toBeCloseTo(Math.log(2175), 12);

  // 2. The platform's trainer, categories one-hot encoded inside the ONNX graph; refs and request fields recorded.
  const model = trainCategoricalLogisticRegression(
    {
      numericFeatures: NUMERIC, numericRows: rows.map((r) => NUMERIC.map((c) => Number(r[c]))),
      categoricalFeatures: CATEGORICAL, categoricalRows: rows.map((r) => CATEGORICAL.map((c) => r[c] as string | null)),
      labels: rows.map((r) => Number(r['label'])),
    },
    { l2: 0.01 },
  );
  const onnx = exportCategoricalLogisticRegressionToOnnx(model, { featureRefs: REFS, requestFields: [{ name: 'education', dtype: 'STRING' }, { name: 'capital_gain', dtype: 'FLOAT64' }] });
  const artifact = await new LocalObjectStore(dataDir).put(`models/${modelName}/run-1/model.onnx`, Buffer.from(onnx));
  const sig = onnxSignature(onnx);
  const reg = await call(url('registry', `/registered-models/${modelName}/versions`), 'POST', {
    runId: 'run-1', artifactUri: artifact.uri, artifactSha256: artifact.sha256,
    signature: { inputs: sig.inputs, outputs: sig.outputs },
    lineage: { datasetVersions: [{ datasetName: dataset, versionId, contentSha256: versionSha256 }], featureViews: ['person_profile', 'applicant_request'], trainingSet: { name: definition, id: built.id, uri: built.uri, sha256: built.sha256 } },
  });
  expect({ status: reg.status, error: reg.body?.error }).toEqual({ status: 201, error: undefined });
  expect((await call(url('registry', `/registered-models/${modelName}/aliases/champion`), 'PUT', { version: 1 })).status).toBe(200);
  await eventually(async () => {
    const r = await call(url('serving', `/models?name=${modelName}`));
    expect((r.body as Json[]).map((m) => m.state)).toContain('READY');
  }, 60_000, 200);

  // 3. /predict with raw categories, as of each row's event time: the training-set features and onnxruntime's probability.
  const session = await InferenceSession.create(onnx);
  const picked = [rows[0]!, rows[6]!, rows[27]!, rows[199]!];
  expect(picked.map((r) => r['person_profile__workclass'])).toContain('?'); // row 28: the census' missing marker, a category of its own
  const online = new Map<number, number>();
  for (const r of picked) {
    const res = await call(url('serving', `/models/${modelName}/predict`), 'POST', {
      predictionId: `adult-cat-${String(r['person_id'])}`, eventTime: r['t'], entities: { person_id: r['person_id'] },
      request: { education: r['education'], capital_gain: r['capital_gain'] },
    });
    expect(res.status).toBe(200);
    expect(res.body.features).toEqual(Object.fromEntries(COLUMNS.map((c) => [c, r[c]])));
    expect(res.body.featureStatuses).toEqual(Object.fromEntries(COLUMNS.map((c) => [c, 'PRESENT'])));
    const out = await session.run({
      input: new Tensor('float32', Float32Array.from(NUMERIC.map((c) => Number(r[c]))), [1, NUMERIC.length]),
      ...Object.fromEntries(CATEGORICAL.map((c) => [c, new Tensor('string', [String(r[c])], [1, 1])])),
    });
    expect(res.body.probability).toBe(Number((out['probability']!.data as Float32Array)[0]));
    online.set(Number(r['person_id']), res.body.probability);
  }
  // The request fields are the recorded ones: an unknown field is a 400 naming it.
  const unknown = await call(url('serving', `/models/${modelName}/predict`), 'POST', { entities: { person_id: 1 }, request: { education: 'Bachelors', capital_gain: 0, sex: 'Male' } });
  expect(unknown.status).toBe(400);
  expect(unknown.body.error).toBe(`request.sex: unknown field; model ${modelName} v1 takes request fields education (STRING), capital_gain (FLOAT64)`);

  // 4. Batch scoring over the dataset version with serving's default key: the training-set definition built over it.
  const job = await call(url('serving', '/batch-scoring-jobs'), 'POST', { modelName, version: 1, datasetName: dataset, versionId, outputColumns: ['person_id', 'event_timestamp', ...CATEGORICAL] });
  expect(job.status).toBe(202);
  const done = await eventually(async () => {
    const r = await call(url('serving', `/batch-scoring-jobs/${String(job.body.jobId)}`));
    if (r.body.status === 'FAILED') throw new Error(`batch scoring FAILED: ${r.body.errorCode}: ${r.body.error}`);
    if (r.body.status !== 'SUCCEEDED') throw new Error(`job ${String(r.body.status)}`);
    return r.body;
  }, 180_000, 250);
  expect(done).toMatchObject({ status: 'SUCCEEDED', rowCount: ROWS, datasetName: dataset, versionId });
  expect(String(done.inputUri)).toMatch(/training-sets\//);
  const scored = await duck(`SELECT person_id::INTEGER AS person_id, ${CATEGORICAL.map((c) => `"${c}"`).join(', ')}, probability FROM read_parquet('${new URL(String(done.outputUri)).pathname}') ORDER BY person_id`);
  expect(scored).toHaveLength(ROWS);
  for (const r of picked) {
    const s = scored.find((x) => x['person_id'] === r['person_id'])!;
    expect(Object.fromEntries(CATEGORICAL.map((c) => [c, s[c]]))).toEqual(Object.fromEntries(CATEGORICAL.map((c) => [c, r[c]])));
    expect(s['probability']).toBe(online.get(Number(r['person_id'])));
  }
});
