/**
 * Domain objects of the registry, as the store returns them and the HTTP API serialises them.
 * Timestamps are ISO-8601 UTC strings.
 */

/** A metric value: a finite number, or one of the strings standing for a non-finite number. */
export type MetricValue = number | 'NaN' | 'Infinity' | '-Infinity';

/** One immutable version of a registered model. */
export interface ModelVersion {
  name: string;
  /** Version number (integer ≥ 1). */
  version: number;
  runId: string;
  workflowId: string | null;
  artifactUri: string;
  artifactSha256: string;
  signature: Record<string, unknown>;
  metrics: Record<string, MetricValue>;
  params: Record<string, unknown>;
  lineage: Record<string, unknown>;
  referenceProfileUri: string | null;
  referenceProfileSha256: string | null;
  status: 'READY';
  description: string | null;
  tags: Record<string, string>;
  /** Aliases currently pointing at this version, sorted. */
  aliases: string[];
  createdBy: string;
  createdAt: string;
}

/** A registered model. */
export interface RegisteredModel {
  name: string;
  description: string | null;
  tags: Record<string, string>;
  /** Highest version number assigned so far (0 if none); never decreases. */
  latestVersion: number;
  /** Alias → version. */
  aliases: Record<string, number>;
  createdAt: string;
  updatedAt: string;
}

/** An alias and the version it points at. */
export interface ModelAlias {
  name: string;
  alias: string;
  version: number;
  updatedBy: string;
  updatedAt: string;
}

/** One change of an alias: set (`fromVersion` null), move, or delete (`toVersion` null). */
export interface AliasChange {
  id: number;
  name: string;
  alias: string;
  fromVersion: number | null;
  toVersion: number | null;
  actor: string;
  reason: string;
  changedAt: string;
}

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
  artifactSha256: string;
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
}
