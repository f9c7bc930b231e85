import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Entity, FeatureService, FeatureView, OnDemandFeatureView, PushSource } from '@strata/features/data-access-offline-store';
import { MaterializationMode } from '@strata/features/data-access';
import { InvalidArgumentError, NotFoundError } from '@strata/shared/util-errors';
import { FeaturesApi, type MaterializationUpToDate as UpToDateDto, type Watermark as WatermarkDto } from '@strata/contracts/api';
import { ZodApiBody, ZodApiResponse, parseWith } from '@strata/shared/nest-platform';
import { z } from 'zod';
import { FeatureRegistryService, type RepoPlan } from './feature-registry.service';
import { MaterializationService, type MaterializationDto } from './materialization.service';
import { getOnlineFeaturesSchema, OnlineFeaturesService, type GetOnlineFeaturesResponse } from './online-features.service';
import { getHistoricalFeaturesSchema, HistoricalFeaturesService, type GetHistoricalFeaturesResponse } from './historical-features.service';
import { pushSchema, PushService, type PushResult } from './push.service';
import { parseTimestamp } from './values';
import { buildTrainingSetSchema, TrainingSetsService, type TrainingSetBuildDto } from './training-sets.service';
import { RequirePermission } from '@strata/shared/auth';

/** Body of `POST /feature-repo/plan|apply`. */
export const featureRepoBodySchema = z
  .object({
    documents: z.array(z.object({ file: z.string().min(1), content: z.string() }).strict()).min(1),
    allowDeletes: z.boolean().optional(),
  })
  .strict();

const isoTime = z.string().refine((v) => parseTimestamp(v) !== null, 'must be an ISO-8601 date-time (naive = UTC)');

/** Body of `POST /materializations`. */
export const materializeSchema = z
  .object({
    featureView: z.string().min(1),
    /** `full` ([epoch, end)), `range` ([start, end), both required) or `incremental` ([watermark, end)). Default `incremental`. */
    mode: z.enum(['full', 'range', 'incremental']).default('incremental'),
    start: isoTime.optional(),
    /** Exclusive; default now; a future time is rejected (400). */
    end: isoTime.optional(),
  })
  .strict();

/** Result of `POST /materializations` when an incremental run has nothing to do, and a view's watermark (`GET /feature-views/{name}/watermark`): declared once, in the API contracts. */
export type { UpToDateDto, WatermarkDto };

/**
 * Feature repo (plan/apply) and registry reads. Errors: 400 invalid documents (message names
 * file, document and field), 404 unknown view.
 */
@ApiTags('feature-repo')
@Controller()
export class FeatureRepoController {
  constructor(
    private readonly registry: FeatureRegistryService,
    private readonly materializations: MaterializationService,
  ) {}

  /** `POST /feature-repo/plan` body `{documents: [{file, content}], allowDeletes?}` → 200 `{entities, featureViews, onDemandFeatureViews, trainingSets, changes}` (nothing written). */
  @Post('feature-repo/plan')
  @HttpCode(200)
  @ApiOperation({ summary: 'Show what apply would change' })
  @ZodApiResponse(FeaturesApi.planFeatureRepo.response)
  @ZodApiBody(featureRepoBodySchema)
  @RequirePermission('features', 'read')
  plan(@Body() body: unknown): Promise<RepoPlan> {
    const b = parseWith(featureRepoBodySchema, body);
    return this.registry.plan(b.documents, b.allowDeletes ?? false);
  }

  /**
   * `POST /feature-repo/apply` → 200, same shape as plan. Idempotent; deletes objects missing from
   * the documents only with `allowDeletes: true`. Created/changed feature views are materialized
   * in the background over the dataset versions already known.
   */
  @Post('feature-repo/apply')
  @HttpCode(200)
  @ApiOperation({ summary: 'Apply feature repo documents (idempotent)' })
  @ZodApiResponse(FeaturesApi.applyFeatureRepo.response)
  @ZodApiBody(featureRepoBodySchema)
  @RequirePermission('features', 'write')
  async apply(@Body() body: unknown): Promise<RepoPlan> {
    const b = parseWith(featureRepoBodySchema, body);
    const { changedFeatureViews, ...plan } = await this.registry.apply(b.documents, b.allowDeletes ?? false);
    this.materializations.materializeInBackground(changedFeatureViews, 'feature-repo-apply');
    return plan;
  }

