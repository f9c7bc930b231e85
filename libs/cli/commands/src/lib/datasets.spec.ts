import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { StrataLifecycleApi } from '@strata/shared/data-access-strata-client';
import { formatOf, latestVersion } from './datasets';
import { readFeatureRepo } from './features';
import { mapConcurrent, readNdjson } from './serving';

describe('file helpers of the commands', () => {
  it('tells the upload format from the extension, or asks for --format', () => {
    expect(formatOf('data/adult.csv')).toBe('csv');
    expect(formatOf('x.JSONL')).toBe('ndjson');
    expect(formatOf('x.parquet')).toBe('parquet');
    expect(() => formatOf('x.xlsx')).toThrow('pass --format csv|ndjson|parquet');
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
