import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { AppError } from '@strata/shared/util-errors';
import { ModelRepository } from './model-repository';
import { ModelRolloutConsumer } from './model-rollout.consumer';
import { RegistryClient } from './registry.client';
import { DEFAULT_ALIAS, SERVING_OPTIONS, type ServingOptions } from './serving.constants';

/**
 * At start, loads the `champion` of every model the registry knows (`GET /registered-models`,
 * then `GET /registered-models/{m}/aliases/champion`), in the background: process readiness
 * never waits for it. While the registry is unreachable the whole pass is retried with backoff
 * (1 s doubling to 30 s); a model whose champion cannot be served (sha256 mismatch, bad ONNX)
 * is reported in its status and not retried. A champion set meanwhile by an alias event wins
 * (`onlyIfAliasUnset`). The model's active rollout (`GET /models/{m}/rollouts/current`), if any,
 * is applied too.
 */
@Injectable()
export class ModelBootstrapService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ModelBootstrap');
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly repository: ModelRepository,
    private readonly registry: RegistryClient,
    private readonly rollouts: ModelRolloutConsumer,
    @Inject(SERVING_OPTIONS) private readonly options: Pick<ServingOptions, 'loadOnStart'>,
  ) {}

  onApplicationBootstrap(): void {
    if (this.options.loadOnStart === false) return;
    void this.run();
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private async run(): Promise<void> {
    let delay = 1000;
    while (!this.stopped) {
      try {
        await this.loadAll();
        return;
      } catch (err) {
        this.logger.warn({ err: (err as Error).message, retryInMs: delay }, 'loading champions at start failed, retrying');
        await new Promise<void>((resolve) => {
          this.timer = setTimeout(resolve, delay);
          this.timer.unref();
        });
        delay = Math.min(30_000, delay * 2);
      }
    }
  }

  /** One pass; throws when the registry is unreachable (retryable), so the pass is retried. */
  private async loadAll(): Promise<void> {
    const names = await this.registry.listModelNames();
    let pendingRetry: unknown;
    for (const name of names) {
      if (this.stopped) return;
      if (this.repository.aliasVersion(name, DEFAULT_ALIAS) !== undefined) continue;
      try {
        const descriptor = await this.registry.getAlias(name, DEFAULT_ALIAS);
        if (!descriptor) continue;
        await this.repository.load(descriptor, { alias: DEFAULT_ALIAS, onlyIfAliasUnset: true });
        // An active rollout at start: apply its route (a later rollout event replaces it as a whole).
        const rollout = await this.registry.getCurrentRollout(name);
        if (rollout && this.repository.routeOf(name) === undefined) {
          await this.rollouts.apply({ modelName: name, rolloutId: rollout.rolloutId, action: 'started', route: rollout.route, actor: 'serving:startup', reason: 'active at start', changedAt: new Date().toISOString() });
        }
      } catch (err) {
        if (err instanceof AppError && !err.retryable) {
          this.logger.error({ model: name, err: err.message }, 'champion cannot be served');
          continue;
        }
        pendingRetry = err;
      }
    }
    if (pendingRetry !== undefined) throw pendingRetry;
    this.logger.log({ models: names.length }, 'champions loaded at start');
  }
}
