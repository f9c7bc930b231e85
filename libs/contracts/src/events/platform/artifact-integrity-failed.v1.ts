import { z } from 'zod';
import { defineEvent } from '../../define-event';
import { Timestamp } from '../../primitives';

/**
 * `strata.platform.artifact-integrity-failed.v1`: an alert. A service refused to use an artifact
 * because its bytes do not hash to the sha256 the registry recorded (altered or truncated file),
 * or because the artifact is missing/unreadable where it must be verified.
 *
 * Producers: `serving` (a model version's ONNX artifact refused at load time; the version is not
 * served) and `registry` (a verified artifact download refused with 422 before the first byte).
 * Published through the producer's outbox, in its own transaction, once per refusal.
 *
 * Key: `resource` (`<model>@<version>`: the alerts of one artifact stay ordered).
 */
export const ArtifactIntegrityFailedV1 = defineEvent({
  domain: 'platform',
  event: 'artifact-integrity-failed',
  version: 1,
  description: 'A service refused an artifact whose sha256 does not match the registry (alert).',
  schema: z.object({
    /** The service that refused the artifact (`serving`, `registry`). */
    service: z.string().min(1).max(64),
    /** Kind of artifact, e.g. `model-version`. */
    resourceType: z.string().min(1).max(64),
    /** The artifact's owner, `<model>@<version>` for a model version. */
    resource: z.string().min(1).max(512),
    /** Where the artifact lives (`file://...`, `s3://...`). */
    uri: z.string().min(1).max(2048),
    /** Lowercase hex sha256 the registry recorded. */
    expectedSha256: z.string().regex(/^[0-9a-f]{64}$/),
    /** Lowercase hex sha256 of the bytes found; null when they could not be read (missing file). */
    actualSha256: z.string().regex(/^[0-9a-f]{64}$/).nullable(),
    /** Size of the bytes found, in bytes; null when unknown. */
    sizeBytes: z.number().int().min(0).nullable(),
    /** `sha256-mismatch` (altered or truncated bytes) or `missing` (no object at the URI). */
    reason: z.enum(['sha256-mismatch', 'missing']),
    /** When the refusal happened. */
    detectedAt: Timestamp,
  }),
  key: (v) => v.resource,
  keyDescription: 'resource (model@version)',
  producers: ['serving', 'registry'],
  consumers: ['external (alerting, SIEM)'],
});

/** Payload of {@link ArtifactIntegrityFailedV1}. */
export type ArtifactIntegrityFailedV1 = z.infer<typeof ArtifactIntegrityFailedV1.schema>;
