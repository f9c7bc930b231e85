import path from 'node:path';
import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { EventPublisher } from '@strata/messaging';
import { OBJECT_STORE, type ObjectStore } from '@strata/shared/data-access-object-store';
import { DatabaseService } from '@strata/shared/nest-platform';
import { stopSupervisedWorker, superviseWorker, type SupervisedWorkerHandles } from '@strata/shared/util-temporal';
import { createTrainingActivities, type ActivityLogger } from '@strata/training/activities';
import { TRAINING_TASK_QUEUE, type RetrainingActivities, type SearchActivities, type TrainingActivities } from '@strata/training/workflows';
import { RetrainingService } from './retraining.service';
import { TRAINING_OPTIONS, type TrainingModuleOptions } from './training.constants';

/**
 * The worker's `workflowsPath`: `libs/training/workflows/src/workflows` (`.ts` from source,
 * `.js` in the `dist/training` build, which keeps the same layout). The workflow code imports
 * only relative files and `@temporalio/workflow`, so the bundler needs no `@strata/*` aliases.
 */
export function trainingWorkflowsPath(): string {
  return require.resolve(path.resolve(__dirname, '../../../workflows/src/workflows'));
}

function activityLogger(logger: Logger): ActivityLogger {
  return {
    log: (m, c) => logger.log(c ?? {}, m),
    warn: (m, c) => logger.warn(c ?? {}, m),
    error: (m, c) => logger.error(c ?? {}, m),
  };
}

/**
 * Runs the Temporal worker of the training task queue in this process (when
 * `TRAINING_WORKER_ENABLED`): started at application bootstrap once PostgreSQL is ready and
 * Temporal answers (retrying in the background, so boot never blocks), shut down gracefully
 * before the application shuts down (running activities are cancelled and awaited, then the
 * native connection closes).
 */
@Injectable()
export class TrainingWorkerService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('TrainingWorker');
  private readonly handles: SupervisedWorkerHandles = {};
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    @Inject(TRAINING_OPTIONS) private readonly options: TrainingModuleOptions,
    private readonly dataSource: DataSource,
    private readonly database: DatabaseService,
    private readonly publisher: EventPublisher,
    @Inject(OBJECT_STORE) private readonly objectStore: ObjectStore,
    private readonly retraining: RetrainingService,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.options.workerEnabled) {
      this.logger.log('Temporal worker disabled (TRAINING_WORKER_ENABLED=false)');
      return;
    }
    this.running = this.startLoop();
  }

  private async startLoop(): Promise<void> {
    await this.database.whenReady();
    const taskQueue = this.options.taskQueue ?? TRAINING_TASK_QUEUE;
    // Compile-time check that the activities implement the workflow's activity contract.
    const activities: TrainingActivities & SearchActivities & RetrainingActivities = createTrainingActivities({
      featuresUrl: this.options.featuresUrl,
      registryUrl: this.options.registryUrl,
      ingestionUrl: this.options.ingestionUrl,
      objectStore: this.objectStore,
      dataSource: this.dataSource,
      publisher: this.publisher,
      logger: activityLogger(new Logger('TrainingActivities')),
      codeVersion: this.options.codeVersion,
      commandTrainers: this.options.commandTrainers,
      triggerRetraining: (input) => this.retraining.trigger(input),
    });
    await superviseWorker(this.handles, {
      address: this.options.temporalAddress,
      namespace: this.options.temporalNamespace,
      worker: {
        taskQueue,
        workflowsPath: trainingWorkflowsPath(),
        activities: { ...activities },
        shutdownGraceTime: '10 seconds',
        // Heartbeats reach the server at least every 2 s, so a cancellation reaches a running
        // trainer (and kills an external trainer's process) within ~2 s, not 80% of the heartbeat timeout.
        maxHeartbeatThrottleInterval: '2 seconds',
      },
      isStopped: () => this.stopped,
      delay: () => new Promise((r) => setTimeout(r, this.options.retryDelayMs ?? 2000)),
      onStarted: () => this.logger.log({ taskQueue, namespace: this.options.temporalNamespace }, 'Temporal worker started'),
      onStopped: () => this.logger.log({ taskQueue }, 'Temporal worker stopped'),
      onFailed: (attempt, err) => this.logger.error({ attempt, err }, 'Temporal worker failed, restarting'),
    });
  }

  /** Worker state (`RUNNING`, `STOPPED`, …) or `NOT_STARTED`. */
  state(): string {
    return this.handles.worker?.getState() ?? 'NOT_STARTED';
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    // Waits until running activities finished or were cancelled (bounded by shutdownGraceTime).
    await stopSupervisedWorker(this.handles, this.running);
  }
}
