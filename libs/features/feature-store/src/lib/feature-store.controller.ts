import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Entity, FeatureView, OnDemandFeatureView } from '@strata/features/data-access-offline-store';
import { ZodApiBody, parseWith } from '@strata/shared/nest-platform';
import { z } from 'zod';
import { FeatureRegistryService, type RepoPlan } from './feature-registry.service';
import { MaterializationService, type MaterializationDto } from './materialization.service';
import { getOnlineFeaturesSchema, OnlineFeaturesService, type GetOnlineFeaturesResponse } from './online-features.service';
import { buildTrainingSetSchema, TrainingSetsService, type TrainingSetBuildDto } from './training-sets.service';

/** Body of `POST /feature-repo/plan|apply`. */
export const featureRepoBodySchema = z
  .object({
    documents: z.array(z.object({ file: z.string().min(1), content: z.string() }).strict()).min(1),
    allowDeletes: z.boolean().optional(),
  })
  .strict();

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
  @ZodApiBody(featureRepoBodySchema)
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
  @ZodApiBody(featureRepoBodySchema)
  async apply(@Body() body: unknown): Promise<RepoPlan> {
    const b = parseWith(featureRepoBodySchema, body);
    const { changedFeatureViews, ...plan } = await this.registry.apply(b.documents, b.allowDeletes ?? false);
    this.materializations.materializeInBackground(changedFeatureViews, 'feature-repo-apply');
    return plan;
  }

  /** `GET /feature-views` → batch and on-demand views (`kind` tells them apart), by name. */
  @Get('feature-views')
  async featureViews(): Promise<Array<FeatureView | OnDemandFeatureView>> {
    const r = await this.registry.load();
    return [...r.featureViews, ...r.onDemandFeatureViews].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** `GET /feature-views/{name}` → the view; 404 when unknown. */
  @Get('feature-views/:name')
  featureView(@Param('name') name: string): Promise<FeatureView | OnDemandFeatureView> {
    return this.registry.getFeatureView(name);
  }

  /** `GET /entities` → `[{name, joinKey, valueType, description?}]`. */
  @Get('entities')
  async entities(): Promise<Entity[]> {
    return (await this.registry.load()).entities;
  }

  /** `GET /training-set-definitions` → applied training-set definitions. */
  @Get('training-set-definitions')
  async trainingSetDefinitions(): Promise<unknown[]> {
    return (await this.registry.load()).trainingSets;
  }

  /** `GET /materializations?featureView=&datasetVersion=` (`datasetVersion`: `<versionId>` or `<dataset>@<versionId>`) → runs, newest first (≤ 500). */
  @Get('materializations')
  @ApiQuery({ name: 'featureView', required: false })
  @ApiQuery({ name: 'datasetVersion', required: false })
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
  start(@Body() body: unknown): Promise<TrainingSetBuildDto> {
    return this.trainingSets.start(parseWith(buildTrainingSetSchema, body));
  }

  /** `GET /training-sets/{id}` → `{id, status: RUNNING|SUCCEEDED|FAILED, uri, sha256, rowCount, columns: [{name, dtype, role}], featureRefs, error?}`. */
  @Get(':id')
  get(@Param('id') id: string): Promise<TrainingSetBuildDto> {
    return this.trainingSets.get(id);
  }
}

/** Feast-compatible online retrieval. */
@ApiTags('online')
@Controller()
export class OnlineFeaturesController {
  constructor(private readonly online: OnlineFeaturesService) {}

  /**
   * `POST /get-online-features` body `{features: ["view:feature"] | feature_service, entities: {joinKey: [values]}, full_feature_names?, as_of?, request_data?}`
   * → `{metadata: {feature_names}, results: [{values, statuses, event_timestamps}]}` (join keys first, then one result per feature).
   */
  @Post('get-online-features')
  @HttpCode(200)
  @ApiOperation({ summary: 'Get online features (Feast feature-server compatible)' })
  @ZodApiBody(getOnlineFeaturesSchema)
  get(@Body() body: unknown): Promise<GetOnlineFeaturesResponse> {
    return this.online.get(parseWith(getOnlineFeaturesSchema, body));
  }
}
