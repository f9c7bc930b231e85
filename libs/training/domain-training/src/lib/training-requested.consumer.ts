import { Injectable, Logger } from '@nestjs/common';
import { TrainingRequestedV1 } from '@strata/contracts';
import { ConsumeEvent, type EventContext } from '@strata/messaging';
import { InvalidArgumentError } from '@strata/shared/util-errors';
import { StartTrainingRunBody } from './training-runs.dto';
import { TrainingRunsService } from './training-runs.service';

/** Trainer ids of `TrainingRequestedV1.trainer` that map to the built-in logistic regression. */
const LOGISTIC_REGRESSION_IDS = new Set(['logistic_regression', 'builtin:logistic_regression', 'builtin:logistic-regression', 'logistic-regression']);

/**
 * Consumes `strata.training.training-requested.v1` and starts the same workflow as
 * `POST /training-runs` (workflow id `train:<modelName>:<requestId>`, so a redelivered event
 * starts nothing twice; the run row is written in the inbox transaction).
 *
 * The event has no training-set name nor split time: `params.trainingSet` / `params.splitTime`
 * are used when present (and removed from the trainer params), else the model's latest run's
 * training set; the split defaults to the 80% time quantile. Without `datasetVersions` the
 * latest run's dataset versions are reused.
 * `trainer` may also be `command:<name>` (an external command trainer configured here).
 * Invalid requests throw `InvalidArgumentError` (non-retryable → dead-letter topic).
 */
@Injectable()
export class TrainingRequestedConsumer {
  private readonly logger = new Logger('TrainingRequestedConsumer');

  constructor(private readonly runs: TrainingRunsService) {}

  @ConsumeEvent(TrainingRequestedV1)
  async onTrainingRequested(event: TrainingRequestedV1, ctx: EventContext): Promise<void> {
    this.logger.log({ modelName: event.modelName, requestId: event.requestId, ceId: ctx.eventId, reason: event.reason }, 'training requested');
    const isCommand = /^command:[a-z0-9][a-z0-9_.-]{0,63}$/.test(event.trainer);
    if (!isCommand && !LOGISTIC_REGRESSION_IDS.has(event.trainer)) throw new InvalidArgumentError(`Unknown trainer '${event.trainer}' in training request '${event.requestId}'`);
    const { trainingSet: tsParam, splitTime, ...params } = event.params;
    const previous = await this.runs.latestRun(ctx.manager, event.modelName);
    const trainingSet = typeof tsParam === 'string' ? tsParam : previous?.trainingSet;
    const datasetVersions = event.datasetVersions?.map(({ datasetName, versionId }) => ({ datasetName, versionId })) ?? previous?.datasetVersions.map(({ datasetName, versionId }) => ({ datasetName, versionId }));
    if (!trainingSet) throw new InvalidArgumentError(`Training request '${event.requestId}' for '${event.modelName}' names no training set (params.trainingSet) and the model has no earlier run`);
    if (!datasetVersions?.length) throw new InvalidArgumentError(`Training request '${event.requestId}' for '${event.modelName}' names no dataset versions and the model has no earlier run`);
    const request = StartTrainingRunBody.safeParse({
      modelName: event.modelName,
      trainer: isCommand ? event.trainer : 'logistic_regression',
      params,
      trainingSet,
      trainDatasetVersions: datasetVersions,
      evaluation: typeof splitTime === 'string' ? { splitTime } : {},
      requestId: event.requestId,
      reason: event.reason,
    });
    if (!request.success) {
      throw new InvalidArgumentError(`Invalid training request '${event.requestId}': ${request.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    }
    // who asked (e.g. `monitoring`) is recorded on the run and its tracked run
    const started = await this.runs.start(request.data, ctx.manager, typeof event.requestedBy === 'string' && event.requestedBy ? event.requestedBy.slice(0, 256) : undefined);
    this.logger.log({ modelName: event.modelName, runId: started.runId, workflowId: started.workflowId, alreadyExists: started.alreadyExists }, 'training run started from event');
  }
}
