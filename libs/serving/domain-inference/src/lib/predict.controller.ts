import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ServingApi } from '@strata/contracts/api';
import { parseWith, ZodApiBody, ZodApiResponse } from '@strata/shared/nest-platform';
import { z } from 'zod';
import { InferenceService, type PredictResponse, type RequestHeaders } from './inference.service';
import { ModelRepository, type ModelVersionStatus, type ServingRoute } from './model-repository';
import { RequirePermission } from '@strata/shared/auth';

const scalar = z.union([z.string(), z.number().finite(), z.boolean(), z.null()]);

/** Body of `POST /models/{m}/predict`. */
export const PredictBody = z
  .object({
    /** Id of the prediction (default a UUID); feedback labels refer to it. */
    predictionId: z.string().min(1).max(256).optional(),
    /**
     * ISO-8601 time the prediction is for (default now), sent to the features service as `as_of`:
     * no feature value whose event time is after it is used (such a value is `OUTSIDE_AS_OF` → NaN).
     */
    eventTime: z.string().min(1).optional(),
    /** Join key → value of the entity to score, e.g. `{ "customer_id": 7 }`. */
    entities: z.record(z.string().min(1), z.union([z.number(), z.string().min(1)])).refine((e) => Object.keys(e).length > 0, 'at least one entity key is required'),
    /** Request fields of the model's on-demand feature views (name → JSON scalar; null = missing). */
    request: z.record(z.string().min(1), scalar).default({}),
  })
  .strict();

/** Serving-specific endpoints: prediction with online enrichment for any model, and model load status. */
@ApiTags('serving')
@Controller('models')
export class PredictController {
  constructor(
    private readonly inference: InferenceService,
    private readonly repository: ModelRepository,
  ) {}

  /**
   * `POST /models/{m}/predict?version=` body `{ predictionId?, eventTime?, entities: { <join key>: value },
   * request: { <request field>: value } }` → `{ predictionId, modelName, modelVersion, probability,
   * features, featureStatuses }`. Works for any model whose version has feature names: its signature
   * (feature references + request fields) decides what is fetched and which request fields are taken.
   * Logs `strata.serving.prediction-logged.v1` off the request path. 400 bad body or request field
   * (`request.<f>: unknown field; model <m> v<n> takes request fields ...`), 404 model not loaded,
   * 503 features service unavailable.
   */
  @Post(':model/predict')
  @HttpCode(200)
  @ZodApiBody(PredictBody, 'Entity and request fields to score')
  @ZodApiResponse(ServingApi.predict.response)
  @ApiOperation({
    summary: 'Score one entity with any model (online + on-demand features as of eventTime) and log the prediction',
    description:
      'The model version signature (feature references, request fields) drives the call. Features are fetched from the features service as of `eventTime` (default now): a stored value newer than `eventTime` is never used (status OUTSIDE_AS_OF, fed as NaN). Unknown, missing or mistyped request fields → 400 naming the field.',
  })
  @RequirePermission('inference', 'execute')
  predict(@Param('model') model: string, @Query('version') version: string | undefined, @Body() body: unknown, @Headers() headers: RequestHeaders): Promise<PredictResponse> {
    return this.inference.predict(model, version, parseWith(PredictBody, body), headers);
  }

  /**
   * `GET /models/{m}/rollout` → `{ route }`: the rollout route this instance applies
   * (`{rolloutId, mode, championVersion, challengerVersion, challengerWeight, stickyKey}`), or
   * `route: null` when the champion answers everything.
   */
  @Get(':model/rollout')
  @ApiOperation({ summary: 'Rollout route applied by this serving instance (null = champion only)' })
  @RequirePermission('serving', 'read')
  rollout(@Param('model') model: string): { route: ServingRoute | null } {
    return { route: this.repository.routeOf(model) ?? null };
  }

  /**
   * `GET /models[?name=]` → status of every known model version:
   * `[{ name, version, state: LOADING|READY|FAILED|UNLOADED, aliases, artifactUri, artifactSha256, error?, updatedAt }]`
   * (a refused artifact shows `state: FAILED` with the sha256 mismatch in `error`).
   */
  @Get()
  @ApiOperation({ summary: 'Load status of every model version known to this server' })
  @RequirePermission('serving', 'read')
  list(@Query('name') name?: string): ModelVersionStatus[] {
    return this.repository.statuses(name);
  }
}
