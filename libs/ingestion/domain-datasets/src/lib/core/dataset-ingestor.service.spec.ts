import * as path from 'node:path';
import { Readable } from 'node:stream';
import { DuckDBInstance } from '@duckdb/node-api';
import { InMemoryObjectStore, LocalObjectStore } from '@strata/shared/data-access-object-store';
import { useIngestorSandbox } from '../testing/ingestor-sandbox';
import { DatasetIngestor } from './dataset-ingestor.service';
import { loadDatasetSpec, type DatasetSpec } from './dataset-spec';
import { DatasetSchemaMismatchError, DatasetSpecError, DatasetValidationError } from './ingestion.errors';

const FIXTURE = path.join(__dirname, '../../__fixtures__/taxi-2019-03-200.csv');
const TAXI_YAML = path.join(__dirname, '../../../../../../examples/taxi/dataset.yaml');

const spec: DatasetSpec = {
  name: 'people',
  columns: [
    { name: 'id', type: 'INT64', nullable: false },
    { name: 'score', type: 'FLOAT64', min: 0, max: 100 },
    { name: 'kind', type: 'STRING', allowedValues: ['a', 'b'] },
    { name: 'ts', type: 'TIMESTAMP' },
  ],
};
const GOOD = 'id,score,kind,ts\n1,10.5,a,2024-03-01 10:00:00\n2,,b,2024-03-01T11:00:00+01:00\n3,99,a,\n';
const BAD = 'id,score,kind,ts\n1,10.5,a,2024-03-01 10:00:00\n,abc,c,notatime\n3,101,a,2024-03-01 10:00:00\n4,1,b,2024-03-01 10:00:00\n';

