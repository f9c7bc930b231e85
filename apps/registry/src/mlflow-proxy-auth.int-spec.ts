/**
 * The MLflow artifact proxy and the MLflow 3 logged-model routes under STRATA_AUTH_MODE=enforce
 * (registry process on a port of the registry range, fresh schema, real PostgreSQL and Kafka):
 * no credentials → 401, a role without `models:write` (viewer) → 403 on writes and 200 on reads,
 * `data-scientist` writes, with MLflow's error shape on the refusals.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type RunningService, authHeaders, createTestCredentials, infraEnv, startService, uniqueName, waitReady, stopServiceAndClean } from '@strata/shared/testing';

jest.setTimeout(180_000);

const env = infraEnv();
const schema = uniqueName('reg_proxy_auth');
const port = 26_900 + Math.floor(Math.random() * 90);
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-proxy-auth-'));
let svc: RunningService | undefined;
let keys: { viewer: string; 'data-scientist': string; 'service:registry': string };

beforeAll(async () => {
  keys = await createTestCredentials(env.databaseUrl, ['viewer', 'data-scientist', 'service:registry'] as const);
  svc = startService('registry', port, {
    DATABASE_URL: env.databaseUrl,
    KAFKA_BROKERS: env.kafkaBrokers.join(','),
    REGISTRY_DB_SCHEMA: schema,
    STRATA_DATA_DIR: dataDir,
    STRATA_AUTH_MODE: 'enforce',
    STRATA_API_KEY: keys['service:registry'],
    STRATA_API_KEY_FILE: '',
  });
  await waitReady(svc);
}, 120_000);

afterAll(() => stopServiceAndClean(svc, [schema], [dataDir]));

async function call(method: string, p: string, key: string | undefined, body?: string, contentType = 'application/octet-stream'): Promise<{ status: number; text: string }> {
  const res = await fetch(`${svc!.baseUrl}${p}`, {
    method,
    headers: { ...(key ? authHeaders(key) : {}), ...(body !== undefined ? { 'content-type': contentType } : {}) },
    ...(body !== undefined ? { body } : {}),
  });
  return { status: res.status, text: await res.text() };
}

const FILE = '/api/2.0/mlflow-artifacts/artifacts/0/run1/artifacts/config.json';

it('guards the artifact proxy like the other MLflow routes: models:read to read, models:write to write', async () => {
  expect((await call('PUT', FILE, undefined, '{"a":1}', 'application/json')).status).toBe(401);
  const refused = await call('PUT', FILE, keys.viewer, '{"a":1}', 'application/json');
  expect(refused.status).toBe(403);
  expect(JSON.parse(refused.text)).toMatchObject({ error_code: expect.any(String), message: expect.stringContaining('models:write') });
  expect(await call('PUT', FILE, keys['data-scientist'], '{"a":1}', 'application/json')).toEqual({ status: 200, text: '{}' });
  // a JSON file is stored as sent (never parsed), and read back by a reader
  expect(fs.readFileSync(path.join(dataDir, 'mlflow/0/run1/artifacts/config.json'), 'utf8')).toBe('{"a":1}');
  expect(await call('GET', FILE, keys.viewer)).toEqual({ status: 200, text: '{"a":1}' });
  expect(JSON.parse((await call('GET', '/api/2.0/mlflow-artifacts/artifacts?path=0/run1/artifacts', keys.viewer)).text)).toEqual({ files: [{ path: 'config.json', is_dir: false, file_size: 7 }] });
  expect((await call('GET', FILE, undefined)).status).toBe(401);
  expect((await call('DELETE', FILE, keys.viewer)).status).toBe(403);
  expect(await call('DELETE', FILE, keys['data-scientist'])).toEqual({ status: 200, text: '{}' });
  expect((await call('GET', FILE, keys.viewer)).status).toBe(404);
});

it('guards the logged-model routes the same way', async () => {
  const body = JSON.stringify({ experiment_id: '0', name: 'model' });
  expect((await call('POST', '/api/2.0/mlflow/logged-models', keys.viewer, body, 'application/json')).status).toBe(403);
  const created = await call('POST', '/api/2.0/mlflow/logged-models', keys['data-scientist'], body, 'application/json');
  expect(created.status).toBe(200);
  const id = JSON.parse(created.text).model.info.model_id as string;
  expect(id).toMatch(/^m-[0-9a-f]{32}$/);
  const got = JSON.parse((await call('GET', `/api/2.0/mlflow/logged-models/${id}`, keys.viewer)).text);
  expect(got.model.info).toMatchObject({ model_id: id, experiment_id: '0', name: 'model', status: 'LOGGED_MODEL_PENDING', artifact_uri: `mlflow-artifacts:/0/models/${id}/artifacts` });
  expect((await call('PATCH', `/api/2.0/mlflow/logged-models/${id}`, keys.viewer, JSON.stringify({ status: 'LOGGED_MODEL_READY' }), 'application/json')).status).toBe(403);
  const done = await call('PATCH', `/api/2.0/mlflow/logged-models/${id}`, keys['data-scientist'], JSON.stringify({ status: 'LOGGED_MODEL_READY' }), 'application/json');
  expect(JSON.parse(done.text).model.info.status).toBe('LOGGED_MODEL_READY');
});
