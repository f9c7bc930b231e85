import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { InMemoryObjectStore } from '@strata/shared/data-access-object-store';
import { useIngestorSandbox } from '../testing/ingestor-sandbox';
import type { DatasetSpec } from './dataset-spec';

const spec: DatasetSpec = { name: 'ev', columns: [{ name: 'id', type: 'INT64', nullable: false }, { name: 'tag', type: 'STRING' }] };

/** Append mode (streaming micro-batches): parent rows then new rows; quarantine; unchanged parent. */
describe('DatasetIngestor append mode', () => {
  const sandbox = useIngestorSandbox('strata-append-spec-', () => new InMemoryObjectStore('lake'));
  const nd = (name: string, rows: unknown[]) => sandbox.write(name, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  const read = async (uri: string) => {
    const p = path.join(sandbox.dir, `read-${Math.random()}.parquet`);
    await fs.writeFile(p, await sandbox.store.getBuffer(sandbox.store.resolve(uri)));
    const db = await DuckDBInstance.create(':memory:');
    const c = await db.connect();
    const rows = (await c.runAndReadAll(`SELECT id::INT AS id, tag FROM read_parquet('${p}')`)).getRowObjects();
    c.closeSync();
    db.closeSync();
    return rows;
  };

  it('writes parent rows then accepted new rows; validation counts only the new input; profile covers all', async () => {
    const parent = await sandbox.ingestor.ingest(spec, await nd('a.ndjson', [{ id: 1, tag: 'a' }, { id: 2, tag: 'b' }]));
    const child = await sandbox.ingestor.ingest(spec, await nd('b.ndjson', [{ id: 3, tag: 'c' }, { id: 'x', tag: 'bad' }, { id: 4, tag: null }]), {
      policy: 'quarantine',
      appendTo: { uri: parent.uri },
    });
    expect(child.created).toBe(true);
    expect(child.rowCount).toBe(4);
    expect(child.profile.rowCount).toBe(4);
    // Profile over parent + new rows (ids 1..4): exact interpolated quantiles at every level.
    const q = child.profile.columns[0]!.quantiles!;
    const want: Record<string, number> = { p01: 1.03, p05: 1.15, p25: 1.75, p50: 2.5, p75: 3.25, p95: 3.85, p99: 3.97 };
    expect(Object.keys(q)).toEqual(Object.keys(want));
    for (const [k, v] of Object.entries(want)) expect(q[k]).toBeCloseTo(v, 10);
    expect(child.profile.columns[0]).toMatchObject({ min: 1, max: 4, mean: 2.5, nullCount: 0, count: 4 });
    expect(child.profile.columns[1]).toMatchObject({ nullCount: 1, min: 'a', max: 'c' });
    expect(child.validation).toMatchObject({ inputRowCount: 3, invalidRowCount: 1, issueCount: 1 });
    expect(child.validation.quarantine?.uri).toBe(sandbox.store.uriFor(`datasets/ev/${child.versionId}/quarantine.parquet`));
    expect(await read(child.uri)).toEqual([
      { id: 1, tag: 'a' },
      { id: 2, tag: 'b' },
      { id: 3, tag: 'c' },
      { id: 4, tag: null },
    ]);
    // Deterministic: the same parent + batch is the same version.
    const again = await sandbox.ingestor.ingest(spec, await nd('b2.ndjson', [{ id: 3, tag: 'c' }, { id: 'x', tag: 'bad' }, { id: 4, tag: null }]), { policy: 'quarantine', appendTo: { uri: parent.uri } });
    expect(again.versionId).toBe(child.versionId);
  });

  it('a batch with no valid row gives the parent itself; the parent manifest is untouched and rejects go aside', async () => {
    const parent = await sandbox.ingestor.ingest(spec, await nd('a.ndjson', [{ id: 1, tag: 'a' }]));
    const manifestBefore = await sandbox.store.getBuffer(sandbox.store.resolve(parent.manifestUri));
    const v = await sandbox.ingestor.ingest(spec, await nd('bad.ndjson', [{ id: 'nope', tag: 'z' }]), { policy: 'quarantine', appendTo: { uri: parent.uri } });
    expect(v.versionId).toBe(parent.versionId);
    expect(v.created).toBe(false);
    expect((await sandbox.store.getBuffer(sandbox.store.resolve(parent.manifestUri))).equals(manifestBefore)).toBe(true);
    expect(await sandbox.store.stat(`datasets/ev/${parent.versionId}/quarantine.parquet`)).toBeUndefined();
    expect(v.validation.quarantine?.uri).toMatch(/^memory:\/\/lake\/datasets\/ev\/quarantine\/[0-9a-f]{16}\.parquet$/);
  });
});
