/** @jest-environment ../../libs/shared/testing/src/onnxruntime-environment.cjs */
import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { ServingApi } from '@strata/contracts/api';
import { MessagingModule } from '@strata/messaging';
import { SERVING_ENTITIES, SERVING_MIGRATIONS } from '@strata/serving/data-access';
import { ModelRepository, ServingModule } from '@strata/serving/domain-inference';
import { LocalObjectStore } from '@strata/shared/data-access-object-store';
import { AppErrorFilter, PlatformModule } from '@strata/shared/nest-platform';
import { announceDatasetVersions, eventually, infraEnv, startService, uniqueName, waitReady, type RunningService, waitForTable } from '@strata/shared/testing';
import { adultFeatureRepoYaml } from './__fixtures__/adult-feature-repo';
// Test-only cross-scope import: the model is trained with the platform's own trainer on the
// training set the features service built; production serving code never imports training.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { exportLogisticRegressionToOnnx, trainLogisticRegression } from '@strata/training/util-trainers';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { DataSource } from 'typeorm';

/**
 * `/models/{m}/predict` for a model that is not the taxi example: 40 rows of the UCI Adult census
 * data (apps/serving/src/__fixtures__/adult-40.csv, the first 40 lines of
 * ../shared/datasets/uci-adult/adult.data.csv with a header), a batch view of the person and an
 * on-demand view over a STRING request field (`education`). Real features service (PostgreSQL
 * online store, Kafka, DuckDB offline store) + serving in process: the features of a row in the
 * training set the features service builds equal, to the bit, the features `/predict` assembles
 * for the same row, and the probability equals onnxruntime run on the training-set row.
 */
jest.setTimeout(240_000);

type Json = Record<string, unknown>;
const FIXTURE = path.join(__dirname, '__fixtures__/adult-40.csv');
const infra = infraEnv();
const dataset = uniqueName('adult_it');
const featuresSchema = uniqueName('features_adult_it');
const servingSchema = uniqueName('serving_adult_it');
const modelName = uniqueName('adult-income').replace(/_/g, '-');

const repo = adultFeatureRepoYaml({
  dataset,
  trainingSet: `${dataset}_income`,
  moreProfileFeatures: [],
  requestFeatures: [
    `{ name: has_degree, dtype: INT32, expression: "CASE WHEN education IN ('Bachelors', 'Masters', 'Doctorate') THEN 1 ELSE 0 END" }`,
    '{ name: education_len, dtype: INT32, expression: "length(education)" }',
    '{ name: log_capital_gain, dtype: FLOAT64, expression: "ln(1 + capital_gain)" }',
  ],
  trainingFeatures: ['person_profile:age', 'person_profile:hours_per_week', 'applicant_request:has_degree', 'applicant_request:education_len', 'applicant_request:log_capital_gain'],
});
const REFS = ['person_profile:age', 'person_profile:hours_per_week', 'applicant_request:has_degree', 'applicant_request:education_len', 'applicant_request:log_capital_gain'];
const COLUMNS = REFS.map((r) => r.replace(':', '__'));

let dataDir: string;
let features: RunningService;
let app: NestFastifyApplication;
let base: string;
let versionId: string;

async function call(url: string, method = 'GET', body?: unknown): Promise<{ status: number; body: Json }> {
  const res = await fetch(url, { method, ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }), signal: AbortSignal.timeout(30_000) });
  return { status: res.status, body: (await res.json()) as Json };
}

