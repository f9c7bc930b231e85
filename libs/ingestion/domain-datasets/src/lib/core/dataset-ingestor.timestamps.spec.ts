import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { LocalObjectStore } from '@strata/shared/data-access-object-store';
import { useIngestorSandbox } from '../testing/ingestor-sandbox';
import { parseDatasetSpec, type DatasetSpec } from './dataset-spec';
import { DatasetSpecError, DatasetValidationError } from './ingestion.errors';

/** TIMESTAMP/DATE columns declared with an epoch or strptime `format` (+ `timezone`). */
describe('DatasetIngestor: timestamp formats', () => {
  const sandbox = useIngestorSandbox('strata-ingest-ts-', (d) => new LocalObjectStore(path.join(d, 'lake')));

  const write = sandbox.write;
  /** Rows of a stored Parquet with every TIMESTAMPTZ rendered as ISO-8601 UTC (microseconds). */
  const readIso = async (uri: string, cols: string[]): Promise<Record<string, unknown>[]> => {
    const db = await DuckDBInstance.create(':memory:');
    const c = await db.connect();
    try {
      await c.run(`SET TimeZone = 'UTC'`);
      const sel = cols.map((n) => `strftime(${n}, '%Y-%m-%dT%H:%M:%S.%fZ') AS ${n}`).join(', ');
      return (await c.runAndReadAll(`SELECT id, ${sel} FROM '${sandbox.store.pathFor(sandbox.store.resolve(uri))}' ORDER BY id`)).getRowObjectsJson();
    } finally {
      c.closeSync();
      db.closeSync();
    }
  };

  it('reads epoch seconds, milliseconds and microseconds as UTC instants', async () => {
    const spec: DatasetSpec = {
      name: 'epochs',
      columns: [
        { name: 'id', type: 'INT64' },
        { name: 's', type: 'TIMESTAMP', format: 'epoch_s' },
        { name: 'ms', type: 'TIMESTAMP', format: 'epoch_ms' },
        { name: 'us', type: 'TIMESTAMP', format: 'epoch_us' },
      ],
    };
    const csv = 'id,s,ms,us\n' + '1,1577836800,1577836800000,1577836800000000\n' + '2,1577836800.5,1577836800123,1577836800123456\n' + '3,-1, 0 ,\n';
    const v = await sandbox.ingestor.ingest(spec, await write('e.csv', csv));
    expect(v.rowCount).toBe(3);
    expect(v.schema.map((s) => s.type)).toEqual(['INT64', 'TIMESTAMP', 'TIMESTAMP', 'TIMESTAMP']);
    expect(await readIso(v.uri, ['s', 'ms', 'us'])).toEqual([
      { id: '1', s: '2020-01-01T00:00:00.000000Z', ms: '2020-01-01T00:00:00.000000Z', us: '2020-01-01T00:00:00.000000Z' },
      { id: '2', s: '2020-01-01T00:00:00.500000Z', ms: '2020-01-01T00:00:00.123000Z', us: '2020-01-01T00:00:00.123456Z' },
      { id: '3', s: '1969-12-31T23:59:59.000000Z', ms: '1970-01-01T00:00:00.000000Z', us: null },
    ]);
    expect(v.profile.columns.find((p) => p.name === 's')).toMatchObject({ min: '1969-12-31T23:59:59.000Z', max: '2020-01-01T00:00:00.500Z', nullCount: 0 });
  });

  it('gives the same instant for an epoch integer (BIGINT path) as for its decimal or exponent spelling (exact DECIMAL path)', async () => {
    const spec: DatasetSpec = { name: 'epoch_paths', columns: [{ name: 'id', type: 'INT64' }, { name: 'ms', type: 'TIMESTAMP', format: 'epoch_ms' }] };
    const csv = 'id,ms\n1,1700000000123\n2,1700000000123.0\n3,1.700000000123e12\n4,+1700000000123\n5,-1700000000123\n6,-1700000000123.0\n';
    const v = await sandbox.ingestor.ingest(spec, await write('paths.csv', csv));
    expect(v.validation.invalidRowCount).toBe(0);
    const rows = await readIso(v.uri, ['ms']);
    expect(rows.map((r) => r['ms'])).toEqual([
      '2023-11-14T22:13:20.123000Z',
      '2023-11-14T22:13:20.123000Z',
      '2023-11-14T22:13:20.123000Z',
      '2023-11-14T22:13:20.123000Z',
      '1916-02-18T01:46:39.877000Z',
      '1916-02-18T01:46:39.877000Z',
    ]);
  });

  it('reads epoch numbers from NDJSON and Parquet sources too', async () => {
    const spec: DatasetSpec = { name: 'epochs2', columns: [{ name: 'id', type: 'INT64' }, { name: 't', type: 'TIMESTAMP', format: 'epoch_s' }] };
    const nd = await sandbox.ingestor.ingest(spec, await write('e.ndjson', '{"id":1,"t":1577836800}\n{"id":2,"t":1583020800}\n'));
    expect(await readIso(nd.uri, ['t'])).toEqual([
      { id: '1', t: '2020-01-01T00:00:00.000000Z' },
      { id: '2', t: '2020-03-01T00:00:00.000000Z' },
    ]);
    // A Parquet with a BIGINT epoch column (as written by pandas/Spark exports).
    const pq = path.join(sandbox.dir, 'e.parquet');
    const db = await DuckDBInstance.create(':memory:');
    const c = await db.connect();
    await c.run(`COPY (SELECT 1::BIGINT AS id, 1577836800::BIGINT AS t UNION ALL SELECT 2, 1583020800) TO '${pq}' (FORMAT parquet)`);
    c.closeSync();
    db.closeSync();
    const p = await sandbox.ingestor.ingest(spec, pq);
    expect(p.versionId).toBe(nd.versionId);
  });

  it('reads formatted local times in a named zone across the DST changes of America/New_York', async () => {
    const spec = parseDatasetSpec({
      name: 'local_times',
      columns: [
        { name: 'id', type: 'INT64' },
        { name: 't', type: 'TIMESTAMP', format: '%d/%m/%Y %H:%M', timezone: 'America/New_York' },
        { name: 'd', type: 'DATE', format: '%d/%m/%Y' },
      ],
    });
    const csv = [
      'id,t,d',
      '1,10/03/2024 01:59,10/03/2024', // EST (UTC-5), one minute before the spring-forward gap
      '2,10/03/2024 03:00,11/03/2024', // EDT (UTC-4), first minute after the gap
      '3,03/11/2024 00:30,03/11/2024', // EDT, before fall-back
      '4,03/11/2024 02:30,31/12/2024', // EST after fall-back
      '5,15/07/2024 12:00,',
    ].join('\n');
    const v = await sandbox.ingestor.ingest(spec, await write('l.csv', csv + '\n'));
    expect(v.rowCount).toBe(5);
    expect(await readIso(v.uri, ['t'])).toEqual([
      { id: '1', t: '2024-03-10T06:59:00.000000Z' },
      { id: '2', t: '2024-03-10T07:00:00.000000Z' },
      { id: '3', t: '2024-11-03T04:30:00.000000Z' },
      { id: '4', t: '2024-11-03T07:30:00.000000Z' },
      { id: '5', t: '2024-07-15T16:00:00.000000Z' },
    ]);
    expect(v.profile.columns.find((p) => p.name === 'd')).toMatchObject({ min: '2024-03-10', max: '2024-12-31', nullCount: 1 });
  });

  it('without a timezone a formatted time is UTC; %z offsets are honoured', async () => {
    const spec: DatasetSpec = {
      name: 'fmt_utc',
      columns: [
        { name: 'id', type: 'INT64' },
        { name: 'a', type: 'TIMESTAMP', format: '%Y%m%d %H%M%S' },
        { name: 'b', type: 'TIMESTAMP', format: '%Y-%m-%d %H:%M %z' },
      ],
    };
    const v = await sandbox.ingestor.ingest(spec, await write('u.csv', 'id,a,b\n1,20200101 000000,2020-01-01 02:00 +0200\n'));
    expect(await readIso(v.uri, ['a', 'b'])).toEqual([{ id: '1', a: '2020-01-01T00:00:00.000000Z', b: '2020-01-01T00:00:00.000000Z' }]);
  });

  it('quarantines values that do not match, with the row, the column and the expected format', async () => {
    const spec: DatasetSpec = {
      name: 'bad_times',
      policy: 'quarantine',
      columns: [
        { name: 'id', type: 'INT64' },
        { name: 'e', type: 'TIMESTAMP', format: 'epoch_ms' },
        { name: 'l', type: 'TIMESTAMP', format: '%d/%m/%Y %H:%M', timezone: 'America/New_York' },
      ],
    };
    const csv = [
      'id,e,l',
      '1,1577836800000,01/01/2020 00:00',
      '2,2020-01-01,01/01/2020 00:00', // ISO text in an epoch column
      '3,1577836800000,2020-01-01 00:00', // wrong layout
      '4,1577836800000,10/03/2024 02:30', // does not exist in New York (spring-forward gap)
      '5,99999999999999999999,31/02/2024 10:00', // out of range epoch; 31 February
    ].join('\n');
    const v = await sandbox.ingestor.ingest(spec, await write('b.csv', csv + '\n'));
    expect(v.rowCount).toBe(1);
    expect(v.validation).toMatchObject({ inputRowCount: 5, invalidRowCount: 4, issueCount: 5 });
    expect(v.validation.issues.map((i) => [i.row, i.column, i.rule, i.value, i.message])).toEqual([
      [2, 'e', 'type', '2020-01-01', "value '2020-01-01' in column e does not match the TIMESTAMP format epoch_ms (Unix epoch milliseconds)"],
      [3, 'l', 'type', '2020-01-01 00:00', "value '2020-01-01 00:00' in column l does not match the TIMESTAMP format '%d/%m/%Y %H:%M' in time zone America/New_York (a local time skipped by a DST change is invalid)"],
      [4, 'l', 'type', '10/03/2024 02:30', expect.stringContaining("in column l does not match the TIMESTAMP format '%d/%m/%Y %H:%M'")],
      [5, 'e', 'type', '99999999999999999999', expect.stringContaining('epoch_ms')],
      [5, 'l', 'type', '31/02/2024 10:00', expect.stringContaining('%d/%m/%Y %H:%M')],
    ]);
    await expect(sandbox.ingestor.ingest({ ...spec, policy: 'reject' }, await write('b2.csv', csv + '\n'))).rejects.toThrow(DatasetValidationError);
  });

  it('rejects misplaced or unknown format/timezone declarations, naming the field', () => {
    const bad = (col: Record<string, unknown>) => () => parseDatasetSpec({ name: 'x', columns: [{ name: 'a', ...col }] }, 'request body');
    expect(bad({ type: 'INT64', format: 'epoch_s' })).toThrow(/columns\[0\]\.format: format applies only to TIMESTAMP and DATE/);
    expect(bad({ type: 'TIMESTAMP', format: 'epoch_minutes' })).toThrow(/columns\[0\]\.format: must be epoch_s, epoch_ms, epoch_us or a strptime format/);
    expect(bad({ type: 'DATE', format: 'epoch_s' })).toThrow(/columns\[0\]\.format: epoch_s applies only to TIMESTAMP/);
    expect(bad({ type: 'TIMESTAMP', format: 'epoch_s', timezone: 'UTC' })).toThrow(/columns\[0\]\.timezone: timezone applies only to TIMESTAMP columns with a strptime format/);
    expect(bad({ type: 'TIMESTAMP', format: '%Y-%m-%d %H:%M', timezone: 'Mars/Olympus' })).toThrow(/columns\[0\]\.timezone: unknown IANA time zone 'Mars\/Olympus'/);
    expect(bad({ type: 'TIMESTAMP', format: '%Y-%m-%d %H:%M %z', timezone: 'UTC' })).toThrow(/columns\[0\]\.timezone: format .* holds an offset/);
    expect(bad({ type: 'TIMESTAMP', format: '%Y-%m-%d %H:%M', timezone: 'Europe/Paris' })).not.toThrow();
  });

  it('names the column when DuckDB rejects a strptime format', async () => {
    const spec: DatasetSpec = { name: 'x', columns: [{ name: 'a', type: 'TIMESTAMP', format: '%Q-%Y' }] };
    const err = await sandbox.ingestor.ingest(spec, await write('x.csv', 'a\n2020\n')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatasetSpecError);
    expect((err as Error).message).toMatch(/columns\[0\]\.format: '%Q-%Y' is not a valid strptime format/);
  });
});