describe('DatasetIngestor', () => {
  const sandbox = useIngestorSandbox('strata-ingest-spec-', (d) => new LocalObjectStore(path.join(d, 'lake')));

  const write = sandbox.write;

  it('ingests a CSV with a declared schema, normalizing timestamps to UTC', async () => {
    const v = await sandbox.ingestor.ingest(spec, await write('p.csv', GOOD));
    expect(v.rowCount).toBe(3);
    expect(v.versionId).toBe(v.contentSha256.slice(0, 16));
    expect(v.uri).toBe(sandbox.store.uriFor(`datasets/people/${v.versionId}/data.parquet`));
    expect(v.schema).toEqual([
      { name: 'id', type: 'INT64', nullable: false },
      { name: 'score', type: 'FLOAT64', nullable: true },
      { name: 'kind', type: 'STRING', nullable: true },
      { name: 'ts', type: 'TIMESTAMP', nullable: true },
    ]);
    const db = await DuckDBInstance.create(':memory:');
    const c = await db.connect();
    await c.run(`SET TimeZone='UTC'`);
    const rows = (await c.runAndReadAll(`SELECT id, score, kind, strftime(ts, '%Y-%m-%dT%H:%M:%S') AS ts, typeof(ts) AS t FROM '${sandbox.store.pathFor(`datasets/people/${v.versionId}/data.parquet`)}'`)).getRowObjectsJson();
    expect(rows).toEqual([
      { id: '1', score: 10.5, kind: 'a', ts: '2024-03-01T10:00:00', t: 'TIMESTAMP WITH TIME ZONE' },
      { id: '2', score: null, kind: 'b', ts: '2024-03-01T10:00:00', t: 'TIMESTAMP WITH TIME ZONE' },
      { id: '3', score: 99, kind: 'a', ts: null, t: 'TIMESTAMP WITH TIME ZONE' },
    ]);
    c.closeSync();
    const score = v.profile.columns.find((p) => p.name === 'score')!;
    expect(score).toMatchObject({ nullCount: 1, min: 10.5, max: 99, mean: (10.5 + 99) / 2, distinctApprox: 2 });
    expect(score.quantiles?.['p50']).toBeCloseTo(54.75);
    const ts = v.profile.columns.find((p) => p.name === 'ts')!;
    expect(ts).toMatchObject({ min: '2024-03-01T10:00:00.000Z', max: '2024-03-01T10:00:00.000Z', nullCount: 1 });
    expect(v.profile.columns.find((p) => p.name === 'kind')!.topValues).toEqual([
      { value: 'a', count: 2 },
      { value: 'b', count: 1 },
    ]);
  });

  it('is content-addressed: same content (CSV, stream or NDJSON) gives the same version id; re-ingestion does not rewrite', async () => {
    const a = await sandbox.ingestor.ingest(spec, await write('a.csv', GOOD));
    const b = await sandbox.ingestor.ingest(spec, Readable.from([Buffer.from(GOOD)]), { format: 'csv' });
    const nd = [
      { id: 1, score: 10.5, kind: 'a', ts: '2024-03-01 10:00:00' },
      { id: 2, score: null, kind: 'b', ts: '2024-03-01T10:00:00Z' },
      { id: 3, score: 99, kind: 'a' },
    ]
      .map((r) => JSON.stringify(r))
      .join('\n');
    const c = await sandbox.ingestor.ingest(spec, await write('c.ndjson', nd));
    expect(a.created).toBe(true);
    expect(b.created).toBe(false);
    expect(b.versionId).toBe(a.versionId);
    expect(c.versionId).toBe(a.versionId);
    const d = await sandbox.ingestor.ingest(spec, await write('d.csv', GOOD.replace('99', '98')));
    expect(d.versionId).not.toBe(a.versionId);
  });

  it('policy reject: throws with per-row, per-column issues and writes nothing', async () => {
    const p = await write('bad.csv', BAD);
    const err = await sandbox.ingestor.ingest(spec, p).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatasetValidationError);
    const e = err as DatasetValidationError;
    expect(e.invalidRowCount).toBe(2);
    expect(e.issues.map((i) => [i.row, i.column, i.rule])).toEqual([
      [2, 'id', 'not_null'],
      [2, 'score', 'type'],
      [2, 'kind', 'allowed_values'],
      [2, 'ts', 'type'],
      [3, 'score', 'max'],
    ]);
    expect(e.message).toMatch(/row 2, column 'id', not_null/);
    expect(await sandbox.store.list('')).toEqual([]);
  });

  it('policy quarantine: writes good rows and a quarantine file with the raw values and reasons', async () => {
    const v = await sandbox.ingestor.ingest(spec, await write('bad.csv', BAD), { policy: 'quarantine' });
    expect(v.rowCount).toBe(2);
    expect(v.validation).toMatchObject({ policy: 'quarantine', inputRowCount: 4, invalidRowCount: 2, issueCount: 5 });
    expect(v.validation.quarantine?.rowCount).toBe(2);
    const db = await DuckDBInstance.create(':memory:');
    const c = await db.connect();
    const q = (await c.runAndReadAll(`SELECT _row, score, len(_issues) AS n FROM '${sandbox.store.pathFor(sandbox.store.resolve(v.validation.quarantine!.uri))}'`)).getRowObjectsJson();
    expect(q).toEqual([
      { _row: '2', score: 'abc', n: '4' },
      { _row: '3', score: '101', n: '1' },
    ]);
    c.closeSync();
  });

  it('refuses NaN and infinities in FLOAT columns as type issues; huge finite values are profiled', async () => {
    const floats: DatasetSpec = { name: 'floats', columns: [{ name: 'id', type: 'INT64' }, { name: 'x', type: 'FLOAT64' }, { name: 'y', type: 'FLOAT32' }] };
    const csv = 'id,x,y\n1,1e308,1\n2,-1e308,2\n3,NaN,3\n4,inf,4\n5,0.5,-Infinity\n6,,6\n';
    const v = await sandbox.ingestor.ingest(floats, await write('floats.csv', csv), { policy: 'quarantine' });
    expect(v.rowCount).toBe(3);
    expect(v.validation).toMatchObject({ inputRowCount: 6, invalidRowCount: 3, issueCount: 3 });
    const err = (await sandbox.ingestor.ingest(floats, await write('floats2.csv', csv)).catch((e: unknown) => e)) as DatasetValidationError;
    expect(err.issues.map((i) => [i.row, i.column, i.rule, i.message])).toEqual([
      [3, 'x', 'type', "value 'NaN' is not a finite FLOAT64 (NaN and infinities are refused; an empty cell is a null)"],
      [4, 'x', 'type', "value 'inf' is not a finite FLOAT64 (NaN and infinities are refused; an empty cell is a null)"],
      [5, 'y', 'type', "value '-Infinity' is not a finite FLOAT32 (NaN and infinities are refused; an empty cell is a null)"],
    ]);
    // stddev_samp of 1e308 and -1e308 overflows DuckDB's running sum (Out of Range → was a 500): rescaled, sqrt(2)·1e308.
    const x = v.profile.columns.find((c) => c.name === 'x');
    expect((x?.stddev ?? 0) / 1e308).toBeCloseTo(Math.SQRT2, 12);
    expect(x?.nullCount).toBe(1);
  });

  it('a time that is not ISO-8601 (no format declared) says what is accepted and how to declare another shape', async () => {
    const times: DatasetSpec = { name: 'times', columns: [{ name: 'ts', type: 'TIMESTAMP' }, { name: 'd', type: 'DATE' }] };
    const err = (await sandbox.ingestor.ingest(times, await write('times.csv', 'ts,d\n10/05/2024 10:00,2024-05-10\n2024-05-10T10:00:00Z,10/05/2024\n')).catch((e: unknown) => e)) as DatasetValidationError;
    expect(err.issues.map((i) => i.message)).toEqual([
      "value '10/05/2024 10:00' is not a valid TIMESTAMP (without a declared format: ISO-8601, e.g. 2024-05-09 10:00:00 or 2024-05-09T10:00:00+02:00; declare format: epoch_s|epoch_ms|epoch_us or a strptime pattern such as '%d/%m/%Y %H:%M' for others)",
      "value '10/05/2024' is not a valid DATE (without a declared format: YYYY-MM-DD; declare format: a strptime pattern such as '%d/%m/%Y' for others)",
    ]);
  });

  it('infers the schema when none is declared', async () => {
    const v = await sandbox.ingestor.ingest({ name: 'inferred' }, await write('i.csv', 'a,b,c\n1,x,2024-01-01 00:00:00\n2,y,2024-01-02 00:00:00\n'));
    expect(v.schema).toEqual([
      { name: 'a', type: 'INT64', nullable: true },
      { name: 'b', type: 'STRING', nullable: true },
      { name: 'c', type: 'TIMESTAMP', nullable: true },
    ]);
  });

  it('re-ingests its own Parquet output to the same version', async () => {
    const a = await sandbox.ingestor.ingest(spec, await write('a.csv', GOOD));
    const b = await sandbox.ingestor.ingest(spec, sandbox.store.pathFor(sandbox.store.resolve(a.uri)));
    expect(b.versionId).toBe(a.versionId);
  });

  it('names missing declared columns and bad specs', async () => {
    await expect(sandbox.ingestor.ingest(spec, await write('m.csv', 'id,score\n1,2\n'))).rejects.toThrow(DatasetSchemaMismatchError);
    await expect(sandbox.ingestor.ingest(spec, await write('m2.csv', 'id,score\n1,2\n'))).rejects.toThrow(/lacks declared column\(s\) 'kind', 'ts'/);
    await expect(sandbox.ingestor.ingest({ name: 'x', columns: [{ name: 'a', type: 'INT' as never }] }, await write('x.csv', 'a\n1\n'))).rejects.toThrow(
      DatasetSpecError,
    );
  });

  it('works with the in-memory store too', async () => {
    const mem = new InMemoryObjectStore('t');
    const ing = new DatasetIngestor({ store: mem, tmpDir: sandbox.dir });
    const v = await ing.ingest(spec, await write('g.csv', GOOD));
    expect(v.uri).toBe(`memory://t/datasets/people/${v.versionId}/data.parquet`);
    expect((await mem.getBuffer(mem.resolve(v.uri), { expectedSha256: v.contentSha256 })).length).toBe(v.sizeBytes);
    await ing.close();
  });

  it('ingests a real taxi slice with examples/taxi/dataset.yaml', async () => {
    const taxi = await loadDatasetSpec(TAXI_YAML);
    const v = await sandbox.ingestor.ingest(taxi, FIXTURE);
    expect(v.validation.inputRowCount).toBe(200);
    expect(v.rowCount + v.validation.invalidRowCount).toBe(200);
    expect(v.schema.find((s) => s.name === 'pickup_datetime')).toEqual({ name: 'pickup_datetime', type: 'TIMESTAMP', nullable: false });
    const pt = v.profile.columns.find((p) => p.name === 'payment_type')!;
    expect(pt.topValues?.[0]?.value).toBe(1);
  });

  it('loadDatasetSpec names the file and field on errors', async () => {
    const p = await write('bad.yaml', 'name: x\ncolumns:\n  - { name: a, type: WAT }\n');
    await expect(loadDatasetSpec(p)).rejects.toThrow(new RegExp(`${p.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}.*\\n.*columns\\[0\\]\\.type`));
  });
});
