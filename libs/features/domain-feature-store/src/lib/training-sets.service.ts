import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { DuckDBOfflineStore, OFFLINE_STORE, parseFeatureRef, type ColumnInfo, type FeatureViewSource, type OnDemandFeatureView } from '@strata/features/data-access-offline-store';
import { JobStatus, KnownDatasetVersionEntity, MaterializationEntity, TrainingSetBuildEntity, type TrainingSetColumnJson } from '@strata/features/data-access';
import { DatabaseService } from '@strata/shared/nest-platform';
import { OBJECT_STORE, type ObjectStore } from '@strata/shared/data-access-object-store';
import { ConflictError, InvalidArgumentError, NotFoundError } from '@strata/shared/util-errors';
import { In } from 'typeorm';
import { z } from 'zod';
import { errorMessage } from './errors';
import { FeatureRegistryService } from './feature-registry.service';
import { MaterializationService } from './materialization.service';
import type { TrainingSetBuild as TrainingSetBuildDto } from '@strata/contracts/api';

/** Body of `POST /training-sets`. */
export const buildTrainingSetSchema = z
  .object({
    /** Training-set definition name (e.g. `big_tipper`). */
    trainingSet: z.string().min(1),
    /** Dataset versions of the definition's source dataset the entity frame is built from. */
    datasetVersions: z.array(z.object({ datasetName: z.string().min(1), versionId: z.string().min(1) }).strict()).min(1),
    /** Join this feature service's features instead of the definition's (entity frame, label and naming stay the definition's). */
    featureService: z.string().min(1).optional(),
    /** Lake key of the output (default `training-sets/<id>.parquet`). */
    outputKey: z.string().regex(/^[A-Za-z0-9._-][A-Za-z0-9._/-]*\.parquet$/, 'must be a relative key ending in .parquet').optional(),
  })
  .strict();
/** Parsed {@link buildTrainingSetSchema}. */
export type BuildTrainingSetRequest = z.infer<typeof buildTrainingSetSchema>;

/** Declared once, in the API contracts (inferred from zod). */
export type { TrainingSetBuildDto };

/**
 * Builds training sets asynchronously: entity frame = the definition's `entitySql` over the
 * given dataset versions' Parquet, then a point-in-time join (`getHistoricalFeatures`) with
 * the definition's feature refs against each batch view's latest SUCCEEDED materialization,
 * written to `training-sets/<id>.parquet`; uri, sha256, row count and typed, role-tagged
 * columns are recorded.
 */
