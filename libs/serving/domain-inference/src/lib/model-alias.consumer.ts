import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { ModelAliasChangedV1 } from '@strata/contracts';
import { ConsumeEvent, type EventContext } from '@strata/messaging';
import { resolveDescriptor } from './event-facts';
import { LatestChangeApplier } from './latest-change-applier';
import { ModelRepository } from './model-repository';
import { RegistryClient } from './registry.client';

/**
 * Follows registry alias changes (every replica: a broadcast consumer, group `<group>.<instance>`):
 * on `strata.registry.model-alias-changed.v1` loads/swaps `toVersion` for that alias, or unsets
 * the alias when `toVersion` is null.
 *
 * - The artifact (URI + sha256) comes from the event's `toVersionFacts`; only an event without
 *   them (published before they existed) makes serving ask the registry
 *   (`GET /registered-models/{m}/versions/{v}`).
 * - Failures follow serving's one retry policy ({@link LatestChangeApplier}, key `model + alias`):
 *   a version that cannot be served (sha256 mismatch, bad ONNX, unknown) is logged and reported
 *   in the version's status, the alias keeps its previous version; a transient failure (object
 *   store or registry unavailable) is re-applied in the background (1 s doubling to 30 s) until
 *   it succeeds or a newer change of the same alias supersedes it.
 */
@Injectable()
export class ModelAliasConsumer implements OnApplicationShutdown {
  private readonly logger = new Logger('ModelAliasConsumer');
  private readonly applier = new LatestChangeApplier<ModelAliasChangedV1 & { ceId?: string }>(
    'alias change',
    this.logger,
    (event, isCurrent) => this.apply(event, isCurrent),
    (e) => ({ model: e.modelName, alias: e.alias, fromVersion: e.fromVersion, toVersion: e.toVersion, ceId: e.ceId }),
  );

  constructor(
    private readonly repository: ModelRepository,
    private readonly registry: RegistryClient,
  ) {}

  // broadcast: every serving replica loads the models it serves (per-process state)
  @ConsumeEvent(ModelAliasChangedV1, { broadcast: true })
  async onAliasChanged(event: ModelAliasChangedV1, ctx: EventContext): Promise<void> {
    await this.applier.submit(`${event.modelName}\u0000${event.alias}`, { ...event, ceId: ctx.eventId });
  }

  onApplicationShutdown(): void {
    this.applier.stop();
  }

  private async apply(event: ModelAliasChangedV1 & { ceId?: string }, isCurrent: () => boolean): Promise<void> {
    const log = { model: event.modelName, alias: event.alias, fromVersion: event.fromVersion, toVersion: event.toVersion, ceId: event.ceId };
    if (event.toVersion === null) {
      this.repository.unsetAlias(event.modelName, event.alias);
      return;
    }
    const facts = event.toVersionFacts ? [event.toVersionFacts] : undefined;
    const { descriptor, source } = await resolveDescriptor(this.registry, event.modelName, event.toVersion, facts);
    if (!isCurrent()) return; // superseded while the registry answered
    await this.repository.load(descriptor, { alias: event.alias });
    this.logger.log({ ...log, factsFrom: source }, 'alias change applied');
  }
}
