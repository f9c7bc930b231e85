/**
 * Domain objects of the registry, as the store returns them and the HTTP API serialises them.
 * Timestamps are ISO-8601 UTC strings.
 */

// The HTTP shapes of the registry are declared once, in the API contracts (inferred from zod).
import type { MetricValue, ModelVersionStatus } from '@strata/contracts/api';
export type { MetricValue, ModelVersion, RegisteredModel } from '@strata/contracts/api';
export type { ModelVersionStatus } from '@strata/contracts/api';
import type { ModelVersion } from '@strata/contracts/api';

/**
 * The fields of a {@link ModelVersion} that MLflow's `ModelVersion` JSON carries: everything but the
 * wide jsonb columns (signature, metrics, params, lineage) and the artifact/profile digests. What the
 * MLflow search paths read (`latest_versions`, `model-versions/search`), so that PostgreSQL neither
 * reads nor sends those columns.
 */
export type ModelVersionSummary = Pick<
  ModelVersion,
  'name' | 'version' | 'runId' | 'artifactUri' | 'servable' | 'notServableReason' | 'source' | 'sourceRunId' | 'currentStage' | 'status' | 'description' | 'tags' | 'aliases' | 'createdBy' | 'createdAt' | 'updatedAt'
>;

/** An alias and the version it points at. */
export interface ModelAlias {
  name: string;
  alias: string;
  version: number;
  updatedBy: string;
  updatedAt: string;
}

/** One change of an alias: set (`fromVersion` null), move, or delete (`toVersion` null): declared once, in the API contracts. */
export type { AliasChange } from '@strata/contracts/api';

/** Outcome of an audited action. */
export const AuditOutcome = { SUCCESS: 'success', NOOP: 'noop', REFUSED: 'refused' } as const;
export type AuditOutcome = (typeof AuditOutcome)[keyof typeof AuditOutcome];

/** One audit-log entry to append. */
export interface AuditEntry {
  actor: string;
  action: string;
  resource: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  requestId: string | null;
  outcome: AuditOutcome;
}

/** A stored audit-log entry. */
export interface AuditRecord extends AuditEntry {
  id: number;
  at: string;
}

/** Fields of a new model version row. */
export interface NewModelVersion {
  name: string;
  version: number;
  runId: string;
  workflowId: string | null;
  artifactUri: string;
  /** sha256 of the artifact; null for a non-servable source registered through the MLflow API. */
  artifactSha256: string | null;
  /** Whether Strata can serve it (ONNX with a tensor signature, in the artifact store). */
  servable?: boolean;
  /** Why it cannot be served (null when servable). */
  notServableReason?: string | null;
  /** MLflow `source` as given (null: native registration, whose source is `artifactUri`). */
  source?: string | null;
  /** MLflow `run_id` as given (null: native registration, whose run is `runId`). */
  sourceRunId?: string | null;
  /** MLflow's deprecated stage: `None` | `Staging` | `Production` | `Archived`. */
  currentStage?: string;
  signature: Record<string, unknown>;
  metrics: Record<string, MetricValue>;
  params: Record<string, unknown>;
  lineage: Record<string, unknown>;
  referenceProfileUri: string | null;
  referenceProfileSha256: string | null;
  description: string | null;
  tags: Record<string, string>;
  createdBy: string;
  createdAt: Date;
  /** MLflow `ModelVersionStatus` (default `READY`). */
  status?: ModelVersionStatus;
}

/** One condition of an MLflow search filter on a column (`value` is a list for `IN` / `NOT IN`). */
export interface FieldCondition {
  op: '=' | '!=' | 'LIKE' | 'ILIKE' | 'IN' | 'NOT IN';
  value: string | string[];
}

/** A tag condition: `tags.<key> <op> <value>`. */
export interface TagCondition extends FieldCondition {
  key: string;
}

/** Sort key of registered-model / model-version searches (MLflow `order_by`). */
export interface RegistryOrder {
  field: 'name' | 'version' | 'creation_timestamp' | 'last_updated_timestamp';
  desc: boolean;
}

/** MLflow search over registered models or model versions: every condition must hold. */
export interface RegistrySearch {
  name?: FieldCondition[];
  /** Model versions: MLflow `run_id` (the given one, else the training run). */
  runId?: FieldCondition[];
  /** Model versions: MLflow `source_path` (the given source, else the artifact URI). */
  source?: FieldCondition[];
  /** Model versions: `version_number`. */
  version?: FieldCondition[];
  tags?: TagCondition[];
  orderBy?: RegistryOrder[];
}
