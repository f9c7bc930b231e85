import { createHash, randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { buildEnvelopeHeaders, IngestRecordsV1 } from '@strata/contracts';
import { DatasetIngestor, loadDatasetSpec } from '@strata/ingestion/domain-datasets';
import { LocalObjectStore } from '@strata/shared/data-access-object-store';
import { eventually, infraEnv, REPO_ROOT, startGroupAtEnd, startService, stopServiceAndClean, uniqueName, waitReady, type RunningService } from '@strata/shared/testing';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { exampleTaxiDatasetSpec, putDatasetSpec } from './__fixtures__/ingestion-service';

/** S3 endpoint from the environment (`tools/stack/stack.sh up --with s3` writes it to .stack/env); missing → the test FAILS. */
function s3Env(): Record<'S3_ENDPOINT' | 'AWS_REGION' | 'AWS_ACCESS_KEY_ID' | 'AWS_SECRET_ACCESS_KEY', string> {
  const get = (k: string, d?: string) => {
    const v = process.env[k] ?? d;
    if (!v) throw new Error(`${k} is not set: the S3 ingestion tests need an S3 endpoint (run 'bash tools/stack/stack.sh up --with s3', which writes S3_ENDPOINT and AWS_* to .stack/env)`);
    return v;
  };
  return { S3_ENDPOINT: get('S3_ENDPOINT'), AWS_REGION: get('AWS_REGION', 'us-east-1'), AWS_ACCESS_KEY_ID: get('AWS_ACCESS_KEY_ID'), AWS_SECRET_ACCESS_KEY: get('AWS_SECRET_ACCESS_KEY') };
}

/**
 * Ingestion with the lake on a real S3 endpoint (moto server): uploads land in the bucket with
 * the digest recorded in PostgreSQL, `s3://` sources register as versions (same content → same
 * version as a local ingestion), and streamed micro-batches append to a parent read back from S3.
 */
describe('ingestion service with the lake on S3 (real S3 endpoint + Kafka + PostgreSQL)', () => {
  const infra = infraEnv();
  const s3e = s3Env();
  const schema = uniqueName('ingestion_s3_it');
  const dataset = uniqueName('taxi_s3');
  const events = uniqueName('events_s3');
  const lakeBucket = 'strata-lake-it';
  const srcBucket = 'strata-src-it';
  const prefix = `run-${randomUUID()}`;
  const port = 24970 + Math.floor(Math.random() * 25);
  const slice = path.join(REPO_ROOT, 'libs/ingestion/domain-datasets/src/__fixtures__/taxi-2019-03-200.csv');
  const s3 = new S3Client({ endpoint: s3e.S3_ENDPOINT, region: s3e.AWS_REGION, forcePathStyle: true, credentials: { accessKeyId: s3e.AWS_ACCESS_KEY_ID, secretAccessKey: s3e.AWS_SECRET_ACCESS_KEY } });
  let svc: RunningService;
  let pg: Client;
  let tmp: string;

  const getObject = async (uri: string) => {
    const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri)!;
    const r = await s3.send(new GetObjectCommand({ Bucket: m[1], Key: m[2] }));
    return Buffer.from(await r.Body!.transformToByteArray());
  };
  const json = async (res: Response) => ({ status: res.status, body: (await res.json()) as Record<string, unknown> });
  const postJson = (p: string, body: unknown) => fetch(`${svc.baseUrl}${p}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then(json);

  beforeAll(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'strata-ingestion-s3-it-'));
    await s3.send(new CreateBucketCommand({ Bucket: srcBucket })).catch((e: { name?: string }) => {
      if (e.name !== 'BucketAlreadyOwnedByYou' && e.name !== 'BucketAlreadyExists') throw e;
    });
    await startGroupAtEnd(infra.kafkaBrokers, schema, [IngestRecordsV1.topic]);
    svc = startService('ingestion', port, {
      DATABASE_URL: infra.databaseUrl,
      KAFKA_BROKERS: infra.kafkaBrokers.join(','),
      INGESTION_DB_SCHEMA: schema,
      INGESTION_KAFKA_GROUP_ID: schema,
      STRATA_DATA_DIR: path.join(tmp, 'unused-local-lake'),
      STRATA_OBJECT_STORE: 's3',
      STRATA_S3_BUCKET: lakeBucket,
      STRATA_S3_PREFIX: prefix,
      STRATA_S3_CREATE_BUCKET: 'true',
      ...s3e,
      INGESTION_STREAM_FLUSH_RECORDS: '1000',
      INGESTION_STREAM_FLUSH_INTERVAL_MS: '200',
      INGESTION_STREAM_POLL_MS: '50',
    });
    await waitReady(svc);
    pg = new Client({ connectionString: infra.databaseUrl });
    await pg.connect();
    expect(await putDatasetSpec(svc.baseUrl, dataset, await exampleTaxiDatasetSpec())).toBe(200);
  }, 120_000);

  afterAll(async () => {
    await pg?.end();
    s3.destroy();
    await stopServiceAndClean(svc, [schema], [tmp]);
  });

  it('an upload is written to the S3 lake: the object has the recorded sha256 and size; nothing on local disk', async () => {
    const csv = await fs.readFile(slice);
    const up = await json(await fetch(`${svc.baseUrl}/datasets/${dataset}/versions`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: csv }));
    expect(up.status).toBe(201);
    const v = up.body as { versionId: string; contentSha256: string; sizeBytes: number; uri: string; manifestUri: string; rowCount: number };
    expect(v.rowCount).toBe(200);
    expect(v.uri).toBe(`s3://${lakeBucket}/${prefix}/datasets/${dataset}/${v.versionId}/data.parquet`);
    expect(v.manifestUri).toBe(`s3://${lakeBucket}/${prefix}/datasets/${dataset}/${v.versionId}/manifest.json`);
    const bytes = await getObject(v.uri);
    expect(bytes.length).toBe(v.sizeBytes);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(v.contentSha256);
    expect(JSON.parse((await getObject(v.manifestUri)).toString('utf8'))).toMatchObject({ versionId: v.versionId, rowCount: 200 });
    await expect(fs.access(path.join(tmp, 'unused-local-lake', 'datasets'))).rejects.toThrow();

    // Content addressing does not depend on the store: a local ingestion of the same CSV gives the same version id.
    const local = new DatasetIngestor({ store: new LocalObjectStore(path.join(tmp, 'local')) });
    const lv = await local.ingest({ ...(await loadDatasetSpec(path.join(REPO_ROOT, 'examples/taxi/dataset.yaml'))), name: dataset }, slice);
    await local.close();
    expect(lv.versionId).toBe(v.versionId);

    // Registering the same CSV by s3:// URI (another bucket) is the same content: 200, same version, no second event.
    await s3.send(new PutObjectCommand({ Bucket: srcBucket, Key: `${prefix}/in/trips.csv`, Body: csv }));
    const reg = await postJson(`/datasets/${dataset}/versions`, { sourceUri: `s3://${srcBucket}/${prefix}/in/trips.csv` });
    expect(reg.status).toBe(200);
    expect(reg.body).toMatchObject({ versionId: v.versionId, created: false, rowCount: 200 });
    const n = await pg.query(`SELECT count(*)::int AS n FROM "${schema}".outbox_event WHERE topic = 'strata.ingestion.dataset-version-created.v1'`);
    expect(n.rows[0].n).toBe(1);
  }, 60_000);

  it('an s3:// source with bad rows under quarantine becomes a new version; a missing object is 404; a bad URI is 400', async () => {
    const lines = (await fs.readFile(slice, 'utf8')).split('\n');
    lines[5] = lines[5]!.replace(/^([^,]*,[^,]*,[^,]*,[^,]*,)[^,]*/, '$1oops');
    await s3.send(new PutObjectCommand({ Bucket: srcBucket, Key: `${prefix}/in/bad.csv`, Body: lines.join('\n') }));
    const q = await postJson(`/datasets/${dataset}/versions`, { sourceUri: `s3://${srcBucket}/${prefix}/in/bad.csv`, policy: 'quarantine' });
    expect(q.status).toBe(201);
    expect(q.body).toMatchObject({ rowCount: 199, validation: expect.objectContaining({ invalidRowCount: 1, inputRowCount: 200 }) });
    const missing = await postJson(`/datasets/${dataset}/versions`, { sourceUri: `s3://${srcBucket}/${prefix}/in/nope.csv` });
    expect(missing.status).toBe(404);
    expect(missing.body['error']).toBe(`Source object 's3://${srcBucket}/${prefix}/in/nope.csv' not found`);
    const bad = await postJson(`/datasets/${dataset}/versions`, { sourceUri: 's3://Bad_Bucket/x.csv' });
    expect(bad.status).toBe(400);
    expect(String(bad.body['error'])).toContain('sourceUri');
  }, 60_000);

  it('streamed micro-batches append to a parent version read back from S3', async () => {
    const spec = { columns: [{ name: 'id', type: 'INT64', nullable: false }, { name: 'tag', type: 'STRING' }] };
    expect((await fetch(`${svc.baseUrl}/datasets/${events}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(spec) })).status).toBe(200);
    const producer = new Kafka({ brokers: infra.kafkaBrokers, clientId: schema, logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
    const send = (batchId: string, records: IngestRecordsV1['records']) =>
      producer.send({
        topic: IngestRecordsV1.topic,
        messages: [
          {
            key: events,
            value: JSON.stringify(IngestRecordsV1.schema.parse({ datasetName: events, batchId, source: 'it', records, sentAt: new Date().toISOString() })),
            headers: buildEnvelopeHeaders({ id: randomUUID(), source: '/strata/ingestion-it', type: IngestRecordsV1.type, subject: events }),
          },
        ],
      });
    try {
      await send('a', [{ id: 1, tag: 'x' }, { id: 2, tag: 'y' }, { id: 3, tag: null }]);
      const first = await eventually(async () => {
        const list = (await (await fetch(`${svc.baseUrl}/datasets/${events}/versions`)).json()) as Array<{ versionId: string; rowCount: number; parentVersionId: string | null; uri: string }>;
        if (list.length !== 1) throw new Error(`${list.length} versions`);
        return list[0]!;
      }, 30_000);
      expect(first).toMatchObject({ rowCount: 3, parentVersionId: null });
      await send('b', [{ id: 4, tag: 'z' }, { id: 5, tag: 'x' }]);
      const second = await eventually(async () => {
        const list = (await (await fetch(`${svc.baseUrl}/datasets/${events}/versions`)).json()) as Array<{ versionId: string; rowCount: number; parentVersionId: string | null; uri: string; profile: { columns: Array<{ name: string; topValues?: unknown }> } }>;
        if (list.length !== 2) throw new Error(`${list.length} versions`);
        return list[1]!;
      }, 30_000);
      expect(second).toMatchObject({ rowCount: 5, parentVersionId: first.versionId });
      expect(second.uri.startsWith(`s3://${lakeBucket}/${prefix}/datasets/${events}/`)).toBe(true);
      const bytes = await getObject(second.uri);
      // Parent rows first, then the new batch: check with DuckDB on a local copy.
      const file = path.join(tmp, 'second.parquet');
      await fs.writeFile(file, bytes);
      const { DuckDBInstance } = await import('@duckdb/node-api');
      const db = await DuckDBInstance.create(':memory:');
      const conn = await db.connect();
      const rows = (await conn.runAndReadAll(`SELECT id::INT AS id, tag FROM read_parquet('${file}')`)).getRowObjects();
      conn.closeSync();
      db.closeSync();
      expect(rows).toEqual([
        { id: 1, tag: 'x' },
        { id: 2, tag: 'y' },
        { id: 3, tag: null },
        { id: 4, tag: 'z' },
        { id: 5, tag: 'x' },
      ]);
    } finally {
      await producer.disconnect();
    }
  }, 90_000);
});
