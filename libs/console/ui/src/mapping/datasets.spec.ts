import type { Dataset, DatasetVersion } from '@strata/contracts/api';
import { datasetRows, datasetVersionRows, formatBytes, profileRows, quarantineDownloadPath, validationReport } from './datasets';
import { pageOf } from './paging';

/** A census dataset version as ingestion serialises it (profile and validation of `profileTable` / the ingestor). */
function censusVersion(versionId: string, createdAt: string, over: Partial<DatasetVersion> = {}): DatasetVersion {
  return {
    datasetName: 'adult_people',
    versionId,
    contentSha256: 'c'.repeat(64),
    rowCount: 3,
    uri: `s3://lake/datasets/adult_people/${versionId}/data.parquet`,
    manifestUri: `s3://lake/datasets/adult_people/${versionId}/manifest.json`,
    sizeBytes: 48_213,
    schema: [],
    profile: {
      rowCount: 3,
      columns: [
        { name: 'age', type: 'INT64', count: 3, nullCount: 0, distinctApprox: 3, min: 19, max: 61, mean: 38.333333, stddev: 21.007935, quantiles: { p01: 19.3, p50: 35, p99: 60.48 }, topValues: [{ value: 19, count: 1 }, { value: 35, count: 1 }, { value: 61, count: 1 }] },
        { name: 'workclass', type: 'STRING', count: 3, nullCount: 1, distinctApprox: 2, min: 'Private', max: 'State-gov', topValues: [{ value: 'Private', count: 1 }, { value: 'State-gov', count: 1 }] },
        { name: 'interview_at', type: 'TIMESTAMP', count: 3, nullCount: 0, distinctApprox: 3, min: '1994-01-03T00:00:00.000Z', max: '1994-12-30T00:00:00.000Z' },
      ],
    },
    validation: {
      policy: 'quarantine',
      inputRowCount: 5,
      invalidRowCount: 2,
      issueCount: 2,
      issues: [
        { row: 2, column: 'age', rule: 'type', message: "value 'forty' is not a valid INT64", value: 'forty' },
        { row: 4, column: 'age', rule: 'min', message: 'value -3 is below the minimum 0', value: '-3' },
      ],
      quarantine: { uri: `s3://lake/datasets/adult_people/${versionId}/quarantine.parquet`, sha256: 'd'.repeat(64), sizeBytes: 912, rowCount: 2 },
    },
    parentVersionId: null,
    createdAt,
    created: false,
    ...over,
  };
}

describe('data pages mapping: datasets', () => {
  it('lists datasets by name with their declared columns and description', () => {
    const datasets: Dataset[] = [
      { name: 'driver_stats', spec: { columns: [{ name: 'driver_id' }] }, createdAt: '2024-01-01T00:00:00Z', updatedAt: '2024-01-02T08:00:00Z' },
      { name: 'adult_people', spec: { description: 'census rows', columns: [{ name: 'age' }, { name: 'workclass' }] }, createdAt: '2024-01-01T00:00:00Z', updatedAt: '2024-03-02T11:30:00Z' },
    ];
    expect(datasetRows(datasets)).toEqual([
      { name: 'adult_people', columns: 2, description: 'census rows', updatedAt: '2024-03-02 11:30' },
      { name: 'driver_stats', columns: 1, description: '—', updatedAt: '2024-01-02 08:00' },
    ]);
  });

  it('lists versions newest first with rows, size, digest, policy and quarantined rows', () => {
    const v1 = censusVersion('v-1', '2024-02-01T10:00:00.000Z', { validation: { policy: 'reject', inputRowCount: 3, invalidRowCount: 0, issueCount: 0, issues: [] }, sizeBytes: 800 });
    const v2 = censusVersion('v-2', '2024-02-08T10:00:00.000Z', { parentVersionId: 'v-1' });
    expect(datasetVersionRows([v1, v2])).toEqual([
      { versionId: 'v-2', createdAt: '2024-02-08 10:00', rows: 3, size: '48.2 kB', sha256: 'cccccccccccc…', policy: 'quarantine', quarantined: 2, parent: 'v-1' },
      { versionId: 'v-1', createdAt: '2024-02-01 10:00', rows: 3, size: '800 B', sha256: 'cccccccccccc…', policy: 'reject', quarantined: 0, parent: null },
    ]);
  });

  it("maps a version's profile: nulls with their share, distinct, min/max, mean, stddev, median and top values", () => {
    const rows = profileRows(censusVersion('v-2', '2024-02-08T10:00:00.000Z').profile);
    expect(rows).toEqual([
      { name: 'age', type: 'INT64', nulls: '0', distinct: '≈3', min: '19', max: '61', mean: '38.33', stddev: '21.01', median: '35', top: '19 (1), 35 (1), 61 (1)' },
      { name: 'workclass', type: 'STRING', nulls: '1 (33.3%)', distinct: '≈2', min: 'Private', max: 'State-gov', mean: '—', stddev: '—', median: '—', top: 'Private (1), State-gov (1)' },
      { name: 'interview_at', type: 'TIMESTAMP', nulls: '0', distinct: '≈3', min: '1994-01-03T00:00:00.000Z', max: '1994-12-30T00:00:00.000Z', mean: '—', stddev: '—', median: '—', top: '—' },
    ]);
    expect(profileRows({})).toEqual([]); // a profile of another shape shows nothing rather than wrong numbers
  });

  it('reports validation with the quarantined row count, the first issues and whether there is a file to download', () => {
    expect(validationReport(censusVersion('v-2', '2024-02-08T10:00:00.000Z').validation)).toEqual({
      policy: 'quarantine',
      inputRows: 5,
      invalidRows: 2,
      issueCount: 2,
      quarantinedRows: 2,
      downloadable: true,
      issues: ["row 2, age [type]: value 'forty' is not a valid INT64", 'row 4, age [min]: value -3 is below the minimum 0'],
    });
    expect(validationReport({ policy: 'quarantine', inputRowCount: 3, invalidRowCount: 0, issueCount: 0, issues: [] })).toMatchObject({ quarantinedRows: 0, downloadable: false });
    expect(validationReport({})).toBeNull();
  });

  it("downloads the quarantine through the console's proxy to ingestion, names encoded", () => {
    expect(quarantineDownloadPath('adult_people', 'v-2')).toBe('/api/ingestion/datasets/adult_people/versions/v-2/quarantine?format=csv');
    expect(quarantineDownloadPath('a b', 'v/1')).toBe('/api/ingestion/datasets/a%20b/versions/v%2F1/quarantine?format=csv');
  });

  it('formats sizes in decimal units', () => {
    expect([formatBytes(999), formatBytes(1000), formatBytes(1_234_567), formatBytes(5e12)]).toEqual(['999 B', '1.0 kB', '1.2 MB', '5.0 TB']);
  });

  it('pages a long list 50 at a time, clamping the page', () => {
    const versions = Array.from({ length: 120 }, (_, i) => i + 1);
    expect(pageOf(versions, 0)).toMatchObject({ page: 0, pages: 3, total: 120, from: 1, to: 50 });
    const last = pageOf(versions, 7);
    expect([last.page, last.from, last.to, last.items[0], last.items.length]).toEqual([2, 101, 120, 101, 20]);
    expect(pageOf([], 0)).toEqual({ items: [], page: 0, pages: 1, total: 0, from: 0, to: 0 });
  });
});