beforeAll(async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'strata-adult-it-'));
  // The dataset version: the fixture as Parquet, a person id, an event time per row, the label.
  const store = new LocalObjectStore(dataDir);
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  await conn.run(`SET TimeZone = 'UTC'`);
  const file = path.join(dataDir, 'adult.parquet');
  await conn.run(
    `COPY (SELECT row_number() OVER () :: BIGINT AS person_id,
                  TIMESTAMPTZ '2024-01-01 00:00:00+00' + to_hours(row_number() OVER ()) AS event_timestamp,
                  age::BIGINT AS age, hours_per_week::BIGINT AS hours_per_week, education, capital_gain::DOUBLE AS capital_gain,
                  (income = '>50K') AS label
           FROM read_csv('${FIXTURE}', header = true, all_varchar = true))
     TO '${file}' (FORMAT parquet)`,
  );
  conn.closeSync();
  db.closeSync();
  const put = await store.put(`datasets/${dataset}/v1.parquet`, await fs.readFile(file));
  versionId = `v1-${randomUUID().slice(0, 8)}`;

  features = startService('features', Number(process.env['STRATA_TEST_FEATURES_PORT'] ?? 24000 + Math.floor(Math.random() * 900)), {
    DATABASE_URL: infra.databaseUrl,
    KAFKA_BROKERS: infra.kafkaBrokers.join(','),
    FEATURES_DB_SCHEMA: featuresSchema,
    FEATURES_KAFKA_GROUP_ID: featuresSchema,
    STRATA_DATA_DIR: dataDir,
    FEATURES_ONLINE_STORE: 'postgres',
  });
  await waitReady(features);
  const applied = await call(`${features.baseUrl}/feature-repo/apply`, 'POST', { documents: [{ file: 'adult.yaml', content: repo }] });
  expect(applied.status).toBe(200);

  await announceDatasetVersions(infra.kafkaBrokers, '/strata/serving-it', [
    {
      datasetName: dataset, versionId, contentSha256: put.sha256, uri: put.uri, format: 'parquet', rowCount: 40, sizeBytes: 1,
      schema: [{ name: 'person_id', type: 'int64', nullable: false }], parentVersionId: null, createdAt: new Date().toISOString(),
    },
  ]);
  await eventually(async () => {
    const r = await fetch(`${features.baseUrl}/materializations?featureView=person_profile`);
    const list = (await r.json()) as Json[];
    if (!list.some((m) => m['status'] === 'SUCCEEDED')) throw new Error(`no SUCCEEDED materialization yet: ${JSON.stringify(list)}`);
  }, 90_000);

  const moduleRef = await Test.createTestingModule({
    imports: [
      PlatformModule.forService({
        identity: { name: 'serving', version: 'test' },
        logLevel: 'warn',
        database: { url: infra.databaseUrl, schema: servingSchema, entities: SERVING_ENTITIES, migrations: SERVING_MIGRATIONS },
      }),
      MessagingModule.forRoot({ serviceName: 'serving', brokers: infra.kafkaBrokers, groupId: servingSchema, relay: { enabled: false }, consumer: { enabled: false }, deadLetterController: false }),
      ServingModule.forRoot({
        registryUrl: 'http://127.0.0.1:9', featuresUrl: features.baseUrl, ortThreads: 1, ortInterOpThreads: 1, dataDir,
        predictionLogCapacity: 100, predictionLogBatchSize: 10, httpTimeoutMs: 10_000, loadOnStart: false,
      }),
    ],
  }).compile();
  app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter());
  app.useGlobalFilters(new AppErrorFilter());
  await app.listen(0, '127.0.0.1');
  base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  const ds = app.get(DataSource);
  await waitForTable(ds, servingSchema, 'outbox_event');
});

afterAll(async () => {
  await app?.close();
  await features?.stop();
  const admin = new DataSource({ type: 'postgres', url: infra.databaseUrl });
  await admin.initialize();
  await admin.query(`DROP SCHEMA IF EXISTS "${featuresSchema}" CASCADE`);
  await admin.query(`DROP SCHEMA IF EXISTS "${servingSchema}" CASCADE`);
  await admin.destroy();
  if (dataDir) await fs.rm(dataDir, { recursive: true, force: true });
});

