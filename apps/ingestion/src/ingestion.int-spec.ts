import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { IngestionApi } from '@strata/contracts/api';
import { eventually, infraEnv, REPO_ROOT, stopServiceAndClean, uniqueName, type RunningService } from '@strata/shared/testing';
import { Client } from 'pg';
import { exampleTaxiDatasetSpec, putDatasetSpec, startLocalIngestion } from './__fixtures__/ingestion-service';

/** Ingestion service against the real PostgreSQL + Kafka: streamed uploads, idempotency, reject policy, outbox. */
describe('ingestion service (real Kafka + PostgreSQL)', () => {
  const infra = infraEnv();
  const schema = uniqueName('ingestion_it');
  const dataset = uniqueName('taxi_it');
  const port = Number(process.env['INGESTION_IT_PORT'] ?? 24910 + Math.floor(Math.random() * 30));
  const slice = path.join(REPO_ROOT, 'libs/ingestion/domain-datasets/src/__fixtures__/taxi-2019-03-200.csv');
  let dataDir: string;
  let svc: RunningService;
  let pg: Client;

  const upload = async (body: Buffer | string, query = '', contentType = 'text/csv') => {
    const res = await fetch(`${svc.baseUrl}/datasets/${dataset}/versions${query}`, { method: 'POST', headers: { 'content-type': contentType }, body });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const outboxCount = async () =>
    Number((await pg.query(`SELECT count(*) AS n FROM "${schema}".outbox_event WHERE topic = $1 AND key = $2`, ['strata.ingestion.dataset-version-created.v1', dataset])).rows[0].n);

  beforeAll(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'strata-ingestion-it-'));
    svc = await startLocalIngestion(port, schema, dataDir, { LOG_LEVEL: 'info' });
    expect(await putDatasetSpec(svc.baseUrl, dataset, await exampleTaxiDatasetSpec())).toBe(200);
    pg = new Client({ connectionString: infra.databaseUrl });
    await pg.connect();
  }, 120_000);

  afterAll(async () => {
    await pg?.end();
    await stopServiceAndClean(svc, [schema], [dataDir]);
  });

  it('uploading the same CSV twice gives one version (201 then 200) and one event', async () => {
    const csv = await fs.readFile(slice);
    const first = await upload(csv);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ datasetName: dataset, rowCount: 200, created: true });
    const second = await upload(csv);
    expect(second.status).toBe(200);
    expect(second.body['versionId']).toBe(first.body['versionId']);
    expect(second.body['created']).toBe(false);
    // Registering the same file by URI is the same content too.
    const byUri = await fetch(`${svc.baseUrl}/datasets/${dataset}/versions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sourceUri: `file://${slice}` }),
    });
    expect(byUri.status).toBe(200);
    expect(((await byUri.json()) as { versionId: string }).versionId).toBe(first.body['versionId']);
    expect(await outboxCount()).toBe(1);
    const ev = await pg.query(`SELECT payload FROM "${schema}".outbox_event WHERE key = $1`, [dataset]);
    expect(JSON.parse(Buffer.from(ev.rows[0].payload).toString('utf8'))).toMatchObject({
      datasetName: dataset,
      versionId: first.body['versionId'],
      contentSha256: first.body['contentSha256'],
      rowCount: 200,
      format: 'parquet',
    });
    const list = (await (await fetch(`${svc.baseUrl}/datasets/${dataset}/versions`)).json()) as unknown[];
    expect(list).toHaveLength(1);
    const one = await fetch(`${svc.baseUrl}/datasets/${dataset}/versions/${String(first.body['versionId'])}`);
    expect(one.status).toBe(200);
  }, 60_000);

  it('policy reject: a bad row gives 422 with row/column issues and records nothing', async () => {
    const lines = (await fs.readFile(slice, 'utf8')).split('\n');
    lines[3] = lines[3]!.replace(/^([^,]*,[^,]*,[^,]*,[^,]*,)[^,]*/, '$1not-a-number');
    const res = await upload(lines.join('\n'), '?policy=reject');
    expect(res.status).toBe(422);
    expect(res.body['code']).toBe('INTEGRITY_ERROR');
    expect((res.body['details'] as { issues: unknown[] }).issues).toEqual([
      { row: 3, column: 'trip_distance', rule: 'type', message: "value 'not-a-number' is not a valid FLOAT64", value: 'not-a-number' },
    ]);
    expect(await outboxCount()).toBe(1);
    // quarantine accepts the other rows as a new version
    const q = await upload(lines.join('\n'), '?policy=quarantine');
    expect(q.status).toBe(201);
    expect(q.body).toMatchObject({ rowCount: 199, validation: expect.objectContaining({ invalidRowCount: 1 }) });
    expect(await outboxCount()).toBe(2);
  }, 60_000);

  it('reports progress of a running upload in bytes and rows (GET /uploads/{id}), then the exact result', async () => {
    const lines = (await fs.readFile(slice, 'utf8')).split('\n').filter((l) => l !== '');
    // Distinct content (reversed rows) so this upload creates a new version.
    const body = [lines[0]!, ...lines.slice(1).reverse()];
    const first = Buffer.from(`${body.slice(0, 101).join('\n')}\n`); // header + 100 rows
    const rest = Buffer.from(`${body.slice(101).join('\n')}\n`); // 100 rows
    const uploadId = uniqueName('up');
    let sendRest!: () => void;
    const restGate = new Promise<void>((r) => (sendRest = r));
    const stream = new ReadableStream<Uint8Array>({
      async start(c) {
        c.enqueue(first);
        await restGate;
        c.enqueue(rest);
        c.close();
      },
    });
    const pending = fetch(`${svc.baseUrl}/datasets/${dataset}/versions?policy=reject&uploadId=${uploadId}`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    const running = await eventually(async () => {
      const r = await fetch(`${svc.baseUrl}/uploads/${uploadId}`);
      const s = (await r.json()) as Record<string, unknown>;
      if (r.status !== 200 || s['bytesReceived'] !== first.length) throw new Error(`not yet: ${r.status} ${JSON.stringify(s)}`);
      return s;
    }, 20_000);
    expect(running).toMatchObject({ id: uploadId, datasetName: dataset, format: 'csv', state: 'receiving', bytesReceived: first.length, rowsReceived: 100, totalBytes: null, percent: null, versionId: null, finishedAt: null });
    expect((await (await fetch(`${svc.baseUrl}/uploads`)).json()) as unknown[]).toEqual(expect.arrayContaining([expect.objectContaining({ id: uploadId, state: 'receiving' })]));
    sendRest();
    const res = await pending;
    expect(res.status).toBe(201);
    expect(res.headers.get('x-upload-id')).toBe(uploadId);
    const v = (await res.json()) as { versionId: string; rowCount: number };
    expect(v.rowCount).toBe(200);
    const done = (await (await fetch(`${svc.baseUrl}/uploads/${uploadId}`)).json()) as Record<string, unknown>;
    expect(done).toMatchObject({ state: 'done', bytesReceived: first.length + rest.length, rowsReceived: 200, rowsAccepted: 200, rowsInvalid: 0, versionId: v.versionId, error: null });
    expect(typeof done['finishedAt']).toBe('string');
    // a running and a finished upload parse with the contract (what the typed client's getUpload types)
    expect(IngestionApi.getUpload.response.parse(running).state).toBe('receiving');
    expect(IngestionApi.getUpload.response.parse(done).versionId).toBe(v.versionId);
    // Progress is also logged with bytes and rows at the end of the upload.
    expect(svc.output()).toContain(`upload ${uploadId} received: ${first.length + rest.length} bytes, 200 row(s)`);
    expect((await fetch(`${svc.baseUrl}/uploads/${uploadId}-missing`)).status).toBe(404);
  }, 60_000);

  it('answers 4xx for unknown datasets, bad bodies and unsupported content types', async () => {
    expect((await fetch(`${svc.baseUrl}/datasets/${dataset}-missing`)).status).toBe(404);
    const bad = await fetch(`${svc.baseUrl}/datasets/${dataset}/versions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sourceUri: 'http://x' }) });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toContain('sourceUri');
    expect((await upload('a,b\n1,2\n', '', 'text/plain')).status).toBe(415);
  });

  it('a NUL character inside a value is accepted (201), and the stored profile quotes it as U+FFFD (jsonb cannot hold U+0000)', async () => {
    const nulDataset = uniqueName('nul_it');
    expect(await putDatasetSpec(svc.baseUrl, nulDataset, { format: 'ndjson' })).toBe(200);
    const ndjson = '{"sourceUri": "s3://wl/a\\u0000b", "n": 1}\n';
    const res = await fetch(`${svc.baseUrl}/datasets/${nulDataset}/versions?format=ndjson&policy=reject`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: ndjson });
    expect(res.status).toBe(201);
    const version = (await res.json()) as { versionId: string; rowCount: number; profile: { columns: Array<{ name: string; min?: unknown }> } };
    expect(version.rowCount).toBe(1);
    expect(version.profile.columns.find((c) => c.name === 'sourceUri')?.min).toBe('s3://wl/a\uFFFDb');
    const stored = await pg.query(`SELECT profile FROM "${schema}".dataset_version WHERE dataset_name = $1`, [nulDataset]);
    expect((stored.rows[0].profile as { columns: Array<{ name: string; min?: unknown }> }).columns.find((c) => c.name === 'sourceUri')?.min).toBe('s3://wl/a\uFFFDb');
  }, 60_000);
});
