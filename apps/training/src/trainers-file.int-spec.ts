/**
 * External trainers registered without restarting the training service: the trainers file
 * (`TRAINING_TRAINERS_FILE`) is re-read when it changes. One training service process (real
 * PostgreSQL, Kafka, Temporal; its worker off, runs go to a task queue of this test that no worker
 * polls and are terminated at the end): a trainer written to the file is accepted by
 * `POST /training-runs` without a restart, a group-writable file is refused, a removed one is gone.
 */
import { chmodSync, promises as fs, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { eventually, infraEnv, infraServiceEnv, startService, uniqueName, waitReady, type RunningService } from '@strata/shared/testing';
import { Client as Pg } from 'pg';

jest.setTimeout(120_000);

type Json = Record<string, unknown>;
const env = infraEnv();
const port = Number(process.env['TRAINERS_FILE_IT_PORT'] ?? 6804);
const schema = uniqueName('training_trainers_file');
const taskQueue = uniqueName('strata-trainers-file');
let dataDir: string;
let trainersFile: string;
let service: RunningService;
const workflowIds: string[] = [];

async function json(method: string, url: string, body?: unknown): Promise<{ status: number; body: Json }> {
  const res = await fetch(url, { method, ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }), signal: AbortSignal.timeout(30_000) });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Json) : {} };
}

const run = (requestId: string, trainer: string) =>
  json('POST', `http://127.0.0.1:${port}/training-runs`, {
    modelName: 'adult-income', trainer, params: {}, trainingSet: 'adult_income',
    trainDatasetVersions: [{ datasetName: 'adult', versionId: 'v1' }], requestId,
  });

beforeAll(async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'strata-trainers-file-'));
  trainersFile = path.join(dataDir, 'trainers.json');
  service = startService('training', port, {
    ...infraServiceEnv(env),
    TRAINING_DB_SCHEMA: schema,
    TRAINING_TASK_QUEUE: taskQueue,
    TRAINING_KAFKA_GROUP_ID: uniqueName('training-trainers-file'),
    TRAINING_WORKER_ENABLED: 'false',
    TRAINING_COMMAND_TRAINERS: '{"env-trainer": ["true"]}',
    TRAINING_TRAINERS_FILE: trainersFile,
    STRATA_DATA_DIR: dataDir,
  });
  await waitReady(service);
});

afterAll(async () => {
  await service?.stop();
  const connection = await Connection.connect({ address: env.temporalAddress });
  const temporal = new Client({ connection, namespace: env.temporalNamespace });
  for (const id of workflowIds) await temporal.workflow.getHandle(id).terminate('test done').catch(() => undefined);
  await connection.close();
  const pg = new Pg({ connectionString: env.databaseUrl });
  await pg.connect();
  await pg.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await pg.end();
  rmSync(dataDir, { recursive: true, force: true });
});

it('a trainer written to the trainers file is usable without a restart; group-writable or removed → not configured', async () => {
  const before = await run('tf-1', 'command:adult-sklearn');
  expect(before.status).toBe(400);
  expect(before.body['error']).toBe("trainer: command trainer 'adult-sklearn' is not configured (TRAINING_COMMAND_TRAINERS has: env-trainer)");

  writeFileSync(trainersFile, JSON.stringify({ 'adult-sklearn': ['python3', 'examples/trainers/sklearn-logistic/train.py'] }), { mode: 0o600 });
  chmodSync(trainersFile, 0o600);
  const accepted = await eventually(async () => {
    const r = await run('tf-2', 'command:adult-sklearn');
    expect(r.status).toBe(202);
    return r;
  }, 10_000, 250);
  expect(accepted.body).toMatchObject({ status: 'RUNNING', workflowId: 'train:adult-income:tf-2' });
  workflowIds.push(String(accepted.body['workflowId']));
  expect((await json('GET', `http://127.0.0.1:${port}/training-runs/${String(accepted.body['runId'])}`)).body).toMatchObject({ trainer: 'command:adult-sklearn' });

  // Group-writable: refused, the last good trainers stay; fixed: the new content is read.
  writeFileSync(trainersFile, JSON.stringify({ 'adult-xgb': ['xgb-train'] }));
  chmodSync(trainersFile, 0o664);
  await new Promise((r) => setTimeout(r, 1500)); // the file is looked at most once a second
  expect((await run('tf-3', 'command:adult-xgb')).status).toBe(400);
  chmodSync(trainersFile, 0o600);
  await eventually(async () => expect((await run('tf-4', 'command:adult-sklearn')).body['error']).toBe(
    "trainer: command trainer 'adult-sklearn' is not configured (TRAINING_COMMAND_TRAINERS has: adult-xgb, env-trainer)",
  ), 10_000, 250);

  rmSync(trainersFile);
  await eventually(async () => expect((await run('tf-5', 'command:adult-xgb')).status).toBe(400), 10_000, 250);
});