@Injectable()
export class TrainingSetsService implements OnApplicationBootstrap {
  private readonly logger = new Logger(TrainingSetsService.name);
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly database: DatabaseService,
    private readonly registry: FeatureRegistryService,
    private readonly materializations: MaterializationService,
    @Inject(OFFLINE_STORE) private readonly offline: DuckDBOfflineStore,
    @Inject(OBJECT_STORE) private readonly store: ObjectStore,
  ) {}

  /** Marks builds left RUNNING by a previous process FAILED. */
  onApplicationBootstrap(): void {
    void this.database
      .whenReady()
      .then(async () => {
        const res = await this.database
          .getDataSource()
          .getRepository(TrainingSetBuildEntity)
          .update({ status: JobStatus.RUNNING }, { status: JobStatus.FAILED, error: 'interrupted: the features service restarted during the build', completedAt: new Date() });
        if (res.affected) this.logger.warn(`${res.affected} interrupted training-set build(s) marked FAILED`);
      })
      .catch((e: unknown) => this.logger.error(`startup recovery failed: ${errorMessage(e)}`));
  }

  /**
   * Validates the request, records a RUNNING build and starts it in the background.
   * @throws NotFoundError (404) unknown training set or dataset version; InvalidArgumentError (400)
   *   a version of another dataset; ConflictError (409) a referenced batch view has no SUCCEEDED
   *   materialization covering the requested versions.
   */
  async start(req: BuildTrainingSetRequest): Promise<TrainingSetBuildDto> {
    const def = await this.registry.getTrainingSet(req.trainingSet);
    const ds = this.database.getDataSource();
    const versions: KnownDatasetVersionEntity[] = [];
    for (const [i, v] of req.datasetVersions.entries()) {
      if (v.datasetName !== def.source.datasetName)
        throw new InvalidArgumentError(`Invalid request body: datasetVersions.${i}.datasetName: training set '${def.name}' reads dataset '${def.source.datasetName}', not '${v.datasetName}'`);
      const row = await ds.getRepository(KnownDatasetVersionEntity).findOne({ where: { datasetName: v.datasetName, versionId: v.versionId } });
      if (!row) throw new NotFoundError(`Dataset version '${v.datasetName}@${v.versionId}' not found (not announced to the features service)`);
      versions.push(row);
    }
    const reg = await this.registry.load();
    const refs = req.featureService ? await this.registry.featureServiceRefs(req.featureService, reg) : await this.registry.trainingSetRefs(def, reg);
    const viewNames = [...new Set(refs.map((r) => parseFeatureRef(r).view))];
    const featureViews: Array<{ name: string; materializationId?: string; materializationIds?: string[] }> = [];
    for (const name of viewNames) {
      const fv = reg.featureViews.find((v) => v.name === name);
      if (!fv) continue; // on-demand
      const files = await this.materializations.offlineFiles(name);
      const batchRuns = files.runs.filter((r) => r.mode !== 'push');
      const m = batchRuns[batchRuns.length - 1] ?? files.runs[files.runs.length - 1];
      if (!m) throw new ConflictError(`Feature view '${name}' has no SUCCEEDED materialization yet`, { details: { featureView: name } });
      if (fv.source.datasetName === def.source.datasetName) {
        const covered = batchRuns.flatMap((r) => r.datasetVersions);
        const missing = versions.filter((v) => !covered.some((d) => d.versionId === v.versionId && d.datasetName === v.datasetName));
        if (missing.length)
          throw new ConflictError(`Feature view '${name}': latest materialization '${m.id}' does not cover dataset version(s) ${missing.map((v) => `'${v.datasetName}@${v.versionId}'`).join(', ')} yet`, {
            details: { featureView: name, materializationId: m.id },
          });
      }
      featureViews.push({ name, materializationId: m.id, materializationIds: files.materializationIds });
    }
    const id = randomUUID();
    const row = await ds.getRepository(TrainingSetBuildEntity).save({
      id,
      definitionName: def.name,
      datasetVersions: versions.map((v) => ({ datasetName: v.datasetName, versionId: v.versionId, contentSha256: v.contentSha256.trim() })),
      featureRefs: refs,
      featureViews,
      status: JobStatus.RUNNING,
      outputKey: req.outputKey ?? `training-sets/${id}.parquet`,
      uri: null,
      sha256: null,
      rowCount: null,
      columns: null,
      error: null,
      createdAt: new Date(),
      completedAt: null,
    });
    const p = this.build(row, versions).finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
    return toDto(row);
  }

  /** @throws NotFoundError (404) `Training-set build '<id>' not found`. */
  async get(id: string): Promise<TrainingSetBuildDto> {
    const row = z.uuid().safeParse(id).success ? await this.database.getDataSource().getRepository(TrainingSetBuildEntity).findOneBy({ id }) : null;
    if (!row) throw new NotFoundError(`Training-set build '${id}' not found`);
    return toDto(row);
  }

  /** Resolves once every build started by this process has finished (tests, shutdown). */
  async drain(): Promise<void> {
    await Promise.all([...this.inFlight]);
  }

  private async build(row: TrainingSetBuildEntity, versions: KnownDatasetVersionEntity[]): Promise<void> {
    const repo = this.database.getDataSource().getRepository(TrainingSetBuildEntity);
    const t0 = Date.now();
    const frameKey = `training-sets/${row.id}.entities.parquet`;
    try {
      const def = await this.registry.getTrainingSet(row.definitionName);
      const reg = await this.registry.load();
      this.logger.log({ buildId: row.id, trainingSet: def.name, datasetVersions: versions.length }, `training-set build ${row.id}: building the entity frame`);
      const frame = await this.offline.query(def.entitySql, versions.map((v) => v.uri), { outputKey: frameKey });
      this.logger.log({ buildId: row.id, entityRows: frame.rowCount, ms: Date.now() - t0 }, `training-set build ${row.id}: ${frame.rowCount} entity rows, joining features`);
      const views: Array<FeatureViewSource | OnDemandFeatureView> = [];
      const refs = row.featureRefs;
      for (const fvRef of row.featureViews) {
        const fv = reg.featureViews.find((v) => v.name === fvRef.name)!;
        const ids = fvRef.materializationIds ?? (fvRef.materializationId ? [fvRef.materializationId] : []);
        const runs = ids.length ? await this.database.getDataSource().getRepository(MaterializationEntity).findBy({ id: In(ids) }) : [];
        const uris = ids.map((id) => runs.find((r) => r.id === id)?.offlineUri).filter((u): u is string => !!u);
        views.push({ view: fv, uris });
      }
      for (const o of reg.onDemandFeatureViews) if (refs.some((r) => parseFeatureRef(r).view === o.name)) views.push(o);
      const res = await this.offline.getHistoricalFeatures({ uri: frame.parquet!.uri }, refs, views, {
        eventTimestampColumn: def.eventTimestampColumn,
        fullFeatureNames: def.fullFeatureNames ?? false,
        output: 'parquet',
        outputKey: row.outputKey,
        entities: reg.entities,
      });
      const featureCols = new Set(refs.map((r) => {
        const p = parseFeatureRef(r);
        return def.fullFeatureNames ? `${p.view}__${p.feature}` : p.feature;
      }));
      const joinKeys = new Set(views.flatMap((v) => ('view' in v ? v.view.entities : [])));
      const columns = res.columns.map((c) => ({ name: c.name, dtype: dtypeOf(c), role: roleOf(c.name, featureCols, joinKeys, def.eventTimestampColumn, def.label) }));
      await repo.update({ id: row.id }, { status: JobStatus.SUCCEEDED, uri: res.parquet!.uri, sha256: res.parquet!.sha256, rowCount: res.rowCount, columns, completedAt: new Date() });
      this.logger.log({ buildId: row.id, rows: res.rowCount, strategies: res.strategies, ms: Date.now() - t0 }, `training-set build ${row.id} SUCCEEDED: ${res.rowCount} rows -> ${res.parquet!.uri}`);
    } catch (e) {
      const msg = errorMessage(e);
      this.logger.error({ buildId: row.id, err: msg }, `training-set build ${row.id} FAILED: ${msg}`);
      await repo.update({ id: row.id }, { status: JobStatus.FAILED, error: msg.slice(0, 8000), completedAt: new Date() }).catch(() => undefined);
    } finally {
      await this.store.delete(frameKey).catch(() => undefined);
    }
  }
}

