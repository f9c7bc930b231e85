import type { EventContract } from './define-event';
import { DatasetVersionCreatedV1 } from './events/ingestion/dataset-version-created.v1';
import { IngestRecordsV1 } from './events/ingestion/ingest-records.v1';
import { FeaturesMaterializedV1 } from './events/features/features-materialized.v1';
import { TrainingRequestedV1 } from './events/training/training-requested.v1';
import { TrainingRunCompletedV1 } from './events/training/training-run-completed.v1';
import { TrainingRunFailedV1 } from './events/training/training-run-failed.v1';
import { ModelAliasChangedV1 } from './events/registry/model-alias-changed.v1';
import { ModelVersionRegisteredV1 } from './events/registry/model-version-registered.v1';
import { ModelRolloutChangedV1 } from './events/registry/model-rollout-changed.v1';
import { PredictionLoggedV1 } from './events/serving/prediction-logged.v1';
import { InferenceFailedV1 } from './events/serving/inference-failed.v1';
import { DriftDetectedV1 } from './events/monitoring/drift-detected.v1';
import { FeedbackReceivedV1 } from './events/monitoring/feedback-received.v1';
import { PerformanceDegradedV1 } from './events/monitoring/performance-degraded.v1';
import { AuditRecordedV1 } from './events/platform/audit-recorded.v1';
import { ArtifactIntegrityFailedV1 } from './events/platform/artifact-integrity-failed.v1';

/** Any contract, with its schema erased (for registries and tooling). */
export type AnyEventContract = EventContract;

/**
 * Every event contract of the platform, in flow order. Tooling derives from it: topic
 * pre-creation (`generated/topics.json`), JSON Schemas, `docs/events.md`.
 */
export const ALL_EVENTS: readonly AnyEventContract[] = Object.freeze([
  IngestRecordsV1,
  DatasetVersionCreatedV1,
  FeaturesMaterializedV1,
  TrainingRequestedV1,
  TrainingRunCompletedV1,
  TrainingRunFailedV1,
  ModelVersionRegisteredV1,
  ModelAliasChangedV1,
  ModelRolloutChangedV1,
  PredictionLoggedV1,
  InferenceFailedV1,
  FeedbackReceivedV1,
  DriftDetectedV1,
  PerformanceDegradedV1,
  AuditRecordedV1,
  ArtifactIntegrityFailedV1,
] as AnyEventContract[]);

/** The contract of `topic`, or undefined when no contract has that topic. */
export function findContract(topic: string): AnyEventContract | undefined {
  return ALL_EVENTS.find((c) => c.topic === topic);
}
