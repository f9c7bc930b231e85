import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type BeforeApplicationShutdown } from '@nestjs/common';
import { DatasetEntity } from '@strata/ingestion/data-access';
import { DatabaseService } from '@strata/shared/nest-platform';
import type { EntityManager } from 'typeorm';
import { DatasetIngestor } from '../../core/dataset-ingestor.service';
import type { ColumnSpec, DatasetSpec } from '../../core/dataset-spec';
import { DATASET_INGESTOR, STREAM_INGESTION_OPTIONS } from '../datasets.constants';
import type { DatasetVersionDto } from '../datasets.dto';
import { DatasetsService } from '../datasets.service';
import type { StreamIngestionOptions } from './stream-ingestion.options';

/** Result of one {@link StreamFlusher.flush}. */
export interface FlushResult {
  readonly datasetName: string;
  /** Batches and records folded into the version. */
  readonly batches: number;
  readonly records: number;
  /** Records set aside by validation (policy `quarantine`). */
  readonly invalidRecords: number;
  /** The version now containing the batches (null when nothing was pending). */
  readonly version: DatasetVersionDto | null;
  readonly parentVersionId: string | null;
}

interface PendingBatch {
  batch_id: string;
  record_count: number;
  records: Array<Record<string, unknown>>;
}

/**
 * Cuts micro-batch versions from the staging area (`ingest_batch`).
 *
 * A dataset is due when its pending records reach `flushRecords` or its oldest pending batch
 * is `flushIntervalMs` old. One flush = ONE PostgreSQL transaction that
 * 1. takes a per-dataset advisory lock (one flusher per dataset across replicas),
 * 2. reads the pending batches in arrival order (whole batches, up to `maxRecordsPerVersion`),
 * 3. ingests them with the {@link DatasetIngestor} in append mode on top of the latest version
 *    (policy `quarantine`; the Parquet is content-addressed, so writing it before the commit is
 *    harmless: a rolled-back flush leaves an object referenced by nothing, reused by the retry),
 * 4. records the version (`parent_version_id` = that latest version) + the
 *    `dataset-version-created` outbox event, and marks the batches flushed (records cleared),
 * then commits. Either all of it happens or none: a crash before the commit leaves the batches
 * pending and the next flush folds them in again, so no record is lost or counted twice.
 */
