import { Injectable, Logger } from '@nestjs/common';
import { ModelRolloutChangedV1 } from '@strata/contracts';
import { ConsumeEvent, type EventContext } from '@strata/messaging';
import { AppError } from '@strata/shared/util-errors';
import { ModelRepository } from './model-repository';
import { RegistryClient } from './registry.client';

/**
 * Follows registry rollouts (`strata.registry.model-rollout-changed.v1`) and applies each
 * event's `route` AS A WHOLE — never merged with an earlier one, so a new canary after a
 * rollback starts from its own route only:
 *
 * - `route: null` → the route is cleared; the `champion` alias answers everything (rollback,
 *   promotion, end).
 * - otherwise both route versions are fetched from the registry
 *   (`GET /registered-models/{m}/versions/{v}`), loaded (sha256-verified) without an alias,
 *   then the route is switched in one synchronous assignment.
 *
 * Events of one model arrive in order (key = model name). A version that cannot be served
 * (sha256 mismatch, bad ONNX, unknown) is logged and the event acknowledged: the previous
 * route stays. Transient failures (registry/object store down) are thrown, so messaging retries
 * the event with backoff.
 */
@Injectable()
export class ModelRolloutConsumer {
  private readonly logger = new Logger('ModelRolloutConsumer');
  /** Latest event sequence per model: an older apply that finishes late is not applied. */
  private readonly latest = new Map<string, number>();
  private seq = 0;

  constructor(
    private readonly repository: ModelRepository,
    private readonly registry: RegistryClient,
  ) {}

  // broadcast: every serving replica routes its own traffic (per-process state)
  @ConsumeEvent(ModelRolloutChangedV1, { broadcast: true })
  async onRolloutChanged(event: ModelRolloutChangedV1, ctx: EventContext): Promise<void> {
    await this.apply(event, ctx.eventId);
  }

  /** Applies one rollout change (also used by tests and at start). */
  async apply(event: ModelRolloutChangedV1, ceId?: string): Promise<void> {
    const mine = ++this.seq;
    this.latest.set(event.modelName, mine);
    const log = { model: event.modelName, rolloutId: event.rolloutId, action: event.action, route: event.route, actor: event.actor, ceId };
    const route = event.route;
    if (route === null) {
      this.repository.setRoute(event.modelName, null);
      this.logger.log(log, 'rollout change applied');
      return;
    }
    try {
      for (const version of [route.championVersion, route.challengerVersion]) {
        if (this.repository.loadedVersions(event.modelName).includes(version)) continue;
        const descriptor = await this.registry.getVersion(event.modelName, version);
        await this.repository.load(descriptor, { alias: null });
      }
    } catch (err) {
      if (err instanceof AppError && !err.retryable) {
        this.logger.error({ ...log, err: err.message, code: err.code }, 'rollout change not applied: a route version cannot be served');
        return;
      }
      throw err;
    }
    if (this.latest.get(event.modelName) !== mine) return; // superseded meanwhile
    this.repository.setRoute(event.modelName, { rolloutId: event.rolloutId, ...route });
    this.logger.log(log, 'rollout change applied');
  }
}
