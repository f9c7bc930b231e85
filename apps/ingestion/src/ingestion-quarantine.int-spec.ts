import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { DatasetProfileSchema, DatasetValidationSchema, IngestionApi } from '@strata/contracts/api';
import { uniqueName, type RunningService, stopServiceAndClean } from '@strata/shared/testing';
import { putDatasetSpec, startLocalIngestion } from './__fixtures__/ingestion-service';

/**
 * Ingestion service against the real PostgreSQL + Kafka: a dataset whose event time is Unix
 * epoch seconds, an upload with bad rows under policy quarantine, and the download of exactly
 * those rows (row numbers, reasons, raw values) over HTTP as CSV and Parquet.
 */
describe('ingestion service: epoch timestamps and quarantine download (real Kafka + PostgreSQL)', () => {
  const schema = uniqueName('ingestion_q_it');
  const dataset = uniqueName('trips_epoch');
  const port = Number(process.env['INGESTION_IT_PORT'] ?? 24950 + Math.floor(Math.random() * 30));
  let dataDir: string;
  let svc: RunningService;

  const spec = {
    policy: 'quarantine',
    columns: [
      { name: 'trip_id', type: 'INT64', nullable: false },
      { name: 'pickup_ts', type: 'TIMESTAMP', nullable: false, format: 'epoch_s' },
      { name: 'dropoff_local', type: 'TIMESTAMP', format: '%d/%m/%Y %H:%M', timezone: 'America/New_York' },
      { name: 'payment', type: 'STRING', allowedValues: ['card', 'cash'] },
      { name: 'fare', type: 'FLOAT64', min: 0 },
    ],
  };
  // Rows 2 and 4 are bad (row numbers are 1-based data rows, header excluded).
  const csv = [
    'trip_id,pickup_ts,dropoff_local,payment,fare',
    '1,1577836800,31/12/2019 19:20,card,12.5',
    '2,2020-01-01 00:00:00,31/12/2019 19:30,cash,8',
    '3,1577840400,,cash,7.25',
    '4,,10/03/2024 02:30,bitcoin,-1',
    '5,1710052200,10/03/2024 03:10,card,30',
  ].join('\n');

  beforeAll(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'strata-ingestion-q-it-'));
    svc = await startLocalIngestion(port, schema, dataDir);
    expect(await putDatasetSpec(svc.baseUrl, dataset, spec)).toBe(200);
  }, 120_000);

  afterAll(() => stopServiceAndClean(svc, [schema], [dataDir]));

  it('ingests epoch seconds and local times, and serves exactly the quarantined rows with their numbers and reasons', async () => {
    const res = await fetch(`${svc.baseUrl}/datasets/${dataset}/versions`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: csv });
    expect(res.status).toBe(201);
    const v = (await res.json()) as { versionId: string; rowCount: number; validation: { invalidRowCount: number; quarantine?: { rowCount: number } }; profile: { columns: { name: string; min: unknown; max: unknown }[] } };
    expect(v.rowCount).toBe(3);
    expect(v.validation.invalidRowCount).toBe(2);
    expect(v.profile.columns.find((c) => c.name === 'pickup_ts')).toMatchObject({ min: '2020-01-01T00:00:00.000Z', max: '2024-03-10T06:30:00.000Z' });
    expect(v.profile.columns.find((c) => c.name === 'dropoff_local')).toMatchObject({ min: '2020-01-01T00:20:00.000Z', max: '2024-03-10T07:10:00.000Z' });
    // the profile and validation report parse with the shapes the console reads (contracts)
    expect(DatasetValidationSchema.parse(v.validation)).toMatchObject({ policy: 'quarantine', invalidRowCount: 2, quarantine: { rowCount: 2 } });
    expect(DatasetProfileSchema.parse(v.profile).columns.find((c) => c.name === 'pickup_ts')).toMatchObject({ type: 'TIMESTAMP', count: 3, nullCount: 0 });
    expect(IngestionApi.listDatasets.response.parse(await (await fetch(`${svc.baseUrl}/datasets`)).json()).find((d) => d.name === dataset)?.spec['name']).toBe(dataset);

    const dl = await fetch(`${svc.baseUrl}/datasets/${dataset}/versions/${v.versionId}/quarantine?format=csv`);
    expect(dl.status).toBe(200);
    expect(dl.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(dl.headers.get('x-quarantine-row-count')).toBe('2');
    expect(dl.headers.get('content-disposition')).toBe(`attachment; filename="${dataset}-${v.versionId}-quarantine.csv"`);
    expect((await dl.text()).split('\n')).toEqual([
      '_row,_reasons,trip_id,pickup_ts,dropoff_local,payment,fare',
      "2,pickup_ts [type]: value '2020-01-01 00:00:00' in column pickup_ts does not match the TIMESTAMP format epoch_s (Unix epoch seconds),2,2020-01-01 00:00:00,31/12/2019 19:30,cash,8",
      '4,' +
        'pickup_ts [not_null]: null value in non-nullable column; ' +
        "dropoff_local [type]: value '10/03/2024 02:30' in column dropoff_local does not match the TIMESTAMP format '%d/%m/%Y %H:%M' in time zone America/New_York (a local time skipped by a DST change is invalid); " +
        "payment [allowed_values]: value 'bitcoin' not in allowed values; " +
        'fare [min]: value -1 < min 0,4,,10/03/2024 02:30,bitcoin,-1',
      '',
    ]);

    // Parquet: the stored quarantine file, same rows, issues as a list of structs.
    const pq = await fetch(`${svc.baseUrl}/datasets/${dataset}/versions/${v.versionId}/quarantine?format=parquet`);
    expect(pq.status).toBe(200);
    expect(pq.headers.get('content-type')).toBe('application/vnd.apache.parquet');
    const file = path.join(dataDir, 'download.parquet');
    await fs.writeFile(file, Buffer.from(await pq.arrayBuffer()));
    const db = await DuckDBInstance.create(':memory:');
    const c = await db.connect();
    const rows = (await c.runAndReadAll(`SELECT _row, [x."column" || '/' || x.rule FOR x IN _issues] AS issues, trip_id, payment FROM read_parquet('${file}') ORDER BY _row`)).getRowObjectsJson();
    c.closeSync();
    db.closeSync();
    expect(rows).toEqual([
      { _row: '2', issues: ['pickup_ts/type'], trip_id: '2', payment: 'cash' },
      { _row: '4', issues: ['pickup_ts/not_null', 'dropoff_local/type', 'payment/allowed_values', 'fare/min'], trip_id: '4', payment: 'bitcoin' },
    ]);
  }, 60_000);

  it('answers 404 naming what is missing and 400 for a bad format', async () => {
    const clean = await fetch(`${svc.baseUrl}/datasets/${dataset}/versions`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: 'trip_id,pickup_ts,dropoff_local,payment,fare\n9,1577836800,,card,1\n' });
    expect(clean.status).toBe(201);
    const cleanId = ((await clean.json()) as { versionId: string }).versionId;
    const err = async (url: string) => {
      const r = await fetch(`${svc.baseUrl}${url}`);
      return { status: r.status, error: ((await r.json()) as { error: string }).error };
    };
    expect(await err(`/datasets/${dataset}/versions/${cleanId}/quarantine`)).toEqual({
      status: 404,
      error: `Dataset version '${dataset}@${cleanId}' has no quarantined rows (policy quarantine, 0 invalid row(s))`,
    });
    expect(await err(`/datasets/${dataset}/versions/0000000000000000/quarantine`)).toEqual({ status: 404, error: `Dataset version '${dataset}@0000000000000000' not found` });
    expect(await err(`/datasets/${dataset}-nope/versions/${cleanId}/quarantine`)).toEqual({ status: 404, error: `Dataset '${dataset}-nope' not found` });
    const bad = await err(`/datasets/${dataset}/versions/${cleanId}/quarantine?format=xlsx`);
    expect(bad.status).toBe(400);
    expect(bad.error).toContain('format');
  }, 60_000);

  it('an upload whose rows are ALL invalid says so (accepted 0, invalid N) and its own quarantine is downloadable, also after an earlier empty version', async () => {
    const header = 'trip_id,pickup_ts,dropoff_local,payment,fare';
    const upload = async (body: string) => {
      const r = await fetch(`${svc.baseUrl}/datasets/${dataset}/versions`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body });
      return { status: r.status, v: (await r.json()) as { versionId: string; rowCount: number; created: boolean; validation: { invalidRowCount: number }; upload: { inputRowCount: number; acceptedRowCount: number; invalidRowCount: number; quarantine?: { id?: string; rowCount: number; download: string } } } };
    };
    // an earlier header-only upload: the empty version (0 rows, nothing invalid)
    const empty = await upload(`${header}\n`);
    expect([empty.v.rowCount, empty.v.upload.inputRowCount, empty.v.upload.invalidRowCount]).toEqual([0, 0, 0]);
    // every row invalid: the accepted rows (none) are the empty version's, which already existed
    const allBad = await upload(`${header}\n7,,,bitcoin,1\n8,1577836800,,card,-5\n`);
    expect(allBad.status).toBe(200);
    expect([allBad.v.versionId, allBad.v.created, allBad.v.rowCount]).toEqual([empty.v.versionId, false, 0]);
    expect(allBad.v.validation.invalidRowCount).toBe(0); // the version's own (first) upload
    expect(allBad.v.upload).toMatchObject({ inputRowCount: 2, acceptedRowCount: 0, invalidRowCount: 2, quarantine: { rowCount: 2 } });
    const id = allBad.v.upload.quarantine!.id!;
    expect(id).toMatch(/^[0-9a-f]{16}$/);
    expect(allBad.v.upload.quarantine!.download).toBe(`/datasets/${dataset}/quarantines/${id}`);
    const dl = await fetch(`${svc.baseUrl}${allBad.v.upload.quarantine!.download}?format=csv`);
    expect(dl.status).toBe(200);
    expect((await dl.text()).split('\n')).toEqual([
      '_row,_reasons,trip_id,pickup_ts,dropoff_local,payment,fare',
      "1,pickup_ts [not_null]: null value in non-nullable column; payment [allowed_values]: value 'bitcoin' not in allowed values,7,,,bitcoin,1",
      '2,fare [min]: value -5 < min 0,8,1577836800,,card,-5',
      '',
    ]);
    // the empty version's own record is untouched: still no quarantine
    expect((await fetch(`${svc.baseUrl}/datasets/${dataset}/versions/${empty.v.versionId}/quarantine`)).status).toBe(404);
    const unknown = await fetch(`${svc.baseUrl}/datasets/${dataset}/quarantines/0000000000000000`);
    expect([unknown.status, ((await unknown.json()) as { error: string }).error]).toEqual([404, `Quarantine '0000000000000000' of dataset '${dataset}' not found`]);
    const badId = await fetch(`${svc.baseUrl}/datasets/${dataset}/quarantines/nope`);
    expect(badId.status).toBe(400);
  }, 60_000);
});
