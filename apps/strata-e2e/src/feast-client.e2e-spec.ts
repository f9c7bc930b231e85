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
import { type RunningService, pythonFor, stackServiceEnv, startService, stopServiceAndClean, uniqueName, waitReady } from '@strata/shared/testing';
import { type PytestResult, outputAbout, runPytest } from './python-clients/pytest';

jest.setTimeout(420_000);

const schema = uniqueName('feat_feast');
const port = 13_500 + Math.floor(Math.random() * 400);
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-feast-client-'));
let svc: RunningService | undefined;
let result: PytestResult;

beforeAll(async () => {
  svc = startService('features', port, stackServiceEnv('features', schema, dataDir));
  await waitReady(svc);
}, 120_000);

afterAll(() => stopServiceAndClean(svc, [schema], [dataDir]));

/** The pytest tests of the Feast module, each reported as its own case below. */
const TESTS = [
  'test_feast_client_reads_what_strata_http_api_answers',
  'test_feast_client_reads_a_feature_service',
  'test_feast_client_unknown_driver_is_none_and_full_feature_names',
  'test_feast_push_writes_through_strata',
  'test_strata_errors_reach_the_feast_client_as_feast_exceptions',
];

beforeAll(async () => {
  result = await runPytest(pythonFor('feast'), 'tools/python/tests/feast', { STRATA_FEATURES_URL: svc!.baseUrl, FEAST_USAGE: 'False' }, 300_000);
}, 360_000);

it('runs every test of the Feast module (no collection error, no timeout)', () => {
  expect({ code: result.code === null ? 'killed at the timeout' : 'exited', tests: Object.keys(result.outcomes).sort(), errors: result.errors }).toEqual({ code: 'exited', tests: [...TESTS].sort(), errors: 0 });
});

it.each(TESTS)('Feast SDK (remote online store): %s', (test) => {
  expect({ test, outcome: result.outcomes[test], output: result.outcomes[test] === 'PASSED' ? '' : outputAbout(result, test) }).toEqual({ test, outcome: 'PASSED', output: '' });
});
