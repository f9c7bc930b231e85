import { Injectable, Logger } from '@nestjs/common';
import { ArtifactIntegrityFailedV1 } from '@strata/contracts';
import { EventPublisher } from '@strata/messaging';
import { DataSource } from 'typeorm';

/** What serving knows about a refused artifact (from the IntegrityError of `openVerifiedModel`). */
export interface RefusedArtifact {
  name: string;
  version: number;
  artifactUri: string;
  /** sha256 the registry recorded. */
  expectedSha256: string;
  /** sha256 of the bytes read. */
  actualSha256: string;
  /** Size of the bytes read, in bytes (null when unknown). */
  sizeBytes: number | null;
}

/**
 * Raises `strata.platform.artifact-integrity-failed.v1` when serving refuses to load a model
 * artifact whose sha256 does not match the registry: one event per refused load, published
 * through the serving outbox (`EventPublisher` in its own transaction on the service's
 * DataSource), so it reaches Kafka even if the broker is briefly away.
 */
@Injectable()
export class ArtifactIntegrityAlerts {
  private readonly logger = new Logger('ArtifactIntegrityAlerts');

  constructor(
    private readonly dataSource: DataSource,
    private readonly publisher: EventPublisher,
  ) {}

  /**
   * Records the alert for `refused`. Never throws: the refusal itself (IntegrityError, version
   * FAILED) is what callers act on; a failure to record the alert is logged.
   * @returns the published event, or null when it could not be recorded.
   */
  async raise(refused: RefusedArtifact): Promise<ArtifactIntegrityFailedV1 | null> {
    const event: ArtifactIntegrityFailedV1 = {
      service: 'serving',
      resourceType: 'model-version',
      resource: `${refused.name}@${refused.version}`,
      uri: refused.artifactUri,
      expectedSha256: refused.expectedSha256.toLowerCase(),
      actualSha256: refused.actualSha256,
      sizeBytes: refused.sizeBytes,
      reason: 'sha256-mismatch',
      detectedAt: new Date().toISOString(),
    };
    try {
      await this.dataSource.transaction((m) => this.publisher.publish(m, ArtifactIntegrityFailedV1, event));
      return event;
    } catch (err) {
      this.logger.error({ ...event, err: (err as Error).message }, 'model artifact refused; the integrity alert could not be recorded');
      return null;
    }
  }
}
