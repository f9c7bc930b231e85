import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { FeaturesMaterializedV1 } from '@strata/contracts';
import { DuckDBOfflineStore, OFFLINE_STORE, type FeatureView } from '@strata/features/data-access-offline-store';
import {
  FeatureViewWatermarkEntity,
  JobStatus,
  KnownDatasetVersionEntity,
  MaterializationEntity,
  MaterializationMode,
  VersionEventRangeEntity,
  tableName,
} from '@strata/features/data-access';
import { InvalidArgumentError, UnavailableError } from '@strata/shared/util-errors';
import { EventPublisher } from '@strata/messaging';
import { DatabaseService } from '@strata/shared/nest-platform';
import type { EntityManager } from 'typeorm';
import { errorMessage } from './errors';
import { FEATURE_STORE_OPTIONS, type FeatureStoreModuleOptions } from './feature-store.constants';
import { FeatureRegistryService } from './feature-registry.service';
import { setLatestEventTime } from './freshness.metrics';
import { contentHash } from './canonical';
import { ONLINE_STORE, type OnlineStore } from './online/online-store';
import { toOnlineRows } from './online/online-rows';
import type { Materialization as MaterializationDto } from '@strata/contracts/api';

/** Options of {@link MaterializationService.materializeView}. */
export interface MaterializeViewOptions {
  /** Event handler's inbox transaction: reads and the final commit use it. */
  readonly manager?: EntityManager;
  /** Called every few seconds while working (Kafka group membership). */
  readonly heartbeat?: () => Promise<void>;
  /** Default `full`. */
  readonly mode?: MaterializationMode;
  /** Inclusive start of the event-time window (`range`). */
  readonly start?: Date;
  /** Exclusive end (default now); must not be in the future. */
  readonly end?: Date;
}

/** Declared once, in the API contracts (inferred from zod). */
export type { MaterializationDto };

/** Event-time interval materialized: everything from the epoch to the run's start (rows "from the future" are left out, as Feast does). */
const EPOCH = new Date('1970-01-01T00:00:00.000Z');

/**
 * Materializes batch feature views, full or by event-time window (`range`, `incremental` from the
 * watermark): runs the view's transformation over the needed versions of its source dataset into
 * `features/<view>/<id>.parquet`, writes the latest row per entity to the online store, then
 * records SUCCEEDED + the watermark + `FeaturesMaterializedV1` in one transaction. On failure the
 * run is recorded FAILED (own transaction), no event, watermark unchanged. Re-running a window is
 * harmless (new offline file, online writes only move forward in event time).
 */
