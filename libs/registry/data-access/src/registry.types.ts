/**
 * Domain objects of the registry, as the store returns them and the HTTP API serialises them.
 * Timestamps are ISO-8601 UTC strings.
 */

// The HTTP shapes of the registry are declared once, in the API contracts (inferred from zod).
import type { MetricValue } from '@strata/contracts/api';
export type { MetricValue, ModelVersion, RegisteredModel } from '@strata/contracts/api';

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
