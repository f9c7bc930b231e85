import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { ModelRolloutChangedV1 } from '@strata/contracts';
import { ConsumeEvent, type EventContext } from '@strata/messaging';
import { resolveDescriptor, type FactsSource } from './event-facts';
import { LatestChangeApplier } from './latest-change-applier';
import { ModelRepository } from './model-repository';
import { RegistryClient } from './registry.client';

/**
 * Follows registry rollouts (`strata.registry.model-rollout-changed.v1`) and applies each
 * event's `route` AS A WHOLE — never merged with an earlier one, so a new canary after a
 * rollback starts from its own route only:
 *
 * - `route: null` → the route is cleared; the `champion` alias answers everything (rollback,
 *   promotion, end).
 * - otherwise both route versions are loaded (sha256-verified) without an alias, then the route
 *   is switched in one synchronous assignment. Their artifacts come from the event's
 *   `routeVersionFacts`; only a version the event carries no facts for is asked of the registry
 *   (`GET /registered-models/{m}/versions/{v}`: events published before the facts existed, and
 *   the rollout active at start, see ModelBootstrapService).
 *
 * Events of one model arrive in order (key = model name). Failures follow serving's one retry
 * policy ({@link LatestChangeApplier}, key = model), as alias changes do: a version that cannot
 * be served (sha256 mismatch, bad ONNX, unknown) is logged and the previous route stays; a
 * transient failure (object store or registry down) is re-applied in the background (1 s
 * doubling to 30 s) until it succeeds or a newer change of the model supersedes it.
 */
@Injectable()
export class ModelRolloutConsumer implements OnApplicationShutdown {
  private readonly logger = new Logger('ModelRolloutConsumer');
  private readonly applier = new LatestChangeApplier<ModelRolloutChangedV1 & { ceId?: string }>(
    'rollout change',
    this.logger,
    (event, isCurrent) => this.applyNow(event, isCurrent),
    (e) => ({ model: e.modelName, rolloutId: e.rolloutId, action: e.action, route: e.route, actor: e.actor, ceId: e.ceId }),
  );

  constructor(
    private readonly repository: ModelRepository,
    private readonly registry: RegistryClient,
  ) {}

  // broadcast: every serving replica routes its own traffic (per-process state)
  @ConsumeEvent(ModelRolloutChangedV1, { broadcast: true })
  async onRolloutChanged(event: ModelRolloutChangedV1, ctx: EventContext): Promise<void> {
    await this.apply(event, ctx.eventId);
  }

  /** Applies one rollout change under the retry policy (also used at start); resolves after the first attempt. */
  async apply(event: ModelRolloutChangedV1, ceId?: string): Promise<void> {
    await this.applier.submit(event.modelName, { ...event, ceId });
  }

  onApplicationShutdown(): void {
    this.applier.stop();
  }

  private async applyNow(event: ModelRolloutChangedV1 & { ceId?: string }, isCurrent: () => boolean): Promise<void> {
    const log = { model: event.modelName, rolloutId: event.rolloutId, action: event.action, route: event.route, actor: event.actor, ceId: event.ceId };
    const route = event.route;
    if (route === null) {
      this.repository.setRoute(event.modelName, null);
      this.logger.log(log, 'rollout change applied');
      return;
    }
    const sources: FactsSource[] = [];
    for (const version of [route.championVersion, route.challengerVersion]) {
      if (this.repository.loadedVersions(event.modelName).includes(version)) continue;
      const { descriptor, source } = await resolveDescriptor(this.registry, event.modelName, version, event.routeVersionFacts);
      sources.push(source);
      if (!isCurrent()) return; // superseded meanwhile
      await this.repository.load(descriptor, { alias: null });
    }
    if (!isCurrent()) return; // superseded meanwhile
    this.repository.setRoute(event.modelName, { rolloutId: event.rolloutId, ...route });
    this.logger.log({ ...log, factsFrom: sources }, 'rollout change applied');
  }
}
