import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { ModelAliasChangedV1 } from '@strata/contracts';
import { ConsumeEvent, type EventContext } from '@strata/messaging';
import { AppError } from '@strata/shared/util-errors';
import { ModelRepository } from './model-repository';
import { RegistryClient } from './registry.client';

/**
 * Follows registry alias changes (every replica: a broadcast consumer, group `<group>.<instance>`): on `strata.registry.model-alias-changed.v1` resolves the new
 * version from the registry (`GET /registered-models/{m}/versions/{v}`) and loads/swaps it for
 * that alias, or unsets the alias when `toVersion` is null.
 *
 * - A version that cannot be served (sha256 mismatch, bad ONNX, unknown) is logged and
 *   reported in the version's status; the alias keeps its previous version.
 * - A transient failure (registry or object store unavailable) does not dead-letter the
 *   change: the event is acknowledged and the change is re-applied in the background with
 *   backoff (1 s doubling to 30 s) until it succeeds or a newer change for the same alias
 *   supersedes it.
 */
@Injectable()
export class ModelAliasConsumer implements OnApplicationShutdown {
  private readonly logger = new Logger('ModelAliasConsumer');
  /** Latest change per `model\u0000alias` still to apply. */
  private readonly pending = new Map<string, { event: ModelAliasChangedV1; delayMs: number; timer?: NodeJS.Timeout }>();
  private stopped = false;

  constructor(
    private readonly repository: ModelRepository,
    private readonly registry: RegistryClient,
  ) {}

  // broadcast: every serving replica loads the models it serves (per-process state)
  @ConsumeEvent(ModelAliasChangedV1, { broadcast: true })
  async onAliasChanged(event: ModelAliasChangedV1, ctx: EventContext): Promise<void> {
    const key = `${event.modelName}\u0000${event.alias}`;
    const previous = this.pending.get(key);
    if (previous?.timer) clearTimeout(previous.timer);
    this.pending.delete(key);
    await this.apply(event, ctx.eventId);
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    for (const p of this.pending.values()) if (p.timer) clearTimeout(p.timer);
    this.pending.clear();
  }

  private async apply(event: ModelAliasChangedV1, ceId?: string): Promise<void> {
    const log = { model: event.modelName, alias: event.alias, fromVersion: event.fromVersion, toVersion: event.toVersion, ceId };
    if (event.toVersion === null) {
      this.repository.unsetAlias(event.modelName, event.alias);
      return;
    }
    try {
      const descriptor = await this.registry.getVersion(event.modelName, event.toVersion);
      await this.repository.load(descriptor, { alias: event.alias });
      this.logger.log(log, 'alias change applied');
    } catch (err) {
      if (err instanceof AppError && !err.retryable) {
        this.logger.error({ ...log, err: err.message, code: err.code }, 'alias change not applied: version cannot be served');
        return;
      }
      this.retryLater(event, (err as Error).message);
    }
  }

  private retryLater(event: ModelAliasChangedV1, reason: string): void {
    if (this.stopped) return;
    const key = `${event.modelName}\u0000${event.alias}`;
    const current = this.pending.get(key);
    if (current && current.event !== event) return; // superseded by a newer change
    const delayMs = Math.min(30_000, current ? current.delayMs * 2 : 1000);
    const entry: { event: ModelAliasChangedV1; delayMs: number; timer?: NodeJS.Timeout } = { event, delayMs };
    entry.timer = setTimeout(() => {
      if (this.pending.get(key) !== entry) return;
      void this.apply(event).then(() => {
        if (this.pending.get(key) === entry && !entry.timer) this.pending.delete(key);
      });
      entry.timer = undefined;
    }, delayMs);
    entry.timer.unref();
    this.pending.set(key, entry);
    this.logger.warn({ model: event.modelName, alias: event.alias, toVersion: event.toVersion, retryInMs: delayMs, err: reason }, 'alias change not applied yet, will retry');
  }
}
