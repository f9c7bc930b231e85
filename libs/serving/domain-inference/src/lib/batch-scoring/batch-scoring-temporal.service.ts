import path from 'node:path';
import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { Client, Connection } from '@temporalio/client';
import { DataSource } from 'typeorm';
import type { BatchScoringActivities } from '@strata/serving/workflows';
import { OBJECT_STORE, type ObjectStore } from '@strata/shared/data-access-object-store';
import { DatabaseService } from '@strata/shared/nest-platform';
import { UnavailableError } from '@strata/shared/util-errors';
import { DEFAULT_TEMPORAL_RPC_TIMEOUT_MS, stopSupervisedWorker, superviseWorker, withTemporalDeadline, type SupervisedWorkerHandles } from '@strata/shared/util-temporal';
import { RegistryClient } from '../registry.client';
import { SERVING_OPTIONS, type ServingOptions } from '../serving.constants';
import { createBatchScoringActivities } from './batch-scoring.activities';
import { BATCH_SCORING_OPTIONS, type BatchScoringOptions } from './batch-scoring.options';

/**
 * The worker's `workflowsPath`: `libs/serving/workflows/src/workflows` (the workflow code
 * imports only relative files and `@temporalio/workflow`, so the bundler needs no aliases).
 */
export function servingWorkflowsPath(): string {
  return require.resolve(path.resolve(__dirname, '../../../../workflows/src/workflows'));
}

/**
 * Temporal for batch scoring: the client (connected in the background with retries; calls
 * while Temporal is down → 503) and, when `workerEnabled`, the in-process worker of
 * `SERVING_TASK_QUEUE` running `batchScoringWorkflow` and its activities. Inference never
 * waits for Temporal; shutdown stops the worker gracefully (running chunks are cancelled and
 * retried elsewhere/later from the last finished chunk).
 */
@Injectable()
export class BatchScoringTemporalService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('BatchScoringTemporal');
  private client: Client | undefined;
  private connection: Connection | undefined;
  private readonly workerHandles: SupervisedWorkerHandles = {};
  private workerRun: Promise<void> | undefined;
  private lastError = 'not connected yet';
  private stopped = false;
  private closeActivities: (() => Promise<void>) | undefined;

  constructor(
    @Inject(BATCH_SCORING_OPTIONS) private readonly options: BatchScoringOptions,
    @Inject(SERVING_OPTIONS) private readonly serving: ServingOptions,
    @Inject(OBJECT_STORE) private readonly store: ObjectStore,
    private readonly dataSource: DataSource,
    private readonly database: DatabaseService,
    private readonly registry: RegistryClient,
  ) {}

  onApplicationBootstrap(): void {
    void this.connectLoop();
    if (this.options.workerEnabled) this.workerRun = this.workerLoop();
    else this.logger.log('batch scoring worker disabled (SERVING_WORKER_ENABLED=false)');
  }

  /** The Temporal client, or `UnavailableError` (503) while Temporal is unreachable. */
  getClient(): Client {
    if (!this.client) throw new UnavailableError(`Temporal is not available at ${this.options.temporalAddress}: ${this.lastError}`);
    return this.client;
  }

  /**
   * Runs one client call of a request path under the RPC deadline (`temporalRpcTimeoutMs`,
   * default 10 s): 503 naming Temporal when it does not answer, instead of an endless wait.
   * @throws UnavailableError when Temporal is not connected, unreachable or too slow
   */
  call<T>(what: string, fn: (c: Client) => Promise<T>): Promise<T> {
    return withTemporalDeadline(this.getClient(), this.options.temporalAddress, this.options.temporalRpcTimeoutMs ?? DEFAULT_TEMPORAL_RPC_TIMEOUT_MS, what, fn);
  }

  /** Worker state (`RUNNING`, …) or `NOT_STARTED`. */
  workerState(): string {
    return this.workerHandles.worker?.getState() ?? 'NOT_STARTED';
  }

  private delay(): Promise<void> {
    return new Promise((r) => setTimeout(r, this.options.retryDelayMs ?? 2000));
  }

  private async connectLoop(): Promise<void> {
    for (let attempt = 1; !this.stopped; attempt++) {
      try {
        const connection = await Connection.connect({ address: this.options.temporalAddress, connectTimeout: 5000 });
        await connection.workflowService.describeNamespace({ namespace: this.options.temporalNamespace });
        if (this.stopped) {
          await connection.close();
          return;
        }
        this.connection = connection;
        this.client = new Client({ connection, namespace: this.options.temporalNamespace });
        this.logger.log({ address: this.options.temporalAddress, attempt }, 'connected to Temporal');
        return;
      } catch (e) {
        this.lastError = e instanceof Error ? e.message : String(e);
        this.logger.error({ address: this.options.temporalAddress, attempt, err: this.lastError }, 'Temporal not available, retrying');
        await this.delay();
      }
    }
  }

  private async workerLoop(): Promise<void> {
    await this.database.whenReady();
    const created = createBatchScoringActivities({
      store: this.store,
      dataSource: this.dataSource,
      registry: this.registry,
      ingestionUrl: this.options.ingestionUrl,
      httpTimeoutMs: this.serving.httpTimeoutMs,
      ortThreads: this.serving.ortThreads,
      ortInterOpThreads: this.serving.ortInterOpThreads,
      chunkRows: this.options.chunkRows,
      registryUrl: this.serving.registryUrl, // issue 18: dataset versions scored on the model's features
      featuresUrl: this.serving.featuresUrl,
    });
    this.closeActivities = () => created.close();
    // Compile-time check that the activities implement the workflow's contract.
    const activities: BatchScoringActivities = created;
    await superviseWorker(this.workerHandles, {
      address: this.options.temporalAddress,
      namespace: this.options.temporalNamespace,
      worker: {
        taskQueue: this.options.taskQueue,
        workflowsPath: servingWorkflowsPath(),
        activities: {
          prepareBatchScoring: activities.prepareBatchScoring,
          scoreChunk: activities.scoreChunk,
          finalizeBatchScoring: activities.finalizeBatchScoring,
          recordBatchScoringFailed: activities.recordBatchScoringFailed,
          recordBatchScoringCancelled: activities.recordBatchScoringCancelled,
        },
        maxConcurrentActivityTaskExecutions: 2,
        shutdownGraceTime: '10 seconds',
      },
      isStopped: () => this.stopped,
      delay: () => this.delay(),
      onStarted: () => this.logger.log({ taskQueue: this.options.taskQueue }, 'batch scoring worker started'),
      onStopped: () => this.logger.log({ taskQueue: this.options.taskQueue }, 'batch scoring worker stopped'),
      onFailed: (attempt, err) => this.logger.error({ attempt, err }, 'batch scoring worker failed, restarting'),
    });
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await stopSupervisedWorker(this.workerHandles, this.workerRun);
    await this.closeActivities?.().catch(() => undefined);
    await this.connection?.close().catch(() => undefined);
  }
}
