import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import { DatabaseService } from '@strata/shared/nest-platform';
import { InvalidArgumentError, NotFoundError, UnavailableError } from '@strata/shared/util-errors';
import { LogisticRegressionParamsSchema, trainingRunId } from '@strata/training/activities';
import { TrainingRunEntity, TrainingRunStatus, TrainingSearchEntity } from '@strata/training/data-access';
import {
  hyperparameterSearchWorkflow,
  searchWorkflowId,
  TRAINING_TASK_QUEUE,
  trainModelWorkflowId,
  type HyperparameterSearchInput,
  type TrainModelInput,
} from '@strata/training/workflows';
import { generateTrials } from './search-space';
import { TemporalClientService } from './temporal-client.service';
import type { StartTrainingSearchResponse, TrainingSearch } from '@strata/contracts/api';
import type { StartSearchBody, TrainingRunResponse } from './training-runs.dto';
import { TrainingRunsService } from './training-runs.service';
import { TRAINING_OPTIONS, type TrainingModuleOptions } from './training.constants';

/** Answer of `GET /training-searches/{searchId}` (every trial as a training run, in trial order): declared once, in the API contracts. */
export type TrainingSearchResponse = TrainingSearch & { trials: TrainingRunResponse[] };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Hyperparameter searches: the search row and one `training_run` row per trial (with
 * `parent_search_id`) are written in one transaction, then `hyperparameterSearchWorkflow`
 * starts with id `search:<modelName>:<requestId>` (the same request twice runs once).
 */
@Injectable()
export class TrainingSearchesService {
  private readonly logger = new Logger('TrainingSearches');

  constructor(
    @Inject(TRAINING_OPTIONS) private readonly options: TrainingModuleOptions,
    private readonly database: DatabaseService,
    private readonly temporal: TemporalClientService,
    private readonly runs: TrainingRunsService,
  ) {}

  /**
   * Generates the trials (grid / seeded random), validates each trial's params against the
   * trainer, records the search and its trial runs, and starts the workflow.
   * @throws InvalidArgumentError (400) for a bad space, trainer or trial params; UnavailableError
   *   (503) when PostgreSQL/Temporal is down (nothing is left written).
   */
  async start(body: StartSearchBody, triggeredBy?: string): Promise<StartTrainingSearchResponse> {
    this.runs.checkTrainer(body.trainer);
    const { search, ...base } = body;
    const combos = generateTrials(search.space, search.strategy, search.maxTrials, search.seed ?? 0);
    const fixed = base.params as Record<string, number | string | boolean>;
    const trialsParams = combos.map((c) => ({ ...fixed, ...c }));
    if (base.trainer === 'logistic_regression') {
      trialsParams.forEach((p, i) => {
        const r = LogisticRegressionParamsSchema.safeParse(p);
        if (!r.success) throw new InvalidArgumentError(`search trial ${i} params ${JSON.stringify(p)} are invalid for logistic_regression: ${r.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ')}`);
      });
    }
    this.temporal.getClient(); // 503 before anything is written
    const ds = this.database.getDataSource();
    const requestId = base.requestId ?? randomUUID();
    const searchId = trainingRunId(base.modelName, `search:${requestId}`);
    const workflowId = searchWorkflowId(base.modelName, requestId);
    const trials = trialsParams.map((params, index) => {
      const trialRequestId = `${requestId}:trial-${index}`;
      return { index, runId: trainingRunId(base.modelName, trialRequestId), requestId: trialRequestId, params };
    });
    const existing = await ds.getRepository(TrainingSearchEntity).findOneBy({ searchId });
    if (existing && existing.status !== 'RUNNING') {
      return { searchId, workflowId, requestId, status: existing.status, alreadyExists: true, trials: trials.map(({ runId, params }) => ({ runId, params })) };
    }
    if (!existing) {
      await ds.transaction(async (m) => {
        await m.createQueryBuilder().insert().into(TrainingSearchEntity).values({
          searchId,
          workflowId,
          modelName: base.modelName,
          requestId,
          status: 'RUNNING',
          strategy: search.strategy,
          metric: search.metric,
          direction: search.direction,
          parallelism: search.parallelism,
          spec: { ...search, base } as Record<string, unknown>,
          trialCount: trials.length,
        } as never).orIgnore().execute();
        for (const t of trials) {
          await m.createQueryBuilder().insert().into(TrainingRunEntity).values({
            runId: t.runId,
            workflowId: trainModelWorkflowId(base.modelName, t.requestId),
            modelName: base.modelName,
            requestId: t.requestId,
            status: TrainingRunStatus.RUNNING,
            step: 'pending',
            trainer: base.trainer,
            trainingSet: base.trainingSet,
            reason: 'manual',
            params: t.params,
            evaluation: base.evaluation,
            datasetVersions: base.trainDatasetVersions,
            parentSearchId: searchId,
            triggeredBy: triggeredBy ?? null,
          } as never).orIgnore().execute();
        }
      });
    }
    const input: HyperparameterSearchInput = {
      searchId,
      modelName: base.modelName,
      requestId,
      metric: search.metric,
      direction: search.direction,
      parallelism: search.parallelism,
      trials,
      base: {
        modelName: base.modelName,
        trainer: base.trainer as TrainModelInput['trainer'],
        trainingSet: base.trainingSet,
        trainDatasetVersions: base.trainDatasetVersions,
        evaluation: base.evaluation,
        reason: 'manual',
        ...(this.options.runTimeouts ? { timeouts: this.options.runTimeouts } : {}),
      },
    };
    try {
      await this.temporal.call(`start of workflow '${workflowId}'`, (c) =>
        c.workflow.start(hyperparameterSearchWorkflow, {
          taskQueue: this.options.taskQueue ?? TRAINING_TASK_QUEUE,
          workflowId,
          args: [input],
          workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
          memo: { searchId, modelName: base.modelName },
        }),
      );
      this.logger.log({ searchId, workflowId, trials: trials.length }, 'hyperparameter search started');
    } catch (e) {
      if (!(e instanceof WorkflowExecutionAlreadyStartedError)) {
        if (!existing) {
          await ds.transaction(async (m) => {
            await m.getRepository(TrainingRunEntity).delete({ parentSearchId: searchId, status: TrainingRunStatus.RUNNING });
            await m.getRepository(TrainingSearchEntity).delete({ searchId, status: 'RUNNING' });
          });
        }
        throw new UnavailableError(`Could not start search workflow '${workflowId}': ${e instanceof Error ? e.message : String(e)}`, { cause: e });
      }
    }
    return { searchId, workflowId, requestId, status: 'RUNNING', alreadyExists: !!existing, trials: trials.map(({ runId, params }) => ({ runId, params })) };
  }

