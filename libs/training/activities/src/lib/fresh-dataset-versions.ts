import type { DatasetVersion } from '@strata/contracts/api';

/**
 * A dataset version as `GET {INGESTION_URL}/datasets/{name}/versions` lists it (oldest first): its id and
 * the ISO-8601 UTC time it was recorded. (`created` in that answer is a boolean: "made by this request".)
 */
export type ListedDatasetVersion = Pick<DatasetVersion, 'versionId'> & Partial<Pick<DatasetVersion, 'createdAt'>>;

/**
 * The dataset versions a retraining trains on: for each dataset the last run used, its newest
 * version by `createdAt` (once per dataset, however many of its versions the last run used: a run
 * on months 2019-03 and 2019-04 of one dataset retrains on that dataset's newest version); a
 * dataset whose list is empty keeps the last run's version.
 *
 * @param used the last run's `datasetVersions`, in order
 * @param listed each dataset's versions, by dataset name
 */
export function freshDatasetVersions(
  used: ReadonlyArray<{ datasetName: string; versionId: string }>,
  listed: ReadonlyMap<string, readonly ListedDatasetVersion[]>,
): Array<{ datasetName: string; versionId: string }> {
  const out: Array<{ datasetName: string; versionId: string }> = [];
  const seen = new Set<string>();
  for (const dv of used) {
    if (seen.has(dv.datasetName)) continue;
    seen.add(dv.datasetName);
    const versions = listed.get(dv.datasetName) ?? [];
    // newest by createdAt (ties: the later in the list); without parsable times, the last listed (the list is oldest first)
    let newest = versions[versions.length - 1];
    let newestAt = Number.NEGATIVE_INFINITY;
    for (const v of versions) {
      const at = typeof v.createdAt === 'string' ? Date.parse(v.createdAt) : Number.NaN;
      if (!Number.isNaN(at) && at >= newestAt) {
        newest = v;
        newestAt = at;
      }
    }
    out.push({ datasetName: dv.datasetName, versionId: newest?.versionId ?? dv.versionId });
  }
  return out;
}
