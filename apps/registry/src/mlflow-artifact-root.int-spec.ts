/**
 * REGISTRY_MLFLOW_DEFAULT_ARTIFACT_ROOT (MLflow's `--default-artifact-root`): with it, a new
 * experiment's default artifact location is `<root>/<experiment_id>` (clients write there
 * directly, as MLflow's own tests expect of a server started with a root); without it (the other
 * registry tests), `mlflow-artifacts:/<experiment_id>`.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { type RunningService, infraEnv, startService, uniqueName, waitReady, stopServiceAndClean } from '@strata/shared/testing';

jest.setTimeout(120_000);

const env = infraEnv();
const schema = uniqueName('reg_art_root');
const port = 26_990 + Math.floor(Math.random() * 9);
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-art-root-'));
const root = pathToFileURL(dataDir).href;
let svc: RunningService | undefined;

beforeAll(async () => {
  svc = startService('registry', port, { DATABASE_URL: env.databaseUrl, KAFKA_BROKERS: env.kafkaBrokers.join(','), REGISTRY_DB_SCHEMA: schema, STRATA_DATA_DIR: dataDir, REGISTRY_MLFLOW_DEFAULT_ARTIFACT_ROOT: root });
  await waitReady(svc);
}, 90_000);

afterAll(() => stopServiceAndClean(svc, [schema], [dataDir]));

async function post(p: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${svc!.baseUrl}${p}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return (await res.json()) as Record<string, unknown>;
}

it('gives new experiments <root>/<experiment_id> and their runs <root>/<experiment_id>/<run_id>/artifacts', async () => {
  const { experiment_id: id } = await post('/api/2.0/mlflow/experiments/create', { name: `root-${schema}` });
  const got = (await (await fetch(`${svc!.baseUrl}/api/2.0/mlflow/experiments/get?experiment_id=${String(id)}`)).json()) as { experiment: { artifact_location: string } };
  expect(got.experiment.artifact_location).toBe(`${root}/${String(id)}`);
  const run = (await post('/api/2.0/mlflow/runs/create', { experiment_id: id, start_time: 1700000000000 })) as { run: { info: { run_id: string; artifact_uri: string } } };
  expect(run.run.info.artifact_uri).toBe(`${root}/${String(id)}/${run.run.info.run_id}/artifacts`);
});
