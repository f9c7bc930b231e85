/**
 * Issue 19, finding 3: concurrent MLflow `model-versions/create` of ONE source without `run_id`
 * must each create their own version. The synthetic run id used to be
 * `mlflow-<sha>-<Date.now()>`, so two creates in the same millisecond shared it and the
 * idempotency-per-run check answered one caller with the OTHER request's version (20 creates
 * → 16 versions). Registry app wired as in production, fresh PostgreSQL schema, real Kafka.
 */
import { Test } from '@nestjs/testing';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppErrorFilter, DatabaseService } from '@strata/shared/nest-platform';
import { uniqueName, dropSchemas } from '@strata/shared/testing';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { AppModule } from './app.module';
import { loadRegistryConfig } from './config';

jest.setTimeout(120_000);

const PORT = 26_900 + Math.floor(Math.random() * 90);
const schema = uniqueName('registry_mlc');
const model = `mlc-${schema.slice('registry_mlc_'.length).replace(/_/g, '-')}`;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-registry-mlc-'));
const base = `http://127.0.0.1:${PORT}`;

let app: NestFastifyApplication;

beforeAll(async () => {
  const config = loadRegistryConfig({
    ...process.env, REGISTRY_DB_SCHEMA: schema, LOG_LEVEL: 'warn', STRATA_DATA_DIR: dataDir,
    // the test writes the model file into the run's artifact directory itself: a file root, as MLflow's --default-artifact-root
    REGISTRY_MLFLOW_DEFAULT_ARTIFACT_ROOT: pathToFileURL(path.join(dataDir, 'mlflow-root')).href,
  });
  const moduleRef = await Test.createTestingModule({ imports: [AppModule.forConfig(config)] }).compile();
  app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter());
  app.useGlobalFilters(new AppErrorFilter());
  await app.listen(PORT, '127.0.0.1');
  await app.get(DatabaseService).whenReady();
});

afterAll(async () => {
  await app?.close();
  await dropSchemas(schema);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

it('20 concurrent creates of one source without run_id make versions 1..20, each caller told its own', async () => {
  // an MLflow model directory (model.onnx + MLmodel with a tensor signature) in a run's artifacts;
  // the source is `runs:/<run>/model` (MLflow refuses a local path without run_id: issue 14)
  const run = await fetch(`${base}/api/2.0/mlflow/runs/create`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ experiment_id: '0' }) });
  const runInfo = ((await run.json()) as { run: { info: { run_id: string; artifact_uri: string } } }).run.info;
  const dir = path.join(fileURLToPath(runInfo.artifact_uri), 'model');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'model.onnx'), 'not-really-onnx-but-bytes-0123456789');
  fs.writeFileSync(
    path.join(dir, 'MLmodel'),
    "flavors:\n  onnx:\n    data: model.onnx\nsignature:\n" +
      '  inputs: \'[{"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 4]}, "name": "input"}]\'\n' +
      '  outputs: \'[{"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 1]}, "name": "probability"}]\'\n',
  );
  const source = `runs:/${runInfo.run_id}/model`;
  const created = await fetch(`${base}/api/2.0/mlflow/registered-models/create`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: model }) });
  expect(created.status).toBe(200);

  // The issue saw 4 of 20 land in the same millisecond; pinning the wall clock to one millisecond
  // for the burst makes that certain (any id derived from the clock would collide for all 20).
  const now = Date.now();
  const clock = jest.spyOn(Date, 'now').mockReturnValue(now);
  const replies = await Promise.all(
    Array.from({ length: 20 }, async (_, i) => {
      const res = await fetch(`${base}/api/2.0/mlflow/model-versions/create`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: model, source, description: `caller-${i}` }),
        signal: AbortSignal.timeout(60_000),
      });
      return { i, status: res.status, body: (await res.json()) as { model_version: { version: string; description: string; source: string; run_id: string } } };
    }),
  );
  clock.mockRestore();
  expect(replies.map((r) => r.status)).toEqual(replies.map(() => 200));
  // each caller's answer is the version that carries ITS description and the shared source
  for (const r of replies) {
    expect(r.body.model_version.description).toBe(`caller-${r.i}`);
    // MLflow records source and run_id exactly as given (issue 14)
    expect([r.body.model_version.source, r.body.model_version.run_id]).toEqual([source, '']);
  }
  const told = replies.map((r) => Number(r.body.model_version.version)).sort((a, b) => a - b);
  expect(told).toEqual(Array.from({ length: 20 }, (_, k) => k + 1));
  // MLflow has no idempotency per run: 20 creates without run_id are 20 distinct versions, each servable
  const native = await fetch(`${base}/registered-models/${model}/versions?limit=100`);
  const listed = ((await native.json()) as { modelVersions: Array<{ servable: boolean; artifactUri: string }> }).modelVersions;
  expect(listed.map((v) => [v.servable, v.artifactUri]).sort()).toEqual(Array.from({ length: 20 }, () => [true, `${pathToFileURL(dir).href}/model.onnx`]));

  // and what is stored agrees: 20 versions, version n has the description of the caller told n
  const search = await fetch(`${base}/api/2.0/mlflow/model-versions/search?filter=${encodeURIComponent(`name='${model}'`)}&max_results=100`);
  const stored = ((await search.json()) as { model_versions: Array<{ version: string; description: string }> }).model_versions;
  expect(stored).toHaveLength(20);
  const byVersion = new Map(stored.map((v) => [v.version, v.description]));
  for (const r of replies) expect(byVersion.get(r.body.model_version.version)).toBe(`caller-${r.i}`);
});