it('a model over a STRING request field: the training set row, /predict for the same row, and the model output agree', async () => {
  // 1. The training set, built by the features service (point-in-time join + on-demand view offline).
  const started = await call(`${features.baseUrl}/training-sets`, 'POST', { trainingSet: `${dataset}_income`, datasetVersions: [{ datasetName: dataset, versionId }] });
  expect(started.status).toBe(202);
  const built = await eventually(async () => {
    const r = await call(`${features.baseUrl}/training-sets/${String(started.body['id'])}`);
    if (r.body['status'] === 'FAILED') throw new Error(`build FAILED: ${JSON.stringify(r.body)}`);
    if (r.body['status'] !== 'SUCCEEDED') throw new Error(`build ${String(r.body['status'])}`);
    return r.body;
  }, 90_000);
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  await conn.run(`SET TimeZone = 'UTC'`);
  const reader = await conn.runAndReadAll(
    `SELECT person_id::INTEGER AS person_id, strftime(event_timestamp, '%Y-%m-%dT%H:%M:%S.%gZ') AS t, education, capital_gain, label::INTEGER AS label, ${COLUMNS.map((c) => `"${c}"::DOUBLE AS "${c}"`).join(', ')}
     FROM read_parquet('${new URL(String(built['uri'])).pathname}') ORDER BY person_id`,
  );
  const rows = reader.getRowObjectsJson() as Array<Record<string, string | number | null>>;
  conn.closeSync();
  db.closeSync();
  expect(rows).toHaveLength(40);
  // Row 1 of the fixture: 39, Bachelors, capital gain 2174, 40 h/week.
  expect(rows[0]).toMatchObject({ person_id: 1, education: 'Bachelors', capital_gain: 2174, person_profile__age: 39, person_profile__hours_per_week: 40, applicant_request__has_degree: 1, applicant_request__education_len: 9 });

  // 2. A model trained on it with the platform's trainer; its feature references are recorded in the ONNX.
  const model = trainLogisticRegression({ features: COLUMNS, rows: rows.map((r) => COLUMNS.map((c) => Number(r[c]))), labels: rows.map((r) => Number(r['label'])) }, { l2: 0.01 });
  const onnx = exportLogisticRegressionToOnnx(model, { featureRefs: REFS });
  const put = await new LocalObjectStore(dataDir).put(`models/${modelName}/1/model.onnx`, Buffer.from(onnx));
  await app.get(ModelRepository).load({ name: modelName, version: 1, artifactUri: put.uri, artifactSha256: put.sha256 });

  // 3. /predict for rows of the training set, as of each row's event time: same features, to the bit.
  const session = await InferenceSession.create(onnx);
  for (const r of [rows[0]!, rows[4]!, rows[10]!, rows[39]!]) {
    const res = await call(`${base}/models/${modelName}/predict`, 'POST', {
      predictionId: `adult-${String(r['person_id'])}`,
      eventTime: r['t'],
      entities: { person_id: r['person_id'] },
      request: { education: r['education'], capital_gain: r['capital_gain'] },
    });
    expect(res.status).toBe(200);
    const expected = Object.fromEntries(COLUMNS.map((c) => [c, r[c]]));
    expect(res.body['features']).toEqual(expected);
    expect(res.body['featureStatuses']).toEqual(Object.fromEntries(COLUMNS.map((c) => [c, 'PRESENT'])));
    const out = await session.run({ input: new Tensor('float32', Float32Array.from(COLUMNS.map((c) => Number(r[c]))), [1, COLUMNS.length]) });
    expect(res.body['probability']).toBe(Number((out['probability']!.data as Float32Array)[0]));
    // the answer is the contract's Prediction (what the typed client's predict types)
    expect(ServingApi.predict.response.parse(res.body).predictionId).toBe(`adult-${String(r['person_id'])}`);
  }

  // 4. A replay 1 ms before the row's event time never reads it (OUTSIDE_AS_OF → NaN); request features stay.
  const first = rows[0]!;
  const early = await call(`${base}/models/${modelName}/predict`, 'POST', {
    eventTime: new Date(Date.parse(String(first['t'])) - 1).toISOString(),
    entities: { person_id: first['person_id'] },
    request: { education: first['education'], capital_gain: first['capital_gain'] },
  });
  expect(early.status).toBe(200);
  expect(early.body['features']).toEqual({ ...Object.fromEntries(COLUMNS.map((c) => [c, first[c]])), person_profile__age: null, person_profile__hours_per_week: null });
  expect((early.body['featureStatuses'] as Json)['person_profile__age']).toBe('OUTSIDE_AS_OF');

  // 5. Request fields are the model's, checked by name and type.
  const unknown = await call(`${base}/models/${modelName}/predict`, 'POST', { entities: { person_id: 1 }, request: { education: 'Bachelors', capital_gain: 0, pickup_datetime: '2020-01-01T00:00:00Z' } });
  expect(unknown.status).toBe(400);
  expect(unknown.body['error']).toBe(`request.pickup_datetime: unknown field; model ${modelName} v1 takes request fields education (STRING), capital_gain (FLOAT64)`);
  const typed = await call(`${base}/models/${modelName}/predict`, 'POST', { entities: { person_id: 1 }, request: { education: 13, capital_gain: 0 } });
  expect(typed.status).toBe(400);
  expect(typed.body['error']).toBe(`request.education: expected STRING, got 13; model ${modelName} v1 takes request fields education (STRING), capital_gain (FLOAT64)`);

  // 6. Every accepted prediction is logged with the features it was scored on (the rejected ones are not).
  const logged = await eventually(async () => {
    const r = (await app.get(DataSource).query(`select payload from "${servingSchema}"."outbox_event" where topic = 'strata.serving.prediction-logged.v1'`)) as Array<{ payload: Buffer }>;
    if (r.length < 5) throw new Error(`only ${r.length} logged`);
    return r.map((x) => JSON.parse(x.payload.toString('utf8')) as Json);
  }, 10_000);
  expect(logged).toHaveLength(5);
  expect(logged.find((p) => p['predictionId'] === 'adult-1')).toMatchObject({ modelName, modelVersion: 1, features: Object.fromEntries(COLUMNS.map((c) => [c, first[c]])), eventTime: first['t'] });
});
