import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DatasetVersion, StrataLifecycleApi } from '@strata/shared/data-access-strata-client';
import { formatOf, ingestSummary, latestVersion } from './datasets';
import { readFeatureRepo } from './features';
import { mapConcurrent, readNdjson } from './serving';

describe('file helpers of the commands', () => {
  it('tells the upload format from the extension, or asks for --format', () => {
    expect(formatOf('data/adult.csv')).toBe('csv');
    expect(formatOf('x.JSONL')).toBe('ndjson');
    expect(formatOf('x.parquet')).toBe('parquet');
    expect(() => formatOf('x.xlsx')).toThrow('pass --format csv|ndjson|parquet');
  });

  it("ingest reports THIS upload's rows: an all-invalid upload says so (accepted 0, invalid N) and names its quarantine", () => {
    const version = {
      datasetName: 'people', versionId: 'e3b0c44298fc1c14', created: false, rowCount: 0, contentSha256: 'e'.repeat(64), validation: { invalidRowCount: 0 },
      upload: { policy: 'quarantine', inputRowCount: 3, acceptedRowCount: 0, invalidRowCount: 3, issueCount: 4, quarantine: { rowCount: 3, uri: 'file:///q', id: '9c41d0e2a7b35f18', download: '/datasets/people/quarantines/9c41d0e2a7b35f18' } },
    } as unknown as DatasetVersion;
    const text = ingestSummary(version);
    expect(text).toMatch(/rows read\s+3\n/);
    expect(text).toMatch(/accepted\s+0\n/);
    expect(text).toMatch(/invalid rows\s+3\n/);
    expect(text).toContain('every row of this upload is invalid (3 set aside): nothing new was added');
    expect(text).toContain('quarantined rows: strata datasets quarantine people --id 9c41d0e2a7b35f18');
    const fresh = ingestSummary({ ...version, created: true, rowCount: 5, upload: { ...version.upload!, inputRowCount: 7, acceptedRowCount: 5, invalidRowCount: 2, quarantine: { rowCount: 2, uri: 'file:///q2', download: '/x' } } } as DatasetVersion);
    expect(fresh).toContain('quarantined rows: strata datasets quarantine people e3b0c44298fc1c14');
    expect(fresh).not.toContain('nothing new');
  });

  it('the newest dataset version by createdAt; none is an error naming the dataset', async () => {
    const api = (versions: unknown[]) => ({ listDatasetVersions: () => Promise.resolve(versions) }) as unknown as StrataLifecycleApi;
    const v = await latestVersion(api([{ versionId: 'a', createdAt: '2024-01-02T00:00:00Z' }, { versionId: 'b', createdAt: '2024-03-01T00:00:00Z' }, { versionId: 'c', createdAt: '2024-02-01T00:00:00Z' }]), 'd');
    expect(v.versionId).toBe('b');
    await expect(latestVersion(api([]), 'adult_people')).rejects.toThrow('dataset adult_people has no version yet');
  });

  it('reads a feature repo folder (yaml files by name) and NDJSON files (errors name file and line)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-cli-spec-'));
    try {
      fs.writeFileSync(path.join(dir, 'b.yaml'), 'kind: Entity\n');
      fs.writeFileSync(path.join(dir, 'a.yml'), 'kind: FeatureView\n');
      fs.writeFileSync(path.join(dir, 'notes.md'), '#');
      expect(readFeatureRepo(dir)).toEqual([
        { file: 'a.yml', content: 'kind: FeatureView\n' },
        { file: 'b.yaml', content: 'kind: Entity\n' },
      ]);
      expect(() => readFeatureRepo(path.join(dir, 'missing'))).toThrow('is not a feature repo folder');
      const nd = path.join(dir, 'r.ndjson');
      fs.writeFileSync(nd, '{"a":1}\n\n{"a":2}\n');
      expect(readNdjson(nd)).toEqual([{ a: 1 }, { a: 2 }]);
      fs.writeFileSync(nd, '{"a":1}\n{oops\n');
      expect(() => readNdjson(nd)).toThrow(`${nd}:2: not JSON`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('maps with bounded concurrency, results in input order', async () => {
    let inFlight = 0;
    let peak = 0;
    const done: number[] = [];
    const out = await mapConcurrent([5, 1, 4, 2, 3], 2, async (x) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setImmediate(r));
      inFlight--;
      return x * 10;
    }, (n) => done.push(n));
    expect(out).toEqual([50, 10, 40, 20, 30]);
    expect(peak).toBe(2);
    expect(done).toEqual([1, 2, 3, 4, 5]);
  });
});