@Injectable()
export class StreamFlusher implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(StreamFlusher.name);
  private stopped = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private readonly failures = new Map<string, { count: number; nextAt: number }>();
  private readonly o: Required<StreamIngestionOptions>;

  constructor(
    private readonly database: DatabaseService,
    private readonly datasets: DatasetsService,
    @Inject(DATASET_INGESTOR) private readonly ingestor: DatasetIngestor,
    @Inject(STREAM_INGESTION_OPTIONS) options: StreamIngestionOptions,
  ) {
    this.o = {
      enabled: options.enabled ?? true,
      flushRecords: options.flushRecords ?? 10_000,
      flushIntervalMs: options.flushIntervalMs ?? 5_000,
      pollIntervalMs: options.pollIntervalMs ?? 250,
      maxRecordsPerVersion: options.maxRecordsPerVersion ?? 200_000,
    };
  }

  /** Starts the background loop (after the database is ready). */
  onApplicationBootstrap(): void {
    if (!this.o.enabled) return;
    this.loop = this.run();
  }

  /** Stops the loop; a flush in progress finishes (commits or rolls back) first. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
  }

  /** Asks the loop to check the staging area now (called after a batch was staged). */
  nudge(): void {
    this.wake?.();
  }

  private async run(): Promise<void> {
    await this.database.whenReady();
    while (!this.stopped) {
      try {
        await this.tick();
      } catch (e) {
        this.logger.warn({ err: e }, `stream flusher: ${(e as Error).message}`);
      }
      if (this.stopped) break;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, this.o.pollIntervalMs);
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }

  /** One pass: flushes every dataset that is due. */
  private async tick(): Promise<void> {
    const s = this.schema();
    const due = (await this.database
      .getDataSource()
      .query(
        `SELECT dataset_name, sum(record_count)::bigint AS n, (extract(epoch FROM now() - min(received_at)) * 1000)::bigint AS age_ms
           FROM ${s}."ingest_batch" WHERE flushed_at IS NULL GROUP BY dataset_name`,
      )) as Array<{ dataset_name: string; n: string; age_ms: string }>;
    for (const d of due) {
      if (this.stopped) return;
      if (Number(d.n) < this.o.flushRecords && Number(d.age_ms) < this.o.flushIntervalMs) continue;
      const f = this.failures.get(d.dataset_name);
      if (f && Date.now() < f.nextAt) continue;
      try {
        await this.flush(d.dataset_name);
        this.failures.delete(d.dataset_name);
      } catch (e) {
        const count = (f?.count ?? 0) + 1;
        const backoff = Math.min(60_000, 500 * 2 ** (count - 1));
        this.failures.set(d.dataset_name, { count, nextAt: Date.now() + backoff });
        this.logger.error({ err: e, dataset: d.dataset_name, attempt: count, retryInMs: backoff }, `dataset '${d.dataset_name}': stream flush failed (attempt ${count}, retry in ${backoff} ms): ${(e as Error).message}`);
      }
    }
  }

  /**
   * Folds the pending batches of `datasetName` into a new version now (whatever the
   * thresholds). Safe to call concurrently and from several replicas.
   */
  async flush(datasetName: string): Promise<FlushResult> {
    const started = Date.now();
    const s = this.schema();
    return this.database.getDataSource().transaction(async (m: EntityManager) => {
      await m.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`strata.ingestion.stream-flush:${s}:${datasetName}`]);
      const pending = (await m.query(
        `SELECT batch_id, record_count, records FROM (
           SELECT batch_id, seq, record_count, records, sum(record_count) OVER (ORDER BY seq) AS cum
             FROM ${s}."ingest_batch" WHERE dataset_name = $1 AND flushed_at IS NULL) t
          WHERE cum - record_count < $2 ORDER BY seq`,
        [datasetName, this.o.maxRecordsPerVersion],
      )) as PendingBatch[];
      if (pending.length === 0) return { datasetName, batches: 0, records: 0, invalidRecords: 0, version: null, parentVersionId: null };
      const dataset = await m.getRepository(DatasetEntity).findOneOrFail({ where: { name: datasetName } });
      const parent = ((await m.query(
        `SELECT version_id, uri, schema FROM ${s}."dataset_version" WHERE dataset_name = $1 ORDER BY created_at DESC, id DESC LIMIT 1`,
        [datasetName],
      )) as Array<{ version_id: string; uri: string; schema: ColumnSpec[] }>)[0];
      let spec = dataset.spec as unknown as DatasetSpec;
      if (!spec.columns && parent) spec = { ...spec, columns: parent.schema.map((c) => ({ name: c.name, type: c.type, nullable: c.nullable ?? true })) };

      const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'strata-stream-'));
      try {
        const file = path.join(dir, 'batch.ndjson');
        const handle = await fs.open(file, 'w');
        let records = 0;
        try {
          for (const b of pending) {
            for (const r of b.records) {
              await handle.write(`${JSON.stringify(r)}\n`);
              records++;
            }
          }
        } finally {
          await handle.close();
        }
        const v = await this.ingestor.ingest({ ...spec, format: 'ndjson' }, file, {
          format: 'ndjson',
          policy: 'quarantine',
          ...(parent ? { appendTo: { uri: parent.uri } } : {}),
        });
        const dto = await this.datasets.record(v, { parentVersionId: parent?.version_id ?? null, manager: m });
        await m.query(
          `UPDATE ${s}."ingest_batch" SET records = NULL, flushed_version_id = $3, flushed_at = now() WHERE dataset_name = $1 AND batch_id = ANY($2)`,
          [datasetName, pending.map((b) => b.batch_id), dto.versionId],
        );
        const invalid = v.validation.invalidRowCount;
        this.logger.log(
          { dataset: datasetName, batches: pending.length, records, invalid, versionId: dto.versionId, parentVersionId: parent?.version_id ?? null, rows: dto.rowCount, created: dto.created, ms: Date.now() - started },
          `dataset '${datasetName}': stream flush of ${pending.length} batch(es), ${records} record(s) (${invalid} quarantined) -> version ${dto.versionId} (${dto.rowCount} rows, parent ${parent?.version_id ?? 'none'})`,
        );
        return { datasetName, batches: pending.length, records, invalidRecords: invalid, version: dto, parentVersionId: parent?.version_id ?? null };
      } finally {
        await fs.rm(dir, { recursive: true, force: true });
      }
    });
  }

  private schema(): string {
    const ds = this.database.getDataSource();
    const schema = (ds.driver as { schema?: string }).schema ?? (ds.options as { schema?: string }).schema ?? 'public';
    return `"${schema.replace(/"/g, '""')}"`;
  }
}
