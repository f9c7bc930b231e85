import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { FeaturesMaterializedV1 } from '@strata/contracts';
import { DuckDBOfflineStore, OFFLINE_STORE, type FeatureView } from '@strata/features/data-access-offline-store';
import {
  FeatureViewWatermarkEntity,
  JobStatus,
  KnownDatasetVersionEntity,
  MaterializationEntity,
  type DatasetVersionRefJson,
} from '@strata/features/data-access';
import { EventPublisher } from '@strata/messaging';
import { DatabaseService } from '@strata/shared/nest-platform';
import type { EntityManager } from 'typeorm';
import { errorMessage } from './errors';
import { FEATURE_STORE_OPTIONS, type FeatureStoreModuleOptions } from './feature-store.constants';
import { FeatureRegistryService } from './feature-registry.service';
import { setLatestEventTime } from './freshness.metrics';
import { OnlineStoreService } from './online-store.service';

/** A materialization as returned by the API. */
export interface MaterializationDto {
  id: string;
  featureView: string;
  status: JobStatus;
  rowCount: number | null;
  onlineRowCount: number | null;
  offlineUri: string | null;
  offlineSha256: string | null;
  startTime: string;
  endTime: string;
  minEventTime: string | null;
  maxEventTime: string | null;
  datasetVersions: DatasetVersionRefJson[];
  trigger: string | null;
  error: string | null;
  startedAt: string;
  completedAt: string | null;
}

/** Event-time interval materialized: everything from the epoch to the run's start (rows "from the future" are left out, as Feast does). */
const EPOCH = new Date('1970-01-01T00:00:00.000Z');

/**
 * Materializes batch feature views: runs the view's transformation over EVERY known version
 * of its source dataset (trailing windows need earlier months) into
 * `features/<view>/<id>.parquet`, upserts the latest row per entity into the online store, and
 * records SUCCEEDED + the watermark + `FeaturesMaterializedV1` in one transaction. On failure
 * the run is recorded FAILED (own transaction), no event, watermark unchanged. Re-running is
 * harmless (new offline file, online upserts only move forward in event time).
 */
@Injectable()
export class MaterializationService implements OnApplicationBootstrap {
  private readonly logger = new Logger(MaterializationService.name);
  /** Per-view queue: runs of one view never overlap in this process. */
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(
    private readonly database: DatabaseService,
    private readonly registry: FeatureRegistryService,
    private readonly online: OnlineStoreService,
    private readonly publisher: EventPublisher,
    @Inject(OFFLINE_STORE) private readonly offline: DuckDBOfflineStore,
    @Inject(FEATURE_STORE_OPTIONS) private readonly options: FeatureStoreModuleOptions,
  ) {}

  /** After connecting: marks runs left RUNNING by a previous process FAILED and loads watermarks into the freshness gauge. */
  onApplicationBootstrap(): void {
    void this.database
      .whenReady()
      .then(async () => {
        const ds = this.database.getDataSource();
        const res = await ds
          .getRepository(MaterializationEntity)
          .update({ status: JobStatus.RUNNING }, { status: JobStatus.FAILED, error: 'interrupted: the features service restarted during the run', completedAt: new Date() });
        if (res.affected) this.logger.warn(`${res.affected} interrupted materialization(s) marked FAILED`);
        for (const w of await ds.getRepository(FeatureViewWatermarkEntity).find()) setLatestEventTime(w.featureView, w.maxEventTime?.getTime() ?? null);
      })
      .catch((e: unknown) => this.logger.error(`startup recovery failed: ${errorMessage(e)}`));
  }

  /** Records a dataset version announced by ingestion (idempotent). */
  async recordDatasetVersion(manager: EntityManager, v: { datasetName: string; versionId: string; contentSha256: string; uri: string; rowCount: number; createdAt: string }): Promise<void> {
    await manager
      .getRepository(KnownDatasetVersionEntity)
      .createQueryBuilder()
      .insert()
      .values({ datasetName: v.datasetName, versionId: v.versionId, contentSha256: v.contentSha256, uri: v.uri, rowCount: v.rowCount, versionCreatedAt: new Date(v.createdAt) })
      .orIgnore()
      .execute();
  }

  /** Applied batch views whose source is `datasetName`. */
  async viewsForDataset(datasetName: string, manager?: EntityManager): Promise<FeatureView[]> {
    return (await this.registry.load(manager)).featureViews.filter((v) => v.source.datasetName === datasetName);
  }

