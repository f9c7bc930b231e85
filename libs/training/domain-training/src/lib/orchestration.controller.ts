import { Body, Controller, Delete, Get, Headers, HttpCode, HttpStatus, Param, Post, Put, Query } from '@nestjs/common';
import { actorOrUndefined } from './training-runs.controller';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { TrainingApi } from '@strata/contracts/api';
import { parseWith, ZodApiBody, ZodApiResponse } from '@strata/shared/nest-platform';
import { InvalidArgumentError } from '@strata/shared/util-errors';
import { RetrainingService, type RetrainingScheduleResponse, type RetrainingTriggerResponse } from './retraining.service';
import { ManualRetrainingBody, RetrainingScheduleBody, StartSearchBody } from './training-runs.dto';
import { TrainingSearchesService, type TrainingSearchResponse } from './training-searches.service';
import { RequirePermission } from '@strata/shared/auth';

const NAME = /^[a-z0-9][a-z0-9_.-]{0,127}$/;
function modelNameOf(v: string): string {
  if (!NAME.test(v)) throw new InvalidArgumentError(`path modelName '${v}' must match ^[a-z0-9][a-z0-9_.-]{0,127}$`);
  return v;
}

/**
 * Hyperparameter searches (docs/service-apis.md, training):
 * - `POST /training-searches` body {@link StartSearchBody} → 202 `StartTrainingSearchResponse` (contract `TrainingApi.startTrainingSearch`:
 *   `{ searchId, workflowId, requestId, status, alreadyExists, trials: [{runId, params}] }`);
 *   400 naming the bad field (space, trainer, a trial's params); 503 when PostgreSQL/Temporal is down.
 * - `GET /training-searches?modelName=&limit=` → newest first (without trials).
 * - `GET /training-searches/{searchId}` → {@link TrainingSearchResponse} with every trial run; 400 non-UUID; 404 unknown.
 */
@ApiTags('training-searches')
@Controller('training-searches')
export class TrainingSearchesController {
  constructor(private readonly searches: TrainingSearchesService) {}

  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({ summary: 'Start a hyperparameter search (grid/random; trials as child workflows; best trial registered)' })
  @ZodApiBody(StartSearchBody)
  @ZodApiResponse(TrainingApi.startTrainingSearch.response, 202)
  @RequirePermission('training', 'write')
  start(@Body() body: unknown, @Headers('x-strata-actor') actor?: string): ReturnType<TrainingSearchesService['start']> {
    return this.searches.start(parseWith(StartSearchBody, body, 'request body'), actorOrUndefined(actor));
  }

  @Get()
  @ApiOperation({ summary: 'List searches, newest first (?modelName=&limit=)' })
  @ZodApiResponse(TrainingApi.listTrainingSearches.response)
  @RequirePermission('training', 'read')
  list(@Query('modelName') modelName?: string, @Query('limit') limit?: string): ReturnType<TrainingSearchesService['list']> {
    return this.searches.list(modelName || undefined, limit ? Number(limit) || 50 : 50);
  }

  @Get(':searchId')
  @ApiOperation({ summary: 'A search with its trials (each a training run with params, status, metrics)' })
  @ZodApiResponse(TrainingApi.getTrainingSearch.response)
  @RequirePermission('training', 'read')
  get(@Param('searchId') searchId: string): Promise<TrainingSearchResponse> {
    return this.searches.get(searchId);
  }
}

/**
 * Retraining (docs/service-apis.md, training):
 * - `POST /retraining/{modelName}` body `{ reason?, requestId? }` → 202 `{ triggerId, decision: STARTED|SKIPPED_COOLDOWN|SKIPPED_RUNNING, workflowId }`.
 * - `GET /retraining/{modelName}/triggers?limit=` → trigger rows newest first (source, event id, reason, decision, run, outcome).
 * - `PUT /retraining/{modelName}/schedule` body `{ cron } | { intervalSeconds }` (+ `paused?`) → 200 schedule; 400 bad body.
 * - `GET /retraining/{modelName}/schedule` → schedule (next action times, recent actions); 404 none.
 * - `DELETE /retraining/{modelName}/schedule` → `{ modelName, deleted: true }`; 404 none.
 */
@ApiTags('retraining')
@Controller('retraining')
export class RetrainingController {
  constructor(private readonly retraining: RetrainingService) {}

  @Post(':modelName')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({ summary: 'Request a retraining of the model on fresh data (cooldown, one at a time; result → alias challenger)' })
  @ZodApiBody(ManualRetrainingBody, 'Reason and requestId (both optional; the body may be omitted)', { optional: true })
  @RequirePermission('training', 'write')
  trigger(@Param('modelName') modelName: string, @Body() body: unknown): ReturnType<RetrainingService['trigger']> {
    const b = parseWith(ManualRetrainingBody, body ?? {}, 'request body');
    return this.retraining.trigger({ modelName: modelNameOf(modelName), source: 'manual', triggerEventId: b.requestId ?? `manual-${Date.now()}`, reason: b.reason });
  }

  @Get(':modelName/triggers')
  @ApiOperation({ summary: 'Why retrainings of the model started or were skipped, newest first' })
  @RequirePermission('training', 'read')
  triggers(@Param('modelName') modelName: string, @Query('limit') limit?: string): Promise<RetrainingTriggerResponse[]> {
    return this.retraining.triggers(modelNameOf(modelName), limit ? Number(limit) || 50 : 50);
  }

  @Put(':modelName/schedule')
  @ApiOperation({ summary: 'Create or replace the model retraining Temporal Schedule (cron or interval)' })
  @ZodApiBody(RetrainingScheduleBody)
  @RequirePermission('training', 'write')
  putSchedule(@Param('modelName') modelName: string, @Body() body: unknown): Promise<RetrainingScheduleResponse> {
    return this.retraining.putSchedule(modelNameOf(modelName), parseWith(RetrainingScheduleBody, body, 'request body'));
  }

  @Get(':modelName/schedule')
  @ApiOperation({ summary: 'The model retraining schedule' })
  @RequirePermission('training', 'read')
  getSchedule(@Param('modelName') modelName: string): Promise<RetrainingScheduleResponse> {
    return this.retraining.getSchedule(modelNameOf(modelName));
  }

  @Delete(':modelName/schedule')
  @ApiOperation({ summary: 'Delete the model retraining schedule' })
  @RequirePermission('training', 'write')
  deleteSchedule(@Param('modelName') modelName: string): Promise<{ modelName: string; deleted: true }> {
    return this.retraining.deleteSchedule(modelNameOf(modelName));
  }
}
