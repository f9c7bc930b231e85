import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy } from '@temporalio/client';
import { DataSource } from 'typeorm';
import { int32 } from '@strata/shared/nest-platform';
import { z } from 'zod';
import type { BatchScoringJob as BatchScoringJobResponse, StartBatchScoringResponse } from '@strata/contracts/api';
import { BatchScoringJobEntity, BatchScoringJobStatus } from '@strata/serving/data-access';
import { batchScoringWorkflow, batchScoringWorkflowId, type BatchScoringInput } from '@strata/serving/workflows';
import { ConflictError, InvalidArgumentError, NotFoundError, UnavailableError } from '@strata/shared/util-errors';
import { BatchScoringTemporalService } from './batch-scoring-temporal.service';
import { BATCH_SCORING_OPTIONS, type BatchScoringOptions } from './batch-scoring.options';

const NAME = /^[a-z0-9][a-z0-9_.-]{0,127}$/;
const COLUMN = z.string().min(1).max(255);

/** Body of `POST /batch-scoring-jobs`. */
export const StartBatchScoringBody = z
  .object({
    modelName: z.string().regex(NAME, 'must match ^[a-z0-9][a-z0-9_.-]{0,127}$'),
    /** Registry alias (default `champion` when neither alias nor version is given). */
    alias: z.string().regex(NAME, 'must match ^[a-z0-9][a-z0-9_.-]{0,127}$').optional(),
    version: int32().min(1).optional(),
    datasetName: z.string().regex(NAME, 'must match ^[a-z0-9][a-z0-9_.-]{0,127}$').optional(),
    versionId: z.string().min(1).max(128).optional(),
    /** Parquet URI in the object store (e.g. a training set's `uri`), instead of a dataset version. */
    inputUri: z.string().min(1).max(4096).optional(),
    /** Input columns copied to the output (default: `id`/`*_id` keys + `event_timestamp`). */
    outputColumns: z.array(COLUMN).max(1000).optional(),
    /** Idempotency key: the same modelName + requestId runs once (default: a new uuid). */
    requestId: z.string().regex(/^[A-Za-z0-9_.:-]{1,200}$/, 'must be 1-200 of [A-Za-z0-9_.:-]').optional(),
    /** Rows per chunk activity (default SERVING_BATCH_CHUNK_ROWS). */
    chunkRows: z.number().int().min(1).max(1_000_000).optional(),
  })
  .strict()
  .superRefine((b, ctx) => {
    if (b.alias !== undefined && b.version !== undefined) ctx.addIssue({ code: 'custom', path: ['version'], message: 'give alias or version, not both' });
    const dataset = b.datasetName !== undefined || b.versionId !== undefined;
    if (dataset && b.inputUri !== undefined) ctx.addIssue({ code: 'custom', path: ['inputUri'], message: 'give datasetName + versionId or inputUri, not both' });
    if (!dataset && b.inputUri === undefined) ctx.addIssue({ code: 'custom', path: ['inputUri'], message: 'required unless datasetName + versionId are given' });
    if (dataset && (b.datasetName === undefined || b.versionId === undefined)) {
      ctx.addIssue({ code: 'custom', path: [b.datasetName === undefined ? 'datasetName' : 'versionId'], message: 'datasetName and versionId go together' });
    }
    if (b.outputColumns && new Set(b.outputColumns).size !== b.outputColumns.length) ctx.addIssue({ code: 'custom', path: ['outputColumns'], message: 'has duplicates' });
  });
/** Parsed {@link StartBatchScoringBody}. */
export type StartBatchScoringBody = z.infer<typeof StartBatchScoringBody>;

/** `POST /batch-scoring-jobs` answer (202) and a job as `GET /batch-scoring-jobs[/{id}]` return it: declared once, in the API contracts. */
export type { BatchScoringJobResponse, StartBatchScoringResponse };