  /**
   * Materializes `view` over every known version of its source dataset.
   * @param manager when given (event handler), reads and the final SUCCEEDED transaction use it
   *   (so they commit with the inbox row); otherwise a new transaction is used.
   * @param heartbeat called every few seconds while working (Kafka group membership).
   * @returns the recorded run (SUCCEEDED or FAILED), or null when the dataset has no known version.
   * @throws only retryable errors (after recording FAILED), so the caller may retry.
   */
  async materializeView(view: FeatureView, trigger: string, manager?: EntityManager, heartbeat?: () => Promise<void>): Promise<MaterializationDto | null> {
    const prev = this.locks.get(view.name) ?? Promise.resolve();
    const run = prev.catch(() => undefined).then(() => this.materializeViewNow(view, trigger, manager, heartbeat));
    this.locks.set(view.name, run);
    try {
      return await run;
    } finally {
      if (this.locks.get(view.name) === run) this.locks.delete(view.name);
    }
  }

  private async materializeViewNow(view: FeatureView, trigger: string, manager?: EntityManager, heartbeat?: () => Promise<void>): Promise<MaterializationDto | null> {
    const ds = this.database.getDataSource();
    const reader = manager ?? ds.manager;
    const versions = await reader.getRepository(KnownDatasetVersionEntity).find({ where: { datasetName: view.source.datasetName }, order: { versionCreatedAt: 'ASC', versionId: 'ASC' } });
    if (versions.length === 0) {
      this.logger.log(`feature view '${view.name}': no known version of dataset '${view.source.datasetName}' yet, nothing to materialize`);
      return null;
    }
    const refs = versions.map((v) => ({ datasetName: v.datasetName, versionId: v.versionId, contentSha256: v.contentSha256.trim() }));
    const id = `${new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${randomUUID().slice(0, 8)}`;
    const start = EPOCH;
    const end = new Date();
    const t0 = Date.now();
    await ds.getRepository(MaterializationEntity).insert({
      id,
      featureView: view.name,
      datasetVersions: refs,
      startTime: start,
      endTime: end,
      status: JobStatus.RUNNING,
      rowCount: null,
      onlineRowCount: null,
      offlineUri: null,
      offlineSha256: null,
      minEventTime: null,
      maxEventTime: null,
      error: null,
      trigger,
      startedAt: new Date(),
      completedAt: null,
    });
    this.logger.log(
      { featureView: view.name, materializationId: id, datasetVersions: refs.length, sourceRows: versions.reduce((n, v) => n + v.rowCount, 0) },
      `materialization ${id} of '${view.name}' started over ${refs.length} version(s) of '${view.source.datasetName}'`,
    );
    let inFinish = false;
    const beat = heartbeat ? setInterval(() => void heartbeat().catch(() => undefined), 3000) : undefined;
    try {
      const result = await this.offline.materialize(view, versions.map((v) => v.uri), { start, end, materializationId: id });
      this.logger.log(
        { featureView: view.name, materializationId: id, rows: result.rowCount, ms: Date.now() - t0 },
        `materialization ${id}: offline file written (${result.rowCount} rows), writing the online store`,
      );
      const finish = async (m: EntityManager): Promise<MaterializationEntity> => {
        let onlineRows = 0;
        let offered = 0;
        for await (const batch of this.offline.streamLatestRows(view, [result.uri], { batchSize: this.options.onlineBatchSize ?? 500 })) {
          onlineRows += await this.online.upsert(m, view, batch);
          offered += batch.length;
          this.logger.log({ featureView: view.name, materializationId: id, entities: offered, upserted: onlineRows }, `materialization ${id}: online store progress`);
        }
        const completedAt = new Date();
        const patch = {
          status: JobStatus.SUCCEEDED,
          rowCount: result.rowCount,
          onlineRowCount: onlineRows,
          offlineUri: result.uri,
          offlineSha256: result.sha256,
          minEventTime: result.minEventTime ? new Date(result.minEventTime) : null,
          maxEventTime: result.maxEventTime ? new Date(result.maxEventTime) : null,
          completedAt,
        };
        await m.getRepository(MaterializationEntity).update({ id }, patch);
        await m
          .getRepository(FeatureViewWatermarkEntity)
          .createQueryBuilder()
          .insert()
          .values({ featureView: view.name, maxEventTime: patch.maxEventTime, materializationId: id, updatedAt: completedAt })
          .orUpdate(['max_event_time', 'materialization_id', 'updated_at'], ['feature_view'])
          .execute();
        await this.publisher.publish(m, FeaturesMaterializedV1, {
          featureView: view.name,
          materializationId: id,
          startTime: start.toISOString(),
          endTime: end.toISOString(),
          rowCount: result.rowCount,
          offlineUri: result.uri,
          offlineSha256: result.sha256,
          onlineRowCount: onlineRows,
          sourceDatasetVersions: refs,
          completedAt: completedAt.toISOString(),
        });
        return m.getRepository(MaterializationEntity).findOneByOrFail({ id });
      };
      inFinish = true;
      const row = manager ? await finish(manager) : await ds.transaction(finish);
      setLatestEventTime(view.name, row.maxEventTime?.getTime() ?? null);
      this.logger.log(
        { featureView: view.name, materializationId: id, rows: row.rowCount, onlineRows: row.onlineRowCount, ms: Date.now() - t0 },
        `materialization ${id} of '${view.name}' SUCCEEDED`,
      );
      return toDto(row);
    } catch (e) {
      const msg = errorMessage(e);
      this.logger.error({ featureView: view.name, materializationId: id, err: msg }, `materialization ${id} of '${view.name}' FAILED: ${msg}`);
      await ds.getRepository(MaterializationEntity).update({ id }, { status: JobStatus.FAILED, error: msg.slice(0, 8000), completedAt: new Date() });
      // A database error inside the caller's transaction leaves it aborted: let the caller roll back and retry.
      if ((e as { retryable?: unknown }).retryable === true || (inFinish && manager)) throw e;
      return toDto(await ds.getRepository(MaterializationEntity).findOneByOrFail({ id }));
    } finally {
      if (beat) clearInterval(beat);
    }
  }

