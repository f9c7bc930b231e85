import { Injectable, Logger } from '@nestjs/common';
import { ModelAliasChangedV1, ModelRolloutChangedV1, ModelVersionRegisteredV1, type ModelVersionFacts } from '@strata/contracts';
import { ConsumeEvent } from '@strata/messaging';
import { ReferenceProfileService } from './reference-profile.service';

/**
 * Takes the facts of model versions from the registry's events — reference profile (URI +
 * sha256) and metrics (the performance baseline) — so monitoring never has to ask the registry
 * for a version announced since it started: `model-version-registered` (its own fields),
 * `model-alias-changed` (`toVersionFacts`) and `model-rollout-changed` (`routeVersionFacts`).
 * An event without facts (published before they existed) adds nothing; the version is then
 * asked of the registry when first needed (ReferenceProfileService).
 *
 * Broadcast handlers (group `<group>.<instance>`): every replica keeps these facts in memory and
 * so must see every event. Recording them twice is harmless (versions are immutable).
 */
@Injectable()
export class ModelFactsConsumer {
  private readonly logger = new Logger('ModelFactsConsumer');

  constructor(private readonly profiles: ReferenceProfileService) {}

  @ConsumeEvent(ModelVersionRegisteredV1, { broadcast: true })
  async onVersionRegistered(event: ModelVersionRegisteredV1): Promise<void> {
    // events published before the reference profile was carried leave it undefined: ask the registry later
    if (event.referenceProfileUri === undefined) return;
    this.record(event.modelName, {
      version: event.version,
      metrics: event.metrics,
      referenceProfileUri: event.referenceProfileUri,
      referenceProfileSha256: event.referenceProfileSha256 ?? null,
    });
  }

  @ConsumeEvent(ModelAliasChangedV1, { broadcast: true })
  async onAliasChanged(event: ModelAliasChangedV1): Promise<void> {
    if (event.toVersionFacts) this.record(event.modelName, event.toVersionFacts);
  }

  @ConsumeEvent(ModelRolloutChangedV1, { broadcast: true })
  async onRolloutChanged(event: ModelRolloutChangedV1): Promise<void> {
    for (const facts of event.routeVersionFacts ?? []) this.record(event.modelName, facts);
  }

  private record(name: string, f: Pick<ModelVersionFacts, 'version' | 'metrics' | 'referenceProfileUri' | 'referenceProfileSha256'>): void {
    const sha256 = f.referenceProfileUri === null ? null : f.referenceProfileSha256;
    this.profiles.remember(name, { version: f.version, metrics: f.metrics, referenceProfileUri: f.referenceProfileUri, referenceProfileSha256: sha256 });
    this.logger.debug({ model: name, version: f.version, referenceProfileUri: f.referenceProfileUri }, 'model version facts recorded from the event');
  }
}
