import { Body, Controller, Get, Headers, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { TrainingApi } from '@strata/contracts/api';
import { PG_INT4_MAX, parseWith, ZodApiBody, ZodApiResponse } from '@strata/shared/nest-platform';
import { InvalidArgumentError } from '@strata/shared/util-errors';
import { StartTrainingRunBody, type StartTrainingRunResponse, type TrainingRunResponse } from './training-runs.dto';
import { TrainingRunsService } from './training-runs.service';
import { RequirePermission } from '@strata/shared/auth';

/** A usable actor header (trimmed, 1–256 chars) or undefined. */
export function actorOrUndefined(actor: string | undefined): string | undefined {
  const a = actor?.trim();
  return a && a.length <= 256 ? a : undefined;
}

/**
 * Training runs over HTTP (docs/service-apis.md, training):
 * - `POST /training-runs` body {@link StartTrainingRunBody} → 202 {@link StartTrainingRunResponse}
 *   `{ runId, workflowId, requestId, status, alreadyExists }`; 400 naming every invalid field;
 *   503 while PostgreSQL or Temporal is down. The same `requestId` twice runs once.
 * - `GET /training-runs?modelName=&searchId=&limit=` → newest runs first.
 * - `GET /training-runs/{runId}/logs?attempt=` → `{ runId, status, chunks: [{attempt, stream, text, createdAt}], text }`; 404 unknown.
 * - `GET /training-runs/{runId}` → {@link TrainingRunResponse}; 400 for a non-UUID id; 404 unknown.
 * - `POST /training-runs/{runId}/cancel` → 202 `{ runId, workflowId, status, cancelRequested: true }`;
 *   404 unknown; 409 when the run is not RUNNING.
 */
@ApiTags('training-runs')
@Controller('training-runs')
export class TrainingRunsController {
  constructor(private readonly runs: TrainingRunsService) {}

  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  @ZodApiResponse(TrainingApi.startTrainingRun.response, 202)
  @ApiOperation({ summary: 'Start a durable training run (idempotent per modelName + requestId); workflow id train:<modelName>:<requestId>' })
  @ZodApiBody(StartTrainingRunBody)
  @RequirePermission('training', 'write')
  start(@Body() body: unknown, @Headers('x-strata-actor') actor?: string): Promise<StartTrainingRunResponse> {
    // Under enforced auth the guard sets X-Strata-Actor to the caller's principal; recorded as who triggered the run.
    return this.runs.start(parseWith(StartTrainingRunBody, body, 'request body'), undefined, actorOrUndefined(actor));
  }

  @Get()
  @ApiOperation({ summary: 'List training runs, newest first (?modelName=&limit=, default 50, max 500)' })
  @RequirePermission('training', 'read')
  list(@Query('modelName') modelName?: string, @Query('limit') limit?: string, @Query('searchId') searchId?: string): Promise<TrainingRunResponse[]> {
    return this.runs.list(modelName || undefined, limit ? Number(limit) || 50 : 50, searchId || undefined);
  }

  @Get(':runId/logs')
  @ApiOperation({ summary: "The run's captured log (external trainer stdout/stderr + system lines), oldest first; ?attempt=N for one attempt" })
  @RequirePermission('training', 'read')
  logs(@Param('runId') runId: string, @Query('attempt') attempt?: string): ReturnType<TrainingRunsService['logs']> {
    const n = attempt === undefined ? undefined : Number(attempt);
    if (n !== undefined && (!Number.isInteger(n) || n < 1 || n > PG_INT4_MAX)) throw new InvalidArgumentError(`query attempt '${attempt}' must be an integer between 1 and ${PG_INT4_MAX}`);
    return this.runs.logs(runId, n);
  }

  @Get(':runId')
  @ZodApiResponse(TrainingApi.getTrainingRun.response)
  @ApiOperation({ summary: 'A training run: status, step, live progress, metrics, model version, artifact, error, resources' })
  @RequirePermission('training', 'read')
  get(@Param('runId') runId: string): Promise<TrainingRunResponse> {
    return this.runs.get(runId);
  }

  @Post(':runId/cancel')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({ summary: 'Request cancellation of a RUNNING run (recorded CANCELLED when the workflow stops)' })
  @RequirePermission('training', 'write')
  cancel(@Param('runId') runId: string): Promise<{ runId: string; workflowId: string; status: string; cancelRequested: true }> {
    return this.runs.cancel(runId);
  }
}