  /** Materializes views in the background (after apply); failures are recorded, never thrown. */
  materializeInBackground(views: readonly FeatureView[], trigger: string): void {
    if (this.options.materializeOnApply === false) return;
    void (async () => {
      for (const v of views) {
        try {
          await this.materializeView(v, trigger);
        } catch (e) {
          this.logger.error(`background materialization of '${v.name}' failed: ${errorMessage(e)}`);
        }
      }
    })();
  }

  /** Runs, newest first, optionally filtered by view and by a dataset version (`<name>@<versionId>` or a version id). */
  async list(filter: { featureView?: string; datasetVersion?: string }): Promise<MaterializationDto[]> {
    const qb = this.database.getDataSource().getRepository(MaterializationEntity).createQueryBuilder('m').orderBy('m.started_at', 'DESC').limit(500);
    if (filter.featureView) qb.andWhere('m.feature_view = :fv', { fv: filter.featureView });
    if (filter.datasetVersion) {
      const [a, b] = filter.datasetVersion.includes('@') ? filter.datasetVersion.split('@') : [undefined, filter.datasetVersion];
      qb.andWhere('m.dataset_versions @> :dv::jsonb', { dv: JSON.stringify([a ? { datasetName: a, versionId: b } : { versionId: b }]) });
    }
    return (await qb.getMany()).map(toDto);
  }

  /** The newest SUCCEEDED run of `view`, or null. */
  async latestSucceeded(view: string): Promise<MaterializationEntity | null> {
    return this.database.getDataSource().getRepository(MaterializationEntity).findOne({ where: { featureView: view, status: JobStatus.SUCCEEDED }, order: { completedAt: 'DESC' } });
  }
}

/** Row → API shape. */
export function toDto(r: MaterializationEntity): MaterializationDto {
  return {
    id: r.id,
    featureView: r.featureView,
    status: r.status,
    rowCount: r.rowCount,
    onlineRowCount: r.onlineRowCount,
    offlineUri: r.offlineUri,
    offlineSha256: r.offlineSha256?.trim() ?? null,
    startTime: r.startTime.toISOString(),
    endTime: r.endTime.toISOString(),
    minEventTime: r.minEventTime?.toISOString() ?? null,
    maxEventTime: r.maxEventTime?.toISOString() ?? null,
    datasetVersions: r.datasetVersions,
    trigger: r.trigger,
    error: r.error,
    startedAt: r.startedAt.toISOString(),
    completedAt: r.completedAt?.toISOString() ?? null,
  };
}
