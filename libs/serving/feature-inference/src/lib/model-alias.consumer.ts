import { Injectable, Logger } from '@nestjs/common';
import { ModelAliasChangedV1 } from '@strata/contracts';
import { ConsumeEvent, type EventContext } from '@strata/messaging';
import { AppError } from '@strata/shared/util-errors';
import { ModelRepository } from './model-repository';
import { RegistryClient } from './registry.client';

/**
 * Follows registry alias changes: on `strata.registry.model-alias-changed.v1` resolves the new
 * version from the registry and loads/swaps it for that alias (or unsets the alias when
 * `toVersion` is null). A refused or unloadable artifact (non-retryable) is logged and reported
 * in the version's status, and the event is acknowledged (the alias keeps its previous
 * version); a retryable failure (registry or object store unavailable) is thrown so messaging
 * retries it with backoff (then dead-letters it).
 */
@Injectable()
export class ModelAliasConsumer {
  private readonly logger = new Logger('ModelAliasConsumer');

  constructor(
    private readonly repository: ModelRepository,
    private readonly registry: RegistryClient,
  ) {}

  @ConsumeEvent(ModelAliasChangedV1)
  async onAliasChanged(event: ModelAliasChangedV1, ctx: EventContext): Promise<void> {
    const log = { model: event.modelName, alias: event.alias, fromVersion: event.fromVersion, toVersion: event.toVersion, ceId: ctx.eventId };
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
      throw err;
    }
  }
}