  /** `GET /feature-views` → batch and on-demand views (`kind` tells them apart), by name. */
  @Get('feature-views')
  @RequirePermission('features', 'read')
  async featureViews(): Promise<Array<FeatureView | OnDemandFeatureView>> {
    const r = await this.registry.load();
    return [...r.featureViews, ...r.onDemandFeatureViews].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** `GET /feature-views/{name}` → the view; 404 when unknown. */
  @Get('feature-views/:name')
  @RequirePermission('features', 'read')
  featureView(@Param('name') name: string): Promise<FeatureView | OnDemandFeatureView> {
    return this.registry.getFeatureView(name);
  }

  /** `GET /feature-views/{name}/watermark` → {@link WatermarkDto}; 404 before the view's first SUCCEEDED batch run. */
  @Get('feature-views/:name/watermark')
  @ZodApiResponse(FeaturesApi.getWatermark.response)
  @RequirePermission('features', 'read')
  async watermark(@Param('name') name: string): Promise<WatermarkDto> {
    const w = await this.materializations.watermark(name);
    if (!w) throw new NotFoundError(`Feature view '${name}' has no watermark (never materialized successfully)`);
    return {
      featureView: w.featureView,
      maxEventTime: w.maxEventTime?.toISOString() ?? null,
      materializedUntil: w.materializedUntil?.toISOString() ?? null,
      materializationId: w.materializationId,
      updatedAt: w.updatedAt.toISOString(),
    };
  }

  /** `GET /feature-services` → `[{name, features, description?}]`. */
  @Get('feature-services')
  @RequirePermission('features', 'read')
  async featureServices(): Promise<FeatureService[]> {
    return (await this.registry.load()).featureServices;
  }

  /** `GET /feature-services/{name}` → the service; 404 when unknown. */
  @Get('feature-services/:name')
  @RequirePermission('features', 'read')
  async featureService(@Param('name') name: string): Promise<FeatureService> {
    const fs = (await this.registry.load()).featureServices.find((f) => f.name === name);
    if (!fs) throw new NotFoundError(`Feature service '${name}' not found`);
    return fs;
  }

  /** `GET /push-sources` → `[{name, schema, timestampField, createdTimestampField?}]`. */
  @Get('push-sources')
  @RequirePermission('features', 'read')
  async pushSources(): Promise<PushSource[]> {
    return (await this.registry.load()).pushSources;
  }

  /**
   * `POST /materializations` body `{featureView, mode?: full|range|incremental (default incremental), start?, end?}` →
   * 200 the run (SUCCEEDED or FAILED, synchronous), or 200 `{featureView, status: UP_TO_DATE, materializedUntil}`.
   * 400 end in the future / start >= end / range without bounds / on-demand view, 404 unknown view,
   * 503 the online store (or PostgreSQL) is down or did not answer within its deadline
   * (FEATURES_REDIS_TIMEOUT_MS for Redis): the message names the store and the cause, the run is
   * already recorded FAILED (`details.materializationId`), watermark unchanged, no event.
   */
  @Post('materializations')
  @HttpCode(200)
  @ApiOperation({ summary: 'Materialize a feature view: full, a time range, or incrementally from its watermark' })
  @ZodApiResponse(FeaturesApi.materialize.response)
  @ZodApiBody(materializeSchema)
  @RequirePermission('features', 'write')
  async materialize(@Body() body: unknown): Promise<MaterializationDto | UpToDateDto> {
    const b = parseWith(materializeSchema, body);
    const view = await this.registry.getFeatureView(b.featureView);
    if (view.kind !== 'feature_view') throw new InvalidArgumentError(`Invalid request body: featureView: '${view.name}' is an on-demand view (nothing to materialize)`);
    const start = b.start ? parseTimestamp(b.start)! : undefined;
    const end = b.end ? parseTimestamp(b.end)! : undefined;
    if (b.mode !== 'range' && start) throw new InvalidArgumentError(`Invalid request body: start: only mode 'range' takes a start`);
    const run = await this.materializations.materializeView(view, `api:${b.mode}`, { mode: b.mode as MaterializationMode, ...(start ? { start } : {}), ...(end ? { end } : {}) });
    if (run) return run;
    const w = await this.materializations.watermark(view.name);
    if (b.mode === MaterializationMode.FULL) throw new NotFoundError(`Feature view '${view.name}': no known version of dataset '${view.source.datasetName}' to materialize`);
    return { featureView: view.name, status: 'UP_TO_DATE', materializedUntil: w?.materializedUntil?.toISOString() ?? null };
  }

  /** `GET /entities` → `[{name, joinKey, valueType, description?}]`. */
  @Get('entities')
  @RequirePermission('features', 'read')
  async entities(): Promise<Entity[]> {
    return (await this.registry.load()).entities;
  }

  /** `GET /training-set-definitions` → applied training-set definitions. */
  @Get('training-set-definitions')
  @RequirePermission('features', 'read')
  async trainingSetDefinitions(): Promise<unknown[]> {
    return (await this.registry.load()).trainingSets;
  }

  /** `GET /materializations?featureView=&datasetVersion=` (`datasetVersion`: `<versionId>` or `<dataset>@<versionId>`) → runs, newest first (≤ 500). */
  @Get('materializations')
  @ApiQuery({ name: 'featureView', required: false })
  @ApiQuery({ name: 'datasetVersion', required: false })
  @RequirePermission('features', 'read')
  materializationsList(@Query('featureView') featureView?: string, @Query('datasetVersion') datasetVersion?: string): Promise<MaterializationDto[]> {
    return this.materializations.list({ ...(featureView ? { featureView } : {}), ...(datasetVersion ? { datasetVersion } : {}) });
  }
}

/** Training-set builds (async). */
@ApiTags('training-sets')
@Controller('training-sets')
export class TrainingSetsController {
  constructor(private readonly trainingSets: TrainingSetsService) {}

