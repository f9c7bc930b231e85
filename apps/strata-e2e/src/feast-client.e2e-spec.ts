/**
 * Feast's own Python SDK (tools/python/feast.requirements.txt) against the features service:
 * a Feast repo with `online_store: {type: remote, path: <features URL>}` reads the values
 * Strata's HTTP API answers for a slice of the driver-stats example, and its `push` /
 * `write_to_online_store` write through `/write-to-online-store`; Strata's errors reach it as
 * Feast exceptions. The pytest module is tools/python/tests/feast/test_feast_remote_online_store.py.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type RunningService, infraEnv, pythonFor, startService, uniqueName, waitReady } from '@strata/shared/testing';
import { Client } from 'pg';
import { runPytest } from './python-clients/pytest';

jest.setTimeout(420_000);

const env = infraEnv();
const schema = uniqueName('feat_feast');
const port = 13_500 + Math.floor(Math.random() * 400);
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-feast-client-'));
let svc: RunningService | undefined;

beforeAll(async () => {
  svc = startService('features', port, {
    DATABASE_URL: env.databaseUrl,
    KAFKA_BROKERS: env.kafkaBrokers.join(','),
    FEATURES_DB_SCHEMA: schema,
    FEATURES_KAFKA_GROUP_ID: schema,
    STRATA_DATA_DIR: dataDir,
  });
  await waitReady(svc);
}, 120_000);

afterAll(async () => {
  await svc?.stop();
  const pg = new Client({ connectionString: env.databaseUrl });
  await pg.connect();
  await pg.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await pg.end();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

it('the Feast SDK with a remote online store reads and pushes through the features service', async () => {
  const python = pythonFor('feast');
  const r = await runPytest(python, 'tools/python/tests/feast', { STRATA_FEATURES_URL: svc!.baseUrl, FEAST_USAGE: 'False' }, 300_000);
  if (r.code !== 0) console.error(r.output.slice(-12_000));
  expect({ code: r.code, passed: r.passed, failed: r.failed, errors: r.errors }).toEqual({ code: 0, passed: 4, failed: 0, errors: 0 });
});