@Injectable()
export class MaterializationService implements OnApplicationBootstrap {
  private readonly logger = new Logger(MaterializationService.name);
  /** Per-view queue: runs of one view never overlap in this process. */
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(
    private readonly database: DatabaseService,
    private readonly registry: FeatureRegistryService,
    @Inject(ONLINE_STORE) private readonly online: OnlineStore,
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
   * Materializes `view` (runs of one view are serialised in-process).
   *
   * Interval by `mode`: `full` = [epoch, end ?? now) over EVERY known version; `range` =
   * [start, end); `incremental` = [watermark.materializedUntil ?? epoch, end ?? now). Windowed
   * runs (`range`, `incremental`) read only the versions whose rows (per the cached
   * `version_event_range`) meet [start - sourceLookbackSeconds, end).
   *
   * Order: offline file → online write → (one transaction) SUCCEEDED + watermark +
   * `FeaturesMaterializedV1`. With the PostgreSQL online store the online upserts are in that
   * transaction too; with Redis they happen just before it. So the watermark only advances
   * after the online write succeeded; on any failure the run is FAILED, no event, watermark unchanged.
   * @param options.manager when given (event handler), reads and the final transaction use it.
   * @returns the recorded run (SUCCEEDED or FAILED); `null` when the dataset has no known version
   *   (full) or the view is already materialized up to `end` (incremental).
   * @throws InvalidArgumentError (400) end in the future, start >= end, range without bounds;
   *   with `options.manager` (event handler) also retryable / in-transaction errors after
   *   recording FAILED, so the consumer rolls back and retries; UnavailableError (503) when a
   *   dependency is down or does not answer in time (e.g. Redis), after recording the run FAILED
   *   (`details.materializationId`); other failures are returned as the FAILED run.
   */
  async materializeView(view: FeatureView, trigger: string, options: MaterializeViewOptions = {}): Promise<MaterializationDto | null> {
    const now = new Date();
    const mode = options.mode ?? MaterializationMode.FULL;
    if (options.end && options.end.getTime() > now.getTime())
      throw new InvalidArgumentError(`Invalid request body: end: ${options.end.toISOString()} is in the future (now is ${now.toISOString()}); rows from the future are never materialized`);
    if (mode === MaterializationMode.RANGE && (!options.start || !options.end)) throw new InvalidArgumentError(`Invalid request body: mode 'range' needs start and end`);
    if (options.start && options.end && options.start.getTime() >= options.end.getTime())
      throw new InvalidArgumentError(`Invalid request body: start (${options.start.toISOString()}) must be before end (${options.end.toISOString()})`);
    const prev = this.locks.get(view.name) ?? Promise.resolve();
    const run = prev.catch(() => undefined).then(() => this.materializeViewNow(view, trigger, mode, options, now));
    this.locks.set(view.name, run);
    try {
      return await run;
    } finally {
      if (this.locks.get(view.name) === run) this.locks.delete(view.name);
    }
  }

  /** The watermark of `view` (null before its first SUCCEEDED batch run). */
  async watermark(viewName: string, manager?: EntityManager): Promise<FeatureViewWatermarkEntity | null> {
    return (manager ?? this.database.getDataSource().manager).getRepository(FeatureViewWatermarkEntity).findOneBy({ featureView: viewName });
  }

  private async materializeViewNow(view: FeatureView, trigger: string, mode: MaterializationMode, options: MaterializeViewOptions, now: Date): Promise<MaterializationDto | null> {
    const { manager, heartbeat } = options;
    const ds = this.database.getDataSource();
    const reader = manager ?? ds.manager;
    let start = mode === MaterializationMode.RANGE ? options.start! : EPOCH;
    const end = options.end ?? now;
    if (mode === MaterializationMode.INCREMENTAL) {
      start = (await this.watermark(view.name, reader))?.materializedUntil ?? EPOCH;
      if (start.getTime() >= end.getTime()) {
        this.logger.log(`feature view '${view.name}': already materialized up to ${start.toISOString()}, nothing to do before ${end.toISOString()}`);
        return null;
      }
    }
    const all = await reader.getRepository(KnownDatasetVersionEntity).find({ where: { datasetName: view.source.datasetName }, order: { versionCreatedAt: 'ASC', versionId: 'ASC' } });
    if (all.length === 0 && mode === MaterializationMode.FULL) {
      this.logger.log(`feature view '${view.name}': no known version of dataset '${view.source.datasetName}' yet, nothing to materialize`);
      return null;
    }
    const versions = mode === MaterializationMode.FULL || start.getTime() === EPOCH.getTime() ? all : await this.versionsForWindow(view, all, start, end);
    const refs = versions.map((v) => ({ datasetName: v.datasetName, versionId: v.versionId, contentSha256: v.contentSha256.trim() }));
    const id = `${new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${randomUUID().slice(0, 8)}`;
    const t0 = Date.now();
    await ds.getRepository(MaterializationEntity).insert({
      id,
      featureView: view.name,
      datasetVersions: refs,
      startTime: start,
      endTime: end,
      status: JobStatus.RUNNING,
      mode,
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
      { featureView: view.name, materializationId: id, mode, start: start.toISOString(), end: end.toISOString(), datasetVersions: refs.length, knownVersions: all.length },
      `materialization ${id} of '${view.name}' (${mode}) started over ${refs.length} of ${all.length} version(s) of '${view.source.datasetName}'`,
    );
    let inFinish = false;
    const beat = heartbeat ? setInterval(() => void heartbeat().catch(() => undefined), 3000) : undefined;
    try {
      const result =
        versions.length > 0
          ? await this.offline.materialize(view, versions.map((v) => v.uri), { start, end, materializationId: id })
          : { uri: null, sha256: null, rowCount: 0, minEventTime: null, maxEventTime: null };
      this.logger.log(
        { featureView: view.name, materializationId: id, rows: result.rowCount, ms: Date.now() - t0 },
        `materialization ${id}: offline file written (${result.rowCount} rows), writing the online store`,
      );
      const writeOnline = async (m?: EntityManager): Promise<number> => {
        if (!result.uri) return 0;
        let onlineRows = 0;
        let offered = 0;
        for await (const batch of this.offline.streamLatestRows(view, [result.uri], { batchSize: this.options.onlineBatchSize ?? 500 })) {
          onlineRows += await this.online.write(view.name, toOnlineRows(view, batch), m ? { manager: m } : {});
          offered += batch.length;
          this.logger.log({ featureView: view.name, materializationId: id, entities: offered, upserted: onlineRows }, `materialization ${id}: online store progress`);
        }
        return onlineRows;
      };
      const inTx = this.online.kind === 'postgres';
      const onlineOutside = inTx ? 0 : await writeOnline();
      const finish = async (m: EntityManager): Promise<MaterializationEntity> => {
        const onlineRows = inTx ? await writeOnline(m) : onlineOutside;
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
        // The watermark never moves back: newest event time seen; covered-until advances when the run starts inside the covered interval.
        await m.query(
          `INSERT INTO ${tableName(m, FeatureViewWatermarkEntity)} AS w (feature_view, max_event_time, materialized_until, materialization_id, updated_at)
           VALUES ($1, $2::timestamptz, $3::timestamptz, $4, $5::timestamptz)
           ON CONFLICT (feature_view) DO UPDATE SET
             max_event_time = GREATEST(w.max_event_time, EXCLUDED.max_event_time),
             materialized_until = CASE WHEN w.materialized_until IS NULL OR $6::timestamptz <= w.materialized_until
                                       THEN GREATEST(w.materialized_until, EXCLUDED.materialized_until) ELSE w.materialized_until END,
             materialization_id = EXCLUDED.materialization_id,
             updated_at = EXCLUDED.updated_at`,
          [view.name, patch.maxEventTime?.toISOString() ?? null, end.toISOString(), id, completedAt.toISOString(), start.toISOString()],
        );
        // A window with no source version has no file and changed nothing: no event.
        if (result.uri) await this.publisher.publish(m, FeaturesMaterializedV1, {
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
      const wm = await this.watermark(view.name, manager);
      setLatestEventTime(view.name, wm?.maxEventTime?.getTime() ?? row.maxEventTime?.getTime() ?? null);
      this.logger.log(
        { featureView: view.name, materializationId: id, rows: row.rowCount, onlineRows: row.onlineRowCount, ms: Date.now() - t0 },
        `materialization ${id} of '${view.name}' SUCCEEDED`,
      );
      return toDto(row);
    } catch (e) {
      const msg = errorMessage(e);
      this.logger.error({ featureView: view.name, materializationId: id, err: msg }, `materialization ${id} of '${view.name}' FAILED: ${msg}`);
      await ds.getRepository(MaterializationEntity).update({ id }, { status: JobStatus.FAILED, error: msg.slice(0, 8000), completedAt: new Date() });
      // Event handler only: a retryable error, or a database error inside the inbox transaction (which
      // leaves it aborted), goes back to the consumer to roll back and retry. API and background runs
      // return the FAILED run.
      if (manager && ((e as { retryable?: unknown }).retryable === true || inFinish)) throw e;
      // A dependency that is down or does not answer (online store, PostgreSQL): the caller gets
      // 503 naming it, the run is already FAILED (its id in details).
      if (e instanceof UnavailableError)
        throw new UnavailableError(`materialization ${id} of '${view.name}' FAILED: ${msg}`, { cause: e, details: { materializationId: id, featureView: view.name } });
      return toDto(await ds.getRepository(MaterializationEntity).findOneByOrFail({ id }));
    } finally {
      if (beat) clearInterval(beat);
    }
  }

  /**
   * Versions with rows of `view` in [start - sourceLookbackSeconds, end). Each version's event
   * range (transformation over that version alone) is computed once per view definition and
   * cached in `version_event_range`.
   */
  private async versionsForWindow(view: FeatureView, versions: KnownDatasetVersionEntity[], start: Date, end: Date): Promise<KnownDatasetVersionEntity[]> {
    const repo = this.database.getDataSource().getRepository(VersionEventRangeEntity);
    const hash = contentHash(view);
    const known = new Map((await repo.findBy({ featureView: view.name, definitionHash: hash, datasetName: view.source.datasetName })).map((r) => [r.versionId, r]));
    const from = start.getTime() - (view.sourceLookbackSeconds ?? 0) * 1000;
    const out: KnownDatasetVersionEntity[] = [];
    for (const v of versions) {
      let r = known.get(v.versionId);
      if (!r) {
        const range = await this.offline.eventTimeRange(view, [v.uri]);
        r = {
          datasetName: v.datasetName,
          versionId: v.versionId,
          featureView: view.name,
          definitionHash: hash,
          minEventTime: range.minEventTime ? new Date(range.minEventTime) : null,
          maxEventTime: range.maxEventTime ? new Date(range.maxEventTime) : null,
          rowCount: range.rowCount,
        };
        await repo.createQueryBuilder().insert().values(r).orIgnore().execute();
      }
      if (r.minEventTime && r.maxEventTime && r.maxEventTime.getTime() >= from && r.minEventTime.getTime() < end.getTime()) out.push(v);
    }
    return out;
  }

  /**
   * The offline feature files a point-in-time join of `view` reads: the latest SUCCEEDED `full`
   * run and every SUCCEEDED windowed run after it (a full run covers all earlier windows), plus
   * every pushed file. Duplicated rows across files are harmless (same values; ties are broken
   * by created time, then file, then row).
   */
  async offlineFiles(viewName: string): Promise<{ uris: string[]; materializationIds: string[]; runs: MaterializationEntity[] }> {
    const runs = await this.database
      .getDataSource()
      .getRepository(MaterializationEntity)
      .find({ where: { featureView: viewName, status: JobStatus.SUCCEEDED }, order: { startedAt: 'ASC', id: 'ASC' } });
    let lastFull = -1;
    runs.forEach((r, i) => {
      if (r.mode === MaterializationMode.FULL) lastFull = i;
    });
    const used = runs.filter((r, i) => r.offlineUri && (r.mode === MaterializationMode.PUSH || i >= Math.max(lastFull, 0)));
    return { uris: used.map((r) => r.offlineUri!), materializationIds: used.map((r) => r.id), runs: used };
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
    mode: r.mode,
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
