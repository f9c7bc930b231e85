import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import { DataSource, type EntityManager } from 'typeorm';
import { DatabaseService } from '@strata/shared/nest-platform';
import { ConflictError, InvalidArgumentError, NotFoundError, UnavailableError } from '@strata/shared/util-errors';
import { trainingRunId as runIdOf } from '@strata/training/activities';
import { insertPendingTrainingRun, toTrainingRun, TrainingRunEntity, TrainingRunLogEntity, TrainingRunStatus, type TrainingRun } from '@strata/training/data-access';
import {
  progressQuery,
  TRAINING_TASK_QUEUE,
  trainModelWorkflow,
  trainModelWorkflowId,
  type TrainModelInput,
  type TrainModelProgress,
} from '@strata/training/workflows';
import { withTemporalDeadline } from '@strata/shared/util-temporal';
import { TemporalClientService } from './temporal-client.service';
import type { StartTrainingRunBody, StartTrainingRunResponse, TrainingRunResponse } from './training-runs.dto';
import { TRAINING_OPTIONS, type TrainingModuleOptions } from './training.constants';

/**
 * Run id of a request: a UUID derived from `modelName` + `requestId` (sha256, RFC 4122 layout),
 * so a redelivered or repeated request maps to the same run even if an earlier attempt's
 * transaction rolled back after the workflow had started.
 */