function toResponse(e: BatchScoringJobEntity): BatchScoringJobResponse {
  return {
    jobId: e.jobId,
    workflowId: e.workflowId,
    requestId: e.requestId,
    status: e.status,
    modelName: e.modelName,
    alias: e.modelAlias,
    modelVersion: e.modelVersion,
    datasetName: e.datasetName,
    versionId: e.versionId,
    inputUri: e.inputUri,
    inputSha256: e.inputSha256,
    outputColumns: e.outputColumns,
    progress: { rowsDone: e.rowsDone, rowsTotal: e.rowsTotal },
    outputUri: e.outputUri,
    outputSha256: e.outputSha256,
    rowCount: e.rowCount,
    errorCode: e.errorCode,
    error: e.error,
    createdAt: e.createdAt.toISOString(),
    updatedAt: e.updatedAt.toISOString(),
    finishedAt: e.finishedAt ? e.finishedAt.toISOString() : null,
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Starts, reads, lists and cancels batch scoring jobs (rows in `batch_scoring_job`, runs in Temporal). */
@Injectable()
export class BatchScoringService {
  private readonly logger = new Logger('BatchScoring');

  constructor(
    @Inject(BATCH_SCORING_OPTIONS) private readonly options: BatchScoringOptions,
    private readonly temporal: BatchScoringTemporalService,
    private readonly dataSource: DataSource,
  ) {}

  private get jobs() {
    return this.dataSource.getRepository(BatchScoringJobEntity);
  }

  /**
   * Records the job (PENDING) and starts `batchScoringWorkflow` with workflow id
   * `batch-score:<modelName>:<requestId>` (`REJECT_DUPLICATE`). A repeated request returns the
   * existing job with `alreadyExists: true`.
   * @throws UnavailableError (503) while Temporal is unreachable (nothing recorded).
   */
  async start(body: StartBatchScoringBody): Promise<StartBatchScoringResponse> {
    const requestId = body.requestId ?? randomUUID();
    const workflowId = batchScoringWorkflowId(body.modelName, requestId);
    const existing = await this.jobs.findOneBy({ workflowId });
    if (existing) return { jobId: existing.jobId, workflowId, requestId, status: existing.status, alreadyExists: true };
    this.temporal.getClient(); // 503 before anything is written
    const jobId = randomUUID();
    const alias = body.version === undefined ? (body.alias ?? 'champion') : null;
    const inserted = await this.jobs
      .createQueryBuilder()
      .insert()
      .values({
        jobId,
        workflowId,
        requestId,
        modelName: body.modelName,
        modelAlias: alias,
        modelVersion: body.version ?? null,
        datasetName: body.datasetName ?? null,
        versionId: body.versionId ?? null,
        inputUri: body.inputUri ?? null,
        outputColumns: body.outputColumns ?? null,
        status: BatchScoringJobStatus.PENDING,
      })
      .orIgnore()
      .execute();
    if ((inserted.raw as unknown[]).length === 0) {
      const row = await this.jobs.findOneByOrFail({ workflowId });
      return { jobId: row.jobId, workflowId, requestId, status: row.status, alreadyExists: true };
    }
    const input: BatchScoringInput = {
      jobId,
      modelName: body.modelName,
      model: body.version !== undefined ? { version: body.version } : { alias: alias! },
      ...(body.inputUri !== undefined ? { inputUri: body.inputUri } : { datasetName: body.datasetName!, versionId: body.versionId! }),
      ...(body.outputColumns ? { outputColumns: body.outputColumns } : {}),
      chunkRows: body.chunkRows ?? this.options.chunkRows,
      ...(this.options.timeouts ? { timeouts: this.options.timeouts } : {}),
    };
    try {
      await this.temporal.call(`start of workflow '${workflowId}'`, (c) =>
        c.workflow.start(batchScoringWorkflow, {
          taskQueue: this.options.taskQueue,
          workflowId,
          workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
          args: [input],
        }),
      );
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) {
        // Never left PENDING: the job row of this call is removed (retrying with the same requestId is safe).
        await this.jobs.delete({ jobId });
        throw new UnavailableError(`Batch scoring workflow '${workflowId}' could not be started: ${(err as Error).message} (no job recorded; retrying with the same requestId is safe)`, { cause: err });
      }
    }
    this.logger.log({ jobId, workflowId, model: body.modelName }, 'batch scoring job started');
    return { jobId, workflowId, requestId, status: BatchScoringJobStatus.PENDING, alreadyExists: false };
  }

  /** @throws InvalidArgumentError (400) for a non-UUID id; NotFoundError (404) when unknown. */
  async get(jobId: string): Promise<BatchScoringJobResponse> {
    return toResponse(await this.find(jobId));
  }

  /** Newest first; `limit` 1..500 (default 50). */
  async list(modelName: string | undefined, limit: number): Promise<BatchScoringJobResponse[]> {
    const rows = await this.jobs.find({ where: modelName ? { modelName } : {}, order: { createdAt: 'DESC' }, take: Math.min(Math.max(limit, 1), 500) });
    return rows.map(toResponse);
  }

  /**
   * Requests cancellation of a PENDING/RUNNING job; the workflow records it CANCELLED and removes
   * staged parts. @throws NotFoundError (404); ConflictError (409) when already finished.
   */
  async cancel(jobId: string): Promise<{ jobId: string; workflowId: string; status: BatchScoringJobStatus; cancelRequested: true }> {
    const job = await this.find(jobId);
    if (job.status !== BatchScoringJobStatus.PENDING && job.status !== BatchScoringJobStatus.RUNNING) {
      throw new ConflictError(`Batch scoring job '${jobId}' is ${job.status}, not PENDING or RUNNING`);
    }
    await this.temporal.call(`cancel of workflow '${job.workflowId}'`, (c) => c.workflow.getHandle(job.workflowId).cancel());
    return { jobId, workflowId: job.workflowId, status: job.status, cancelRequested: true };
  }

  private async find(jobId: string): Promise<BatchScoringJobEntity> {
    if (!UUID.test(jobId)) throw new InvalidArgumentError(`Batch scoring job id '${jobId}' is not a UUID`);
    const job = await this.jobs.findOneBy({ jobId });
    if (!job) throw new NotFoundError(`Batch scoring job '${jobId}' not found`);
    return job;
  }
}