  /**
   * `POST /training-sets` body `{trainingSet, datasetVersions: [{datasetName, versionId}], outputKey?}` → 202 `{id, status: RUNNING, ...}`.
   * 404 unknown definition / version, 409 view not materialized for those versions.
   */
  @Post()
  @HttpCode(202)
  @ApiOperation({ summary: 'Start a point-in-time correct training-set build' })
  @ZodApiBody(buildTrainingSetSchema)
  @ZodApiResponse(FeaturesApi.startTrainingSet.response, 202)
  @RequirePermission('features', 'write')
  start(@Body() body: unknown): Promise<TrainingSetBuildDto> {
    return this.trainingSets.start(parseWith(buildTrainingSetSchema, body));
  }

  /** `GET /training-sets/{id}` → `{id, status: RUNNING|SUCCEEDED|FAILED, uri, sha256, rowCount, columns: [{name, dtype, role}], featureRefs, error?}`. */
  @Get(':id')
  @ZodApiResponse(FeaturesApi.getTrainingSet.response)
  @RequirePermission('features', 'read')
  get(@Param('id') id: string): Promise<TrainingSetBuildDto> {
    return this.trainingSets.get(id);
  }
}

/** Feast-compatible online retrieval and push; synchronous offline retrieval for small frames. */
@ApiTags('online')
@Controller()
export class OnlineFeaturesController {
  constructor(
    private readonly online: OnlineFeaturesService,
    private readonly pushes: PushService,
    private readonly historical: HistoricalFeaturesService,
  ) {}

  /**
   * `POST /push` body `{push_source_name, df: {column: [values]}, to?: online|offline|online_and_offline}` (Feast) →
   * 200 `{pushSource, rows, to, featureViews: [{name, onlineRowCount?, offlineUri?, materializationId?}]}`.
   * 400 bad columns / values (named `df.<column>.<row>`), 404 unknown push source; nothing written on error.
   */
  @Post('push')
  @HttpCode(200)
  @ApiOperation({ summary: 'Push rows of a push source to the online and/or offline store (Feast feature-server compatible)' })
  @ZodApiBody(pushSchema)
  @RequirePermission('features', 'write')
  push(@Body() body: unknown): Promise<PushResult> {
    return this.pushes.push(parseWith(pushSchema, body));
  }

  /**
   * `POST /get-historical-features` body `{features | feature_service, entities: {column: [values]}, event_timestamp_column?, full_feature_names?, as_of_known_time?}`
   * → `{columns: [{name, type}], rows}` (point-in-time join; one row per entity row, in order; ≤ 10,000 rows).
   */
  @Post('get-historical-features')
  @HttpCode(200)
  @ApiOperation({ summary: 'Point-in-time correct features for a small entity frame (synchronous)' })
  @ZodApiBody(getHistoricalFeaturesSchema)
  @RequirePermission('features', 'read')
  historicalFeatures(@Body() body: unknown): Promise<GetHistoricalFeaturesResponse> {
    return this.historical.get(parseWith(getHistoricalFeaturesSchema, body));
  }

  /**
   * `POST /get-online-features` body `{features: ["view:feature"] | feature_service, entities: {joinKey: [values]}, full_feature_names?, as_of?, request_data?}`
   * → `{metadata: {feature_names}, results: [{values, statuses, event_timestamps}]}` (join keys first, then one result per feature).
   * Statuses: PRESENT, NOT_FOUND, OUTSIDE_MAX_AGE (older than the TTL before `as_of`), OUTSIDE_AS_OF
   * (the stored latest row's event time is after `as_of`: value null, never the future).
   * 503 when the online store is down or does not answer within its deadline (FEATURES_REDIS_TIMEOUT_MS for Redis).
   */
  @Post('get-online-features')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Get online features (Feast feature-server compatible)',
    description:
      'Batch-view values from the online store and on-demand features computed from `request_data`, as of `as_of` (ISO-8601, default now). ' +
      'Point in time: a value is PRESENT only when its event time is in [as_of − TTL, as_of] (TTL 0: no lower bound); ' +
      'a stored row whose event time is after `as_of` (the online store keeps only the latest row per key) is answered with status ' +
      '`OUTSIDE_AS_OF`, value null and event timestamp 1970-01-01T00:00:00Z: its value is never read. A row older than the TTL is `OUTSIDE_MAX_AGE`, ' +
      'no row `NOT_FOUND`. The value as of a past instant is what `POST /get-historical-features` answers (offline point-in-time join).',
  })
  @ZodApiBody(getOnlineFeaturesSchema)
  @RequirePermission('features', 'read')
  get(@Body() body: unknown): Promise<GetOnlineFeaturesResponse> {
    return this.online.get(parseWith(getOnlineFeaturesSchema, body));
  }
}