function roleOf(name: string, features: Set<string>, joinKeys: Set<string>, ts: string, label: string | undefined): TrainingSetColumnJson['role'] {
  if (features.has(name)) return 'feature';
  if (name === label) return 'label';
  if (name === ts) return 'event_timestamp';
  if (joinKeys.has(name)) return 'join_key';
  return 'extra';
}

/** DuckDB type → value type vocabulary (INT64, FLOAT64, …); unknown types are returned as DuckDB names. */
function dtypeOf(c: ColumnInfo): string {
  const t = c.type.toUpperCase();
  const map: Record<string, string> = {
    BIGINT: 'INT64',
    INTEGER: 'INT32',
    SMALLINT: 'INT32',
    TINYINT: 'INT32',
    DOUBLE: 'FLOAT64',
    FLOAT: 'FLOAT32',
    BOOLEAN: 'BOOL',
    VARCHAR: 'STRING',
    'TIMESTAMP WITH TIME ZONE': 'TIMESTAMP',
    TIMESTAMP: 'TIMESTAMP',
    DATE: 'DATE',
  };
  return map[t] ?? t;
}

function toDto(r: TrainingSetBuildEntity): TrainingSetBuildDto {
  return {
    id: r.id,
    trainingSet: r.definitionName,
    status: r.status,
    uri: r.uri,
    sha256: r.sha256?.trim() ?? null,
    rowCount: r.rowCount,
    columns: r.columns,
    featureRefs: r.featureRefs,
    featureViews: r.featureViews,
    datasetVersions: r.datasetVersions,
    ...(r.error ? { error: r.error } : {}),
    createdAt: r.createdAt.toISOString(),
    completedAt: r.completedAt?.toISOString() ?? null,
  };
}
