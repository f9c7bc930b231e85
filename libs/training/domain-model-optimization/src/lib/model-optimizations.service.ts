import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { ModelOptimization, StartModelOptimization } from '@strata/contracts/api';
import { AppError, ErrorCode, NotFoundError, UnavailableError } from '@strata/shared/util-errors';
import { optimizeModelVersion, type OptimizationPorts } from './optimize-model-version';
import { MODEL_OPTIMIZATION_OPTIONS, MODEL_OPTIMIZATION_PORTS, type ModelOptimizationModuleOptions } from './model-optimization.constants';

/** Jobs kept for `GET /model-optimizations/{id}` (the oldest finished ones are dropped first). */
const KEPT_JOBS = 200;

/**
 * Model optimization jobs of this process: started by `POST /model-optimizations`, run ONE AT A
 * TIME in the background (each is CPU-bound: the tool, then both models scored and timed), every
 * phase bounded (`toolTimeoutMs` for the tool, `latencyRows` for the timing; the registry calls have
 * the client's 30 s deadline). Progress and outcome are read with `GET /model-optimizations/{id}`.
 *
 * Kept in memory: a restart forgets the jobs (GET → 404), and one that was running leaves nothing
 * behind (registration is its last, single call; a stored but unregistered child artifact is only
 * a file). At shutdown a running tool is killed.
 */
@Injectable()
export class ModelOptimizationsService implements OnApplicationShutdown {
  private readonly logger = new Logger('ModelOptimizations');
  private readonly jobs = new Map<string, ModelOptimization>();
  private readonly finished = new Map<string, Promise<void>>();
  private queue: Promise<void> = Promise.resolve();
  private readonly shutdown = new AbortController();

  constructor(
    @Inject(MODEL_OPTIMIZATION_OPTIONS) private readonly options: ModelOptimizationModuleOptions,
    @Inject(MODEL_OPTIMIZATION_PORTS) private readonly ports: Omit<OptimizationPorts, 'tool'>,
  ) {}

  /**
   * Queues an optimization and returns its job (status RUNNING, step `queued`).
   * @throws UnavailableError (503) when the optimizer is not configured (`TRAINING_OPTIMIZER_PYTHON`)
   *   or `maxQueued` jobs are already waiting
   */
  start(body: StartModelOptimization): ModelOptimization {
    if (!this.options.python) throw new UnavailableError('model optimization is not configured: set TRAINING_OPTIMIZER_PYTHON to a python with tools/python/model-optimize.requirements.txt installed');
    const waiting = [...this.jobs.values()].filter((j) => j.status === 'RUNNING').length;
    if (waiting >= this.options.maxQueued) throw new UnavailableError(`${waiting} model optimizations are already running or queued (at most ${this.options.maxQueued}); try again later`);
    const request = { ...body, maxAccuracyDrop: body.maxAccuracyDrop ?? this.options.defaultMaxAccuracyDrop };
    const job: ModelOptimization = { id: randomUUID(), status: 'RUNNING', request, progress: 0, step: 'queued', result: null, error: null, createdAt: new Date().toISOString(), finishedAt: null };
    this.jobs.set(job.id, job);
    this.trim();
    const done = this.queue.then(() => this.run(job));
    this.finished.set(job.id, done);
    this.queue = done;
    return { ...job };
  }

  /** @throws NotFoundError (404) unknown id (or forgotten: restart, or more than 200 newer jobs) */
  get(id: string): ModelOptimization {
    const job = this.jobs.get(id);
    if (!job) throw new NotFoundError(`Model optimization '${id}' not found (jobs are kept in memory by the training process that started them)`);
    return { ...job };
  }

  /**
   * The job once it finished, or as it is after `timeoutMs` (still RUNNING).
   * @throws NotFoundError (404) unknown id
   */
  async waitFor(id: string, timeoutMs: number): Promise<ModelOptimization> {
    const done = this.finished.get(id);
    if (done && timeoutMs > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([done, new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
      clearTimeout(timer);
    }
    return this.get(id);
  }

  /** Resolves when every queued job has finished (tests, shutdown). */
  idle(): Promise<void> {
    return this.queue;
  }

  onApplicationShutdown(): void {
    this.shutdown.abort();
  }

  private async run(job: ModelOptimization): Promise<void> {
    const req = job.request as StartModelOptimization & { maxAccuracyDrop: number };
    try {
      if (this.shutdown.signal.aborted) throw new UnavailableError('the training service is shutting down');
      const tool = { python: this.options.python!, script: this.options.script, timeoutMs: this.options.toolTimeoutMs, signal: this.shutdown.signal };
      const result = await optimizeModelVersion({ ...this.ports, tool }, req, (progress, step) => {
        job.progress = progress;
        job.step = step;
      });
      job.result = result;
      job.status = 'SUCCEEDED';
      this.logger.log({ id: job.id, model: req.modelName, parent: req.version, child: result.child.version, decision: result.decision.reason }, 'model optimization registered a child version');
    } catch (e) {
      const err = e instanceof AppError ? e : new AppError(ErrorCode.INTERNAL, e instanceof Error ? e.message : String(e));
      job.status = err.code === ErrorCode.CONFLICT && err.details?.['margins'] !== undefined ? 'REFUSED' : 'FAILED';
      job.error = { code: err.code, message: err.message, httpStatus: err.httpStatus, ...(err.details ? { details: err.details } : {}) };
      this.logger.warn({ id: job.id, model: req.modelName, version: req.version, status: job.status, error: err.message }, 'model optimization did not register a version');
    } finally {
      job.finishedAt = new Date().toISOString();
    }
  }

  private trim(): void {
    for (const [id, job] of this.jobs) {
      if (this.jobs.size <= KEPT_JOBS) break;
      if (job.status !== 'RUNNING') {
        this.jobs.delete(id);
        this.finished.delete(id);
      }
    }
  }
}
