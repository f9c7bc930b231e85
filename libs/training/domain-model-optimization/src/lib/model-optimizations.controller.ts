import { Body, Controller, Get, HttpStatus, Param, Post, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ModelOptimizationApi, StartModelOptimizationSchema, type ModelOptimization } from '@strata/contracts/api';
import { RequirePermission } from '@strata/shared/auth';
import { parseWith, ZodApiBody, ZodApiResponse } from '@strata/shared/nest-platform';
import { AppError, ErrorCode, InvalidArgumentError } from '@strata/shared/util-errors';
import { ModelOptimizationsService } from './model-optimizations.service';

/** The largest `?wait=` in seconds. */
const MAX_WAIT_SECONDS = 600;

/** Minimal reply surface (Fastify or Express) to set the status of a successful answer. */
interface StatusReply {
  status(code: number): unknown;
}

/**
 * Model optimization over HTTP (docs/service-apis.md, training):
 * - `POST /model-optimizations[?wait=<seconds>]` body `{ modelName, version, method: 'dynamic-int8'|'graph',
 *   maxAccuracyDrop?, maxRocAucDrop?, latencyRows? }` → 202 the job (RUNNING). With `wait` (0–600 s) the
 *   answer waits for the job: SUCCEEDED → 201 the job; REFUSED → 409 `{code: CONFLICT, message, details:
 *   {parent, child, margins, accuracyDrop, rocAucDrop, evalRows, latencyRows}}` (nothing registered); FAILED →
 *   the error's own status (400/404/422/503/500); still running at the deadline → 202.
 *   400 names a bad field; 503 when the optimizer is not configured or too many jobs are queued.
 * - `GET /model-optimizations/{id}` → the job `{ id, status: RUNNING|SUCCEEDED|REFUSED|FAILED, progress, step,
 *   request, result, error, createdAt, finishedAt }`; 404 unknown.
 */
@ApiTags('model-optimizations')
@Controller('model-optimizations')
export class ModelOptimizationsController {
  constructor(private readonly jobs: ModelOptimizationsService) {}

  @Post()
  @ZodApiBody(StartModelOptimizationSchema)
  @ZodApiResponse(ModelOptimizationApi.startModelOptimization.response, 202)
  @ApiOperation({ summary: 'Derive an optimized child version (ONNX Runtime INT8 / graph); registered only within the accuracy margins' })
  @RequirePermission('training', 'write')
  async start(@Body() body: unknown, @Query('wait') wait: string | undefined, @Res({ passthrough: true }) reply: StatusReply): Promise<ModelOptimization> {
    const waitSeconds = wait === undefined || wait === '' ? 0 : Number(wait);
    if (!Number.isFinite(waitSeconds) || waitSeconds < 0 || waitSeconds > MAX_WAIT_SECONDS) throw new InvalidArgumentError(`query wait '${wait}' must be a number of seconds between 0 and ${MAX_WAIT_SECONDS}`);
    const job = await this.jobs.waitFor(this.jobs.start(parseWith(StartModelOptimizationSchema, body, 'request body')).id, waitSeconds * 1000);
    if (job.status === 'REFUSED' || job.status === 'FAILED') {
      const e = job.error!;
      throw new AppError((e.code in ErrorCode ? e.code : ErrorCode.INTERNAL) as ErrorCode, `${e.message} (model optimization ${job.id})`, { details: { ...(e.details ?? {}), optimizationId: job.id } });
    }
    reply.status(job.status === 'SUCCEEDED' ? HttpStatus.CREATED : HttpStatus.ACCEPTED);
    return job;
  }

  @Get(':id')
  @ZodApiResponse(ModelOptimizationApi.getModelOptimization.response)
  @ApiOperation({ summary: 'A model optimization: status, progress, result (sizes, latencies, accuracy/ROC AUC drop) or refusal with the numbers' })
  @RequirePermission('training', 'read')
  get(@Param('id') id: string): ModelOptimization {
    return this.jobs.get(id);
  }
}