  /**
   * The search with every trial run.
   * @throws InvalidArgumentError for a non-UUID id; NotFoundError when unknown.
   */
  async get(searchId: string): Promise<TrainingSearchResponse> {
    if (!UUID.test(searchId)) throw new InvalidArgumentError(`searchId '${searchId}' is not a UUID`);
    const row = await this.database.getDataSource().getRepository(TrainingSearchEntity).findOneBy({ searchId });
    if (!row) throw new NotFoundError(`Training search '${searchId}' not found`);
    const trials = (await this.runs.list(undefined, 500, searchId)).sort((a, b) => trialIndex(a.requestId) - trialIndex(b.requestId));
    return toSearchResponse(row, trials);
  }

  /** Newest searches first, optionally of one model (trials omitted; max 500). */
  async list(modelName: string | undefined, limit = 50): Promise<TrainingSearch[]> {
    const rows = await this.database.getDataSource().getRepository(TrainingSearchEntity).find({ where: modelName ? { modelName } : {}, order: { createdAt: 'DESC' }, take: Math.min(Math.max(limit, 1), 500) });
    return rows.map((r) => {
      const { trials: _trials, ...rest } = toSearchResponse(r, []);
      return rest;
    });
  }
}

function trialIndex(requestId: string): number {
  const m = /:trial-(\d+)$/.exec(requestId);
  return m ? Number(m[1]) : Number.MAX_SAFE_INTEGER;
}

function toSearchResponse(row: TrainingSearchEntity, trials: TrainingRunResponse[]): TrainingSearchResponse {
  return {
    searchId: row.searchId,
    workflowId: row.workflowId,
    modelName: row.modelName,
    requestId: row.requestId,
    status: row.status,
    strategy: row.strategy,
    metric: row.metric,
    direction: row.direction,
    parallelism: row.parallelism,
    trialCount: row.trialCount,
    completedTrials: row.completedTrials,
    failedTrials: row.failedTrials,
    bestRunId: row.bestRunId,
    bestMetric: row.bestMetric,
    modelVersion: row.modelVersion,
    error: row.errorCode || row.errorMessage ? { code: row.errorCode ?? 'INTERNAL', message: row.errorMessage ?? '' } : null,
    spec: row.spec,
    createdAt: row.createdAt.toISOString(),
    finishedAt: row.finishedAt ? row.finishedAt.toISOString() : null,
    trials,
  };
}
