import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { parseWith, ZodApiBody } from '@strata/shared/nest-platform';
import { z } from 'zod';
import { InferenceService, type PredictResponse, type RequestHeaders } from './inference.service';
import { ModelRepository, type ModelVersionStatus, type ServingRoute } from './model-repository';

const num = z.number().finite().nullable().optional();

/** Body of `POST /models/{m}/predict`. */
export const PredictBody = z.object({
  predictionId: z.string().min(1).max(256).optional(),
  eventTime: z.string().min(1).optional(),
  entities: z.record(z.string().min(1), z.union([z.number(), z.string().min(1)])).refine((e) => Object.keys(e).length > 0, 'at least one entity key is required'),
  request: z.object({
    trip_distance: num,
    fare_amount: num,
    passenger_count: num,
    pickup_datetime: z.string().min(1),
  }),
});

/** Serving-specific endpoints: taxi trip prediction with online enrichment, and model load status. */
@ApiTags('serving')
@Controller('models')
export class PredictController {
  constructor(
    private readonly inference: InferenceService,
    private readonly repository: ModelRepository,
  ) {}

  /**
   * `POST /models/{m}/predict?version=` body `{ predictionId?, eventTime?, entities: { pickup_location_id: 132 },
   * request: { trip_distance, fare_amount, passenger_count, pickup_datetime } }` →
   * `{ predictionId, modelName, modelVersion, probability, features, featureStatuses }`.
   * Logs `strata.serving.prediction-logged.v1` off the request path. 400 bad body, 404 model
   * not loaded, 503 features service unavailable.
   */
  @Post(':model/predict')
  @HttpCode(200)
  @ZodApiBody(PredictBody, 'Trip to score')
  @ApiOperation({ summary: 'Score one trip (online features + request features) and log the prediction' })
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
  list(@Query('name') name?: string): ModelVersionStatus[] {
    return this.repository.statuses(name);
  }
}
