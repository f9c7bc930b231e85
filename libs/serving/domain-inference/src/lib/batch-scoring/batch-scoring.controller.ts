import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ServingApi } from '@strata/contracts/api';
import { parseWith, ZodApiBody, ZodApiResponse } from '@strata/shared/nest-platform';
import { InvalidArgumentError } from '@strata/shared/util-errors';
import { BatchScoringService, StartBatchScoringBody, type BatchScoringJobResponse, type StartBatchScoringResponse } from './batch-scoring.service';
import { RequirePermission } from '@strata/shared/auth';

/**
 * Batch scoring over HTTP (docs/service-apis.md, serving):
 * - `POST /batch-scoring-jobs` body {@link StartBatchScoringBody} `{modelName, alias?|version?, datasetName+versionId | inputUri,
 *   outputColumns?, requestId?, chunkRows?}` → 202 {@link StartBatchScoringResponse} `{jobId, workflowId, requestId, status, alreadyExists}`;
 *   400 naming every invalid field; 503 while Temporal is down.
 * - `GET /batch-scoring-jobs?modelName=&limit=` → jobs, newest first.
 * - `GET /batch-scoring-jobs/{jobId}` → {@link BatchScoringJobResponse} (status, progress {rowsDone, rowsTotal}, outputUri,
 *   outputSha256, rowCount, errorCode, error); 400 non-UUID; 404 unknown.
 * - `POST /batch-scoring-jobs/{jobId}/cancel` → 202; 404 unknown; 409 when finished.
 */
@ApiTags('batch-scoring')
@Controller('batch-scoring-jobs')
export class BatchScoringController {
  constructor(private readonly jobs: BatchScoringService) {}

  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({ summary: 'Score a dataset version / Parquet with a model version or alias into Parquet (workflow batch-score:<model>:<requestId>)' })
  @ZodApiBody(StartBatchScoringBody)
  @ZodApiResponse(ServingApi.startBatchScoring.response, 202)
  @RequirePermission('serving', 'write')
  start(@Body() body: unknown): Promise<StartBatchScoringResponse> {
    return this.jobs.start(parseWith(StartBatchScoringBody, body, 'request body'));
  }

  @Get()
  @ApiOperation({ summary: 'List batch scoring jobs, newest first (?modelName=&limit=, default 50, max 500)' })
  @ZodApiResponse(ServingApi.listBatchScoringJobs.response)
  @RequirePermission('serving', 'read')
  list(@Query('modelName') modelName?: string, @Query('limit') limit?: string): Promise<BatchScoringJobResponse[]> {
    const n = limit === undefined ? 50 : Number(limit);
    if (!Number.isInteger(n) || n < 1 || n > 500) throw new InvalidArgumentError(`query limit '${limit}' must be an integer in 1..500`);
    return this.jobs.list(modelName || undefined, n);
  }

  @Get(':jobId')
  @ApiOperation({ summary: 'A batch scoring job: status, progress {rowsDone, rowsTotal}, outputUri, outputSha256, rowCount, error' })
  @ZodApiResponse(ServingApi.getBatchScoringJob.response)
  @RequirePermission('serving', 'read')
  get(@Param('jobId') jobId: string): Promise<BatchScoringJobResponse> {
    return this.jobs.get(jobId);
  }

  @Post(':jobId/cancel')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({ summary: 'Cancel a PENDING/RUNNING job (recorded CANCELLED, staged parts removed)' })
  @RequirePermission('serving', 'write')
  cancel(@Param('jobId') jobId: string): ReturnType<BatchScoringService['cancel']> {
    return this.jobs.cancel(jobId);
  }
}
