/**
 * The current MLflow 3.x client (full `mlflow`, tools/python/mlflow3.requirements.txt) against the
 * registry with a default client configuration (tracking URI = registry URL): experiment, run,
 * params/metrics, `log_artifact` through the artifact proxy, `mlflow.sklearn.log_model` (MLflow 3
 * logged models) and `mlflow.pyfunc.load_model`, registration, alias, load by alias. The pytest
 * module is tools/python/tests/mlflow3/test_mlflow3_smoke.py. The registry's artifact store is
 * the real S3 backend here (REGISTRY_ARTIFACT_STORE=s3, a fresh prefix): the files the client
 * sends through the proxy are then read from the bucket. (The file backend is driven by the
 * mlflow-skinny test apps/registry/src/tracking-promotion.int-spec.ts.)
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createObjectStore } from '@strata/shared/data-access-object-store';
import { type RunningService, dropSchemas, infraEnv, pythonFor, startService, uniqueName, waitReady } from '@strata/shared/testing';
import { type PytestResult, outputAbout, runPytest } from './python-clients/pytest';

jest.setTimeout(480_000);

const env = infraEnv();
const schema = uniqueName('reg_mlflow3');
const port = 13_900 + Math.floor(Math.random() * 90);
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-mlflow3-client-'));
const BUCKET = 'strata-e2e-registry';
const s3Env = (): Record<string, string | undefined> => ({ REGISTRY_ARTIFACT_STORE: 's3', STRATA_S3_BUCKET: BUCKET, STRATA_S3_PREFIX: `${schema}/`, STRATA_S3_CREATE_BUCKET: 'true' });
/** The same bucket and prefix, read directly (S3 connection from the environment, as the service). */
const bucket = () =>
  createObjectStore(
    {
      STRATA_OBJECT_STORE: 's3',
      STRATA_S3_BUCKET: BUCKET,
      STRATA_S3_PREFIX: `${schema}/`,
      S3_ENDPOINT: process.env['S3_ENDPOINT'],
      AWS_REGION: process.env['AWS_REGION'] ?? 'us-east-1',
      AWS_ACCESS_KEY_ID: process.env['AWS_ACCESS_KEY_ID'],
      AWS_SECRET_ACCESS_KEY: process.env['AWS_SECRET_ACCESS_KEY'],
    },
    dataDir,
  );
let svc: RunningService | undefined;
let result: PytestResult;

beforeAll(async () => {
  svc = startService('registry', port, {
    DATABASE_URL: env.databaseUrl,
    KAFKA_BROKERS: env.kafkaBrokers.join(','),
    REGISTRY_DB_SCHEMA: schema,
    STRATA_DATA_DIR: dataDir,
    ...s3Env(),
  });
  await waitReady(svc);
}, 120_000);

afterAll(async () => {
  await svc?.stop();
  const store = await bucket();
  for (const o of await store.list('')) await store.delete(o.key);
  await dropSchemas(schema);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** The pytest tests of the smoke module, each reported as its own case below. */
const TESTS = [
  'test_default_experiment_location_goes_through_the_artifact_proxy',
  'test_run_params_metrics_tags_and_artifacts',
  'test_sklearn_log_model_then_load_by_model_id_and_by_run',
  'test_register_set_alias_and_load_by_alias',
];

beforeAll(async () => {
  const python = pythonFor('mlflow3');
  result = await runPytest(
    python,
    'tools/python/tests/mlflow3',
    // no retries: a refused request fails at once instead of backing off for minutes
    { STRATA_REGISTRY_URL: svc!.baseUrl, MLFLOW_HTTP_REQUEST_MAX_RETRIES: '0', MLFLOW_HTTP_REQUEST_TIMEOUT: '60', MLFLOW_ENABLE_ASYNC_LOGGING: 'false', MLFLOW_DISABLE_TELEMETRY: 'true', DO_NOT_TRACK: 'true' },
    360_000,
  );
}, 420_000);

it('runs every test of the smoke module (no collection error, no timeout)', () => {
  expect({ code: result.code === null ? 'killed at the timeout' : 'exited', tests: Object.keys(result.outcomes).sort(), errors: result.errors }).toEqual({ code: 'exited', tests: [...TESTS].sort(), errors: 0 });
});

it.each(TESTS)('MLflow 3.x client: %s', (test) => {
  expect({ test, outcome: result.outcomes[test], output: result.outcomes[test] === 'PASSED' ? '' : outputAbout(result, test) }).toEqual({ test, outcome: 'PASSED', output: '' });
});

it('stores what the client uploaded through the proxy in the S3 bucket, under mlflow/<experiment>/', async () => {
  const keys = (await (await bucket()).list('mlflow/')).map((o) => o.key);
  expect(keys.filter((k) => /^mlflow\/\d+\/[0-9a-f]{32}\/artifacts\/(note\.txt|plots\/a\.json|plots\/b\.csv)$/.test(k))).toHaveLength(3);
  expect(keys.filter((k) => /^mlflow\/\d+\/models\/m-[0-9a-f]{32}\/artifacts\/MLmodel$/.test(k))).toHaveLength(2);
  expect(keys.filter((k) => /^mlflow\/\d+\/models\/m-[0-9a-f]{32}\/artifacts\/model\.onnx$/.test(k))).toHaveLength(1);
});
