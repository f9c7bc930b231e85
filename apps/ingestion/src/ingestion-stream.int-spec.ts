import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { buildEnvelopeHeaders, IngestRecordsV1 } from '@strata/contracts';
import { eventually, infraEnv, startGroupAtEnd, startService, uniqueName, waitReady, type RunningService } from '@strata/shared/testing';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { Client } from 'pg';

/**
 * Streaming ingestion against the real Kafka + PostgreSQL: ingest-records batches become
 * micro-batch versions (each = parent + new rows) with exactly-once effect, across a SIGKILL of
 * the service in the middle of the stream, a redelivered event (same ce_id) and a producer retry
 * (same batchId, new ce_id).
 */
describe('ingestion streaming (real Kafka + PostgreSQL, kill -9 mid-stream)', () => {
  const infra = infraEnv();
  const schema = uniqueName('ingestion_stream_it');
  const dataset = uniqueName('events_it');
  const port = 24940 + Math.floor(Math.random() * 25);
  const BATCHES = 40;
  const PER_BATCH = 25;
  const N = BATCHES * PER_BATCH;
  let dataDir: string;
  let svc: RunningService;
  let pg: Client;
  let producer: Producer;

  const env = () => ({
    DATABASE_URL: infra.databaseUrl,
    KAFKA_BROKERS: infra.kafkaBrokers.join(','),
    INGESTION_DB_SCHEMA: schema,
    INGESTION_KAFKA_GROUP_ID: schema,
    STRATA_DATA_DIR: dataDir,
    STRATA_OBJECT_STORE: 'local',
    INGESTION_STREAM_FLUSH_RECORDS: '100',
    INGESTION_STREAM_FLUSH_INTERVAL_MS: '300',
    INGESTION_STREAM_POLL_MS: '50',
    LOG_LEVEL: 'info',
  });
  const send = async (batchId: string, records: IngestRecordsV1['records'], ceId = randomUUID()) => {
    const value: IngestRecordsV1 = { datasetName: dataset, batchId, source: 'it', records, sentAt: new Date().toISOString() };
    await producer.send({
      topic: IngestRecordsV1.topic,
      messages: [{ key: dataset, value: JSON.stringify(IngestRecordsV1.schema.parse(value)), headers: buildEnvelopeHeaders({ id: ceId, source: '/strata/ingestion-it', type: IngestRecordsV1.type, subject: dataset }) }],
    });
  };
  const recordsOf = (b: number) => Array.from({ length: PER_BATCH }, (_, i) => ({ id: b * PER_BATCH + i + 1, name: `r${b * PER_BATCH + i + 1}`, amount: (b * PER_BATCH + i + 1) / 4 }));
  const versions = async () =>
    (await pg.query(`SELECT version_id, parent_version_id, row_count::int AS rows, uri, validation FROM "${schema}".dataset_version ORDER BY created_at`)).rows as Array<{
      version_id: string;
      parent_version_id: string | null;
      rows: number;
      uri: string;
      validation: { inputRowCount: number; invalidRowCount: number };
    }>;

  beforeAll(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'strata-ingestion-stream-it-'));
    await startGroupAtEnd(infra.kafkaBrokers, schema, [IngestRecordsV1.topic]);
    producer = new Kafka({ brokers: infra.kafkaBrokers, clientId: schema, logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
    pg = new Client({ connectionString: infra.databaseUrl });
    await pg.connect();
  }, 60_000);

  afterAll(async () => {
    await svc?.stop();
    await producer?.disconnect();
    await pg?.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await pg?.end();
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  it('N+1 valid records in 41 batches → exactly N+1 rows, no duplicates, across a SIGKILL, a redelivery and a producer retry', async () => {
    svc = startService('ingestion', port, env());
    await waitReady(svc);
    const spec = {
      columns: [
        { name: 'id', type: 'INT64', nullable: false },
        { name: 'name', type: 'STRING' },
        { name: 'amount', type: 'FLOAT64', min: 0 },
      ],
    };
    const put = await fetch(`${svc.baseUrl}/datasets/${dataset}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(spec) });
    expect(put.status).toBe(200);

    // First half, then kill -9 as soon as at least two micro-batch versions were committed.
    for (let b = 0; b < BATCHES / 2; b++) await send(`b${b}`, recordsOf(b));
    await eventually(async () => {
      const n = (await versions()).length;
      if (n < 2) throw new Error(`${n} version(s) so far`);
    }, 60_000);
    svc.process.kill('SIGKILL');
    await svc.exited;

    // While it is down: the second half, one event delivered twice (same ce_id), one batch re-sent by the producer
    // (same batchId, new ce_id), and one batch with an invalid record (quarantined) and a valid one.
    const dupCe = randomUUID();
    for (let b = BATCHES / 2; b < BATCHES; b++) await send(`b${b}`, recordsOf(b), b === BATCHES - 1 ? dupCe : undefined);
    await send(`b${BATCHES - 1}`, recordsOf(BATCHES - 1), dupCe);
    await send('b3', recordsOf(3));
    await send('mixed', [
      { id: 'not-a-number', name: 'bad', amount: 1 },
      { id: N + 1, name: `r${N + 1}`, amount: (N + 1) / 4 },
    ]);

    svc = startService('ingestion', port, env());
    await waitReady(svc);
    const all = await eventually(async () => {
      const pending = (await pg.query(`SELECT count(*)::int AS n FROM "${schema}".ingest_batch WHERE flushed_at IS NULL`)).rows[0].n as number;
      const staged = (await pg.query(`SELECT count(*)::int AS n FROM "${schema}".ingest_batch`)).rows[0].n as number;
      if (staged !== BATCHES + 1 || pending !== 0) throw new Error(`staged ${staged}, pending ${pending}`);
      return versions();
    }, 60_000);

    const last = all.at(-1)!;
    const M = N + 1;
    expect(last.rows).toBe(M);
    // Each version extends the previous one: parent chain and row counts add up.
    for (let i = 1; i < all.length; i++) {
      expect(all[i]!.parent_version_id).toBe(all[i - 1]!.version_id);
      expect(all[i]!.rows).toBe(all[i - 1]!.rows + all[i]!.validation.inputRowCount - all[i]!.validation.invalidRowCount);
    }
    expect(all[0]!.parent_version_id).toBeNull();
    expect(all.reduce((s, v) => s + v.validation.invalidRowCount, 0)).toBe(1);
    expect(all.reduce((s, v) => s + v.validation.inputRowCount, 0)).toBe(M + 1);

    // The data itself: exactly ids 1..M once each.
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    const r = (
      await conn.runAndReadAll(
        `SELECT count(*)::INT AS n, count(DISTINCT id)::INT AS d, min(id)::INT AS lo, max(id)::INT AS hi, sum(amount) AS total FROM read_parquet('${fileURLToPath(last.uri)}')`,
      )
    ).getRowObjects()[0]!;
    conn.closeSync();
    db.closeSync();
    expect(r).toEqual({ n: M, d: M, lo: 1, hi: M, total: (M * (M + 1)) / 2 / 4 });

    // One dataset-version-created event per version, with the parent chain.
    const events = (await pg.query(`SELECT payload FROM "${schema}".outbox_event WHERE topic = 'strata.ingestion.dataset-version-created.v1' ORDER BY seq`)).rows.map(
      (x: { payload: Buffer }) => JSON.parse(Buffer.from(x.payload).toString('utf8')) as { versionId: string; parentVersionId: string | null; rowCount: number },
    );
    expect(events.map((e) => [e.versionId, e.parentVersionId, e.rowCount])).toEqual(all.map((v) => [v.version_id, v.parent_version_id, v.rows]));
    // Every staged batch points at a recorded version and holds no records any more.
    const orphans = await pg.query(
      `SELECT count(*)::int AS n FROM "${schema}".ingest_batch b WHERE b.records IS NOT NULL OR NOT EXISTS (SELECT 1 FROM "${schema}".dataset_version v WHERE v.version_id = b.flushed_version_id)`,
    );
    expect(orphans.rows[0].n).toBe(0);
  }, 180_000);
});
