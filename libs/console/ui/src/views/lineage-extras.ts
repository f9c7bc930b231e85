import { FeaturesApi, RegistryApi, ServingApi, type ModelVersion } from '@strata/contracts/api';
import type { ConsoleClient } from '../api/console-client';
import type { LineageExtras } from '../mapping/lineage';

/** What the lineage page loaded besides the version, and the loads that failed (e.g. `serving: batch scoring jobs: serving is unavailable`). */
export interface LoadedLineageExtras {
  extras: LineageExtras;
  failures: string[];
}

/**
 * Loads a version's downstream and materializations through the console, each independently (a
 * service that is down leaves its nodes out and is named in `failures`; the graph still shows):
 * features' `GET /materializations?featureView=` per feature view in `featureViews`, registry's
 * `GET /models/{name}/rollouts`, serving's `GET /batch-scoring-jobs?modelName=&limit=500`.
 */
export async function loadLineageExtras(client: ConsoleClient, version: ModelVersion, featureViews: string[]): Promise<LoadedLineageExtras> {
  const failures: string[] = [];
  const settle = async <T>(what: string, call: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await call();
    } catch (err) {
      failures.push(`${what}: ${err instanceof Error ? err.message : String(err)}`);
      return undefined;
    }
  };
  const [materializations, rollouts, batchJobs] = await Promise.all([
    Promise.all(featureViews.map((featureView) => settle(`materializations of ${featureView}`, () => client.call(FeaturesApi.listMaterializations, { params: {}, query: { featureView } })))).then((lists) =>
      lists.flatMap((l) => l ?? []),
    ),
    settle('rollouts', () => client.call(RegistryApi.listRollouts, { params: { name: version.name } })),
    settle('batch scoring jobs', () => client.call(ServingApi.listBatchScoringJobs, { params: {}, query: { modelName: version.name, limit: 500 } })),
  ]);
  return { extras: { materializations, ...(rollouts ? { rollouts } : {}), ...(batchJobs ? { batchJobs } : {}) }, failures };
}
