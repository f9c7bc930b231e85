import * as path from 'node:path';
import { loadDatasetSpec } from '@strata/ingestion/domain-datasets';
import { REPO_ROOT, type RunningService, stackServiceEnv, startService, waitReady } from '@strata/shared/testing';

/**
 * Starts the ingestion service from source on `port` as the int specs run it: the test stack's
 * PostgreSQL and Kafka, schema and Kafka group `schema`, the local object store under `dataDir`,
 * streaming ingestion off, `env` on top. Resolves once it is ready; if it does not get ready,
 * stops it and rejects.
 */
export async function startLocalIngestion(port: number, schema: string, dataDir: string, env: Record<string, string> = {}): Promise<RunningService> {
  const svc = startService('ingestion', port, {
    ...stackServiceEnv('ingestion', schema, dataDir),
    STRATA_OBJECT_STORE: 'local',
    INGESTION_STREAM_ENABLED: 'false',
    ...env,
  });
  try {
    await waitReady(svc);
  } catch (e) {
    await svc.stop();
    throw e;
  }
  return svc;
}

/** `PUT /datasets/{dataset}` on the service at `baseUrl` with `spec` as JSON; resolves with the HTTP status. */
export async function putDatasetSpec(baseUrl: string, dataset: string, spec: unknown): Promise<number> {
  const res = await fetch(`${baseUrl}/datasets/${dataset}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(spec) });
  return res.status;
}

/** examples/taxi/dataset.yaml without its name (the dataset is named by the URL of `PUT /datasets/{name}`). */
export async function exampleTaxiDatasetSpec(): Promise<Record<string, unknown>> {
  return { ...(await loadDatasetSpec(path.join(REPO_ROOT, 'examples/taxi/dataset.yaml'))), name: undefined };
}