export function trainingRunId(modelName: string, requestId: string): string {
  return runIdOf(modelName, requestId);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Training runs: create (row + durable workflow, idempotent per `modelName` + `requestId`),
 * read (row + live progress), cancel.
 */
@Injectable()
export class TrainingRunsService {
  private readonly logger = new Logger('TrainingRuns');

  constructor(
    @Inject(TRAINING_OPTIONS) private readonly options: TrainingModuleOptions,
    private readonly dataSource: DataSource,
    private readonly database: DatabaseService,
    private readonly temporal: TemporalClientService,
  ) {}

  /**
   * Inserts the `training_run` row (unless this request already has one) and starts
   * `trainModelWorkflow` with id `train:<modelName>:<requestId>` (`REJECT_DUPLICATE`: a
   * request runs once, even after its run finished). An already started workflow counts as
   * success. Pass `manager` to insert inside a caller's transaction (event consumers).
   *
   * `triggeredBy`: who asked (the request's actor), recorded on the row and the tracked run.
   * @throws UnavailableError (503) when PostgreSQL or Temporal is unreachable; a row inserted by
   *   this call is removed again when the workflow could not be started.
   */
  async start(request: StartTrainingRunBody, manager?: EntityManager, triggeredBy?: string): Promise<StartTrainingRunResponse> {
    this.checkTrainer(request.trainer);
    this.temporal.getClient(); // 503 before anything is written
    if (!manager) await this.whenDatabaseReady();
    const em = manager ?? this.database.getDataSource().manager;
    const requestId = request.requestId ?? randomUUID();
    const runId = trainingRunId(request.modelName, requestId);
    const workflowId = trainModelWorkflowId(request.modelName, requestId);
    const created = await insertPendingTrainingRun(em, {
      runId,
      workflowId,
      modelName: request.modelName,
      requestId,
      trainer: request.trainer,
      trainingSet: request.trainingSet,
      reason: request.reason,
      params: request.params as Record<string, number | string | boolean>,
      evaluation: request.evaluation,
      datasetVersions: request.trainDatasetVersions,
      triggeredBy: triggeredBy ?? null,
    });
    const row = await em.getRepository(TrainingRunEntity).findOneByOrFail({ runId });
    if (row.status !== TrainingRunStatus.RUNNING) return { runId, workflowId, requestId, status: row.status, alreadyExists: true };

    const input: TrainModelInput = {
      runId,
      modelName: row.modelName,
      requestId,
      trainer: row.trainer as TrainModelInput['trainer'],
      params: row.params,
      trainingSet: row.trainingSet,
      trainDatasetVersions: row.datasetVersions.map(({ datasetName, versionId }) => ({ datasetName, versionId })),
      evaluation: row.evaluation as TrainModelInput['evaluation'],
      reason: row.reason as TrainModelInput['reason'],
      ...(this.options.runTimeouts ? { timeouts: this.options.runTimeouts } : {}),
    };
    try {
      await this.temporal.call(`start of workflow '${workflowId}'`, (client) =>
        client.workflow.start(trainModelWorkflow, {
          taskQueue: this.options.taskQueue ?? TRAINING_TASK_QUEUE,
          workflowId,
          args: [input],
          workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
          memo: { runId, modelName: row.modelName },
        }),
      );
      this.logger.log({ runId, workflowId, modelName: row.modelName }, 'training workflow started');
    } catch (e) {
      if (e instanceof WorkflowExecutionAlreadyStartedError) {
        this.logger.log({ runId, workflowId }, 'training workflow already started');
        return { runId, workflowId, requestId, status: row.status, alreadyExists: true };
      }
      if (created && !manager) await em.getRepository(TrainingRunEntity).delete({ runId, status: TrainingRunStatus.RUNNING });
      // The run is never left RUNNING: the row this call inserted is removed (or rolls back with the caller's transaction).
      throw new UnavailableError(`Could not start training workflow '${workflowId}': ${e instanceof Error ? e.message : String(e)} (no run recorded; retrying with the same requestId is safe)`, { cause: e });
    }
    return { runId, workflowId, requestId, status: TrainingRunStatus.RUNNING, alreadyExists: !created };
  }

  /**
   * The run with live progress while RUNNING (progress query, bounded to 3 s; on failure the
   * stored step is returned with `progress: null`).
   * @throws NotFoundError when no run has this id.
   */
  async get(runId: string): Promise<TrainingRunResponse> {
    const run = await this.find(runId);
    let live: TrainModelProgress | undefined;
    if (run.status === TrainingRunStatus.RUNNING) {
      try {
        live = await withTemporalDeadline(this.temporal.getClient(), this.options.temporalAddress, 3000, `progress query of '${run.workflowId}'`, (c) =>
          c.workflow.getHandle(run.workflowId).query(progressQuery),
        );
      } catch (e) {
        this.logger.warn({ runId, err: e instanceof Error ? e.message : String(e) }, 'progress query failed');
      }
    }
    return toResponse(run, live, this.options.cost);
  }

  /**
   * @throws InvalidArgumentError (400) for a `command:<name>` trainer that is not configured.
   */
  checkTrainer(trainer: string): void {
    if (!trainer.startsWith('command:')) return;
    const name = trainer.slice('command:'.length);
    if (!this.options.commandTrainers?.[name]) {
      throw new InvalidArgumentError(`trainer: command trainer '${name}' is not configured (TRAINING_COMMAND_TRAINERS has: ${Object.keys(this.options.commandTrainers ?? {}).join(', ') || 'none'})`);
    }
  }

  /** Newest runs first, optionally of one model and/or one search (at most `limit`, default 50, max 500). */
  async list(modelName: string | undefined, limit = 50, searchId?: string): Promise<TrainingRunResponse[]> {
    await this.whenDatabaseReady();
    if (searchId !== undefined && !UUID.test(searchId)) throw new InvalidArgumentError(`searchId '${searchId}' is not a UUID`);
    const rows = await this.database
      .getDataSource()
      .getRepository(TrainingRunEntity)
      .find({
        where: { ...(modelName ? { modelName } : {}), ...(searchId ? { parentSearchId: searchId } : {}) },
        order: { createdAt: 'DESC' },
        take: Math.min(Math.max(limit, 1), 500),
      });
    return rows.map((r) => toResponse(toTrainingRun(r), undefined, this.options.cost));
  }

  /**
   * The captured log of a run (external trainers' stdout/stderr and the activity's own
   * `system` lines: command, exit status), oldest first, optionally of one attempt.
   * @throws NotFoundError when no run has this id.
   */
  async logs(runId: string, attempt?: number): Promise<{ runId: string; status: string; chunks: Array<{ attempt: number; stream: string; text: string; createdAt: string }>; text: string }> {
    const run = await this.find(runId);
    const rows = await this.database
      .getDataSource()
      .getRepository(TrainingRunLogEntity)
      .find({ where: { runId, ...(attempt ? { attempt } : {}) }, order: { id: 'ASC' } });
    const chunks = rows.map((r) => ({ attempt: r.attempt, stream: r.stream, text: r.chunk, createdAt: r.createdAt.toISOString() }));
    return { runId, status: run.status, chunks, text: chunks.map((c) => c.text).join('') };
  }

  /**
   * Requests cancellation of a RUNNING run; the workflow records CANCELLED when it stops.
   * @throws NotFoundError when no run has this id; ConflictError when it is not RUNNING.
   */
  async cancel(runId: string): Promise<{ runId: string; workflowId: string; status: string; cancelRequested: true }> {
    const run = await this.find(runId);
    if (run.status !== TrainingRunStatus.RUNNING) throw new ConflictError(`Training run '${runId}' is ${run.status}; only RUNNING runs can be cancelled`);
    try {
      await this.temporal.call(`cancel of workflow '${run.workflowId}'`, (c) => c.workflow.getHandle(run.workflowId).cancel());
    } catch (e) {
      if (e instanceof WorkflowNotFoundError) throw new NotFoundError(`Workflow '${run.workflowId}' of training run '${runId}' not found`, { cause: e });
      throw e;
    }
    this.logger.log({ runId, workflowId: run.workflowId }, 'training run cancellation requested');
    return { runId, workflowId: run.workflowId, status: run.status, cancelRequested: true };
  }

  /** The newest run of a model, if any (used to fill in what a retraining request omits). */
  async latestRun(manager: EntityManager, modelName: string): Promise<TrainingRun | undefined> {
    const row = await manager.getRepository(TrainingRunEntity).findOne({ where: { modelName }, order: { createdAt: 'DESC' } });
    return row ? toTrainingRun(row) : undefined;
  }

  private async find(runId: string): Promise<TrainingRun> {
    if (!UUID.test(runId)) throw new InvalidArgumentError(`runId '${runId}' is not a UUID`);
    await this.whenDatabaseReady();
    const row = await this.database.getDataSource().getRepository(TrainingRunEntity).findOneBy({ runId });
    if (!row) throw new NotFoundError(`Training run '${runId}' not found`);
    return toTrainingRun(row);
  }

  private async whenDatabaseReady(): Promise<void> {
    this.database.getDataSource(); // throws UnavailableError (503) while PostgreSQL is down
  }
}

/**
 * Estimated cost of a run from its resources: CPU-hours × rate + GB-hours × rate, where
 * GB-hours = peak RSS (GiB) × activities' wall time (h). Null while resources are unknown.
 */
export function estimateCost(resources: TrainingRun['resources'], rates: TrainingModuleOptions['cost']): TrainingRunResponse['cost'] {
  if (resources.cpuSeconds === null || resources.wallTimeMs === null || resources.peakRssBytes === null) return null;
  const r = rates ?? { perCpuHour: 0, perGbHour: 0, currency: 'USD' };
  const cpuHours = resources.cpuSeconds / 3600;
  const gbHours = (resources.peakRssBytes / 2 ** 30) * (resources.wallTimeMs / 3_600_000);
  return { estimated: cpuHours * r.perCpuHour + gbHours * r.perGbHour, currency: r.currency, cpuHours, gbHours, ratePerCpuHour: r.perCpuHour, ratePerGbHour: r.perGbHour };
}

/** The HTTP shape of a run (live progress while RUNNING, cost from the configured rates). */
export function toResponse(run: TrainingRun, live: TrainModelProgress | undefined, rates?: TrainingModuleOptions['cost']): TrainingRunResponse {
  const opt = <K extends string, V>(k: K, v: V | null | undefined) => (v === null || v === undefined ? {} : ({ [k]: v } as Record<K, V>));
  return {
    runId: run.runId,
    workflowId: run.workflowId,
    modelName: run.modelName,
    requestId: run.requestId,
    status: run.status,
    step: live?.step ?? run.step,
    progress: live ? live.progress : run.status === TrainingRunStatus.COMPLETED ? 1 : null,
    ...opt('detail', live?.detail),
    trainer: run.trainer,
    trainingSet: run.trainingSet,
    reason: run.reason,
    params: run.params,
    evaluation: run.evaluation,
    datasetVersions: run.datasetVersions,
    ...opt('featureViews', run.featureViews),
    ...opt('metrics', run.metrics),
    ...opt('evaluationReport', run.evaluationReport),
    ...opt('modelVersion', run.modelVersion),
    ...opt('artifactUri', run.artifactUri),
    ...opt('artifactSha256', run.artifactSha256),
    ...opt('referenceProfileUri', run.referenceProfileUri),
    ...opt('referenceProfileSha256', run.referenceProfileSha256),
    ...opt('trainingSetUri', run.trainingSetUri),
    ...opt('trainingSetSha256', run.trainingSetSha256),
    ...opt('error', run.error),
    resources: run.resources,
    cost: estimateCost(run.resources, rates),
    ...opt('parentSearchId', run.parentSearchId),
    createdAt: run.createdAt,
    finishedAt: run.finishedAt,
  };
}
