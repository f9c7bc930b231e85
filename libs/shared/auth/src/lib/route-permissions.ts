import type { RequiredPermission } from './decorators';
import type { Action, ResourceType } from './permissions';

/** Routes every service serves without credentials (liveness, readiness, metrics, OIP health). */
export const PUBLIC_ROUTE_PATTERNS: readonly RegExp[] = [/^\/health\//, /^\/metrics$/, /^\/v2\/health\//];

/** Whether a path (no query string) is public. */
export function isPublicPath(path: string): boolean {
  return PUBLIC_ROUTE_PATTERNS.some((p) => p.test(path));
}

/** One row of the platform route table: `METHOD /path/:param` → permission. */
export interface RoutePermissionRule {
  method: string;
  /** Nest path pattern exactly as routed, e.g. `/registered-models/:name/versions`. */
  path: string;
  resource: ResourceType;
  action: Action;
}

const r = (method: string, path: string, resource: ResourceType, action: Action): RoutePermissionRule => ({ method, path, resource, action });

/**
 * Platform-level permissions of routes whose handlers carry no `@RequirePermission` yet (the
 * feature libs are annotated when the default flips to `enforce`). A decorator on the handler
 * always wins over this table; a route in neither is denied (default-deny).
 * Keyed by service name.
 */
export const ROUTE_PERMISSIONS: Readonly<Record<string, readonly RoutePermissionRule[]>> = Object.freeze({
  '*': [
    r('GET', '/audit-log', 'audit', 'read'),
    r('GET', '/auth/keys', 'keys', 'read'),
    r('POST', '/auth/keys', 'keys', 'write'),
    r('DELETE', '/auth/keys/:keyId', 'keys', 'write'),
    r('GET', '/dead-letters', 'dead-letters', 'read'),
    r('POST', '/dead-letters/replay', 'dead-letters', 'write'),
  ],
  ingestion: [
    r('GET', '/datasets', 'datasets', 'read'),
    r('GET', '/datasets/:name', 'datasets', 'read'),
    r('PUT', '/datasets/:name', 'datasets', 'write'),
    r('GET', '/datasets/:name/versions', 'datasets', 'read'),
    r('POST', '/datasets/:name/versions', 'datasets', 'write'),
    r('GET', '/datasets/:name/versions/:versionId', 'datasets', 'read'),
    r('GET', '/datasets/:name/versions/:versionId/quarantine', 'datasets', 'read'),
    r('GET', '/uploads', 'datasets', 'read'),
    r('GET', '/uploads/:id', 'datasets', 'read'),
  ],
  features: [
    r('POST', '/feature-repo/plan', 'features', 'read'),
    r('POST', '/feature-repo/apply', 'features', 'write'),
    r('GET', '/feature-views', 'features', 'read'),
    r('GET', '/feature-views/:name', 'features', 'read'),
    r('GET', '/entities', 'features', 'read'),
    r('GET', '/training-set-definitions', 'features', 'read'),
    r('GET', '/materializations', 'features', 'read'),
    r('POST', '/training-sets', 'features', 'write'),
    r('GET', '/training-sets/:id', 'features', 'read'),
    r('POST', '/get-online-features', 'features', 'read'),
    r('GET', '/feature-services', 'features', 'read'),
    r('GET', '/feature-services/:name', 'features', 'read'),
    r('GET', '/feature-views/:name/watermark', 'features', 'read'),
    r('POST', '/get-historical-features', 'features', 'read'),
    r('POST', '/materializations', 'features', 'write'),
    r('POST', '/push', 'features', 'write'),
    r('GET', '/push-sources', 'features', 'read'),
  ],
  training: [
    r('GET', '/training-runs', 'training', 'read'),
    r('POST', '/training-runs', 'training', 'write'),
    r('GET', '/training-runs/:runId', 'training', 'read'),
    r('POST', '/training-runs/:runId/cancel', 'training', 'write'),
    r('POST', '/retraining/:modelName', 'training', 'write'),
    r('DELETE', '/retraining/:modelName/schedule', 'training', 'write'),
    r('GET', '/retraining/:modelName/schedule', 'training', 'read'),
    r('PUT', '/retraining/:modelName/schedule', 'training', 'write'),
    r('GET', '/retraining/:modelName/triggers', 'training', 'read'),
    r('GET', '/training-runs/:runId/logs', 'training', 'read'),
    r('GET', '/training-searches', 'training', 'read'),
    r('POST', '/training-searches', 'training', 'write'),
    r('GET', '/training-searches/:searchId', 'training', 'read'),
  ],
  registry: [
    r('GET', '/api/2.0/mlflow/model-versions/get', 'models', 'read'),
    r('GET', '/api/2.0/mlflow/registered-models/alias', 'aliases', 'read'),
    r('POST', '/api/2.0/mlflow/registered-models/alias', 'aliases', 'write'),
    r('GET', '/api/2.0/mlflow/registered-models/get', 'models', 'read'),
    r('GET', '/api/2.0/mlflow/registered-models/search', 'models', 'read'),
    r('GET', '/models/:name/rollouts', 'rollouts', 'read'),
    r('POST', '/models/:name/rollouts', 'rollouts', 'write'),
    r('GET', '/models/:name/rollouts/current', 'rollouts', 'read'),
    r('PATCH', '/models/:name/rollouts/current', 'rollouts', 'write'),
    r('POST', '/models/:name/rollouts/current/promote', 'rollouts', 'write'),
    r('POST', '/models/:name/rollouts/current/rollback', 'rollouts', 'write'),
    r('GET', '/registered-models', 'models', 'read'),
    r('GET', '/registered-models/:name', 'models', 'read'),
    r('GET', '/registered-models/:name/aliases/:alias', 'aliases', 'read'),
    r('PUT', '/registered-models/:name/aliases/:alias', 'aliases', 'write'),
    r('DELETE', '/registered-models/:name/aliases/:alias', 'aliases', 'write'),
    r('GET', '/registered-models/:name/aliases/:alias/history', 'aliases', 'read'),
    r('GET', '/registered-models/:name/audit', 'models', 'read'),
    r('GET', '/registered-models/:name/versions', 'models', 'read'),
    r('POST', '/registered-models/:name/versions', 'models', 'write'),
    r('GET', '/registered-models/:name/versions/:version', 'models', 'read'),
    r('DELETE', '/registered-models/:name/versions/:version', 'models', 'write'),
    r('POST', '/api/2.0/mlflow/experiments/create', 'models', 'write'),
    r('POST', '/api/2.0/mlflow/experiments/delete', 'models', 'write'),
    r('GET', '/api/2.0/mlflow/experiments/get', 'models', 'read'),
    r('GET', '/api/2.0/mlflow/experiments/get-by-name', 'models', 'read'),
    r('POST', '/api/2.0/mlflow/experiments/restore', 'models', 'write'),
    r('GET', '/api/2.0/mlflow/experiments/search', 'models', 'read'),
    r('POST', '/api/2.0/mlflow/experiments/search', 'models', 'read'),
    r('POST', '/api/2.0/mlflow/experiments/set-experiment-tag', 'models', 'write'),
    r('POST', '/api/2.0/mlflow/experiments/update', 'models', 'write'),
    r('GET', '/api/2.0/mlflow/metrics/get-history', 'models', 'read'),
    r('POST', '/api/2.0/mlflow/model-versions/create', 'models', 'write'),
    r('DELETE', '/api/2.0/mlflow/model-versions/delete', 'models', 'write'),
    r('DELETE', '/api/2.0/mlflow/model-versions/delete-tag', 'models', 'write'),
    r('GET', '/api/2.0/mlflow/model-versions/search', 'models', 'read'),
    r('POST', '/api/2.0/mlflow/model-versions/set-tag', 'models', 'write'),
    r('PATCH', '/api/2.0/mlflow/model-versions/update', 'models', 'write'),
    r('DELETE', '/api/2.0/mlflow/registered-models/alias', 'aliases', 'write'),
    r('POST', '/api/2.0/mlflow/registered-models/create', 'models', 'write'),
    r('DELETE', '/api/2.0/mlflow/registered-models/delete', 'models', 'write'),
    r('DELETE', '/api/2.0/mlflow/registered-models/delete-tag', 'models', 'write'),
    r('POST', '/api/2.0/mlflow/registered-models/set-tag', 'models', 'write'),
    r('PATCH', '/api/2.0/mlflow/registered-models/update', 'models', 'write'),
    r('POST', '/api/2.0/mlflow/runs/create', 'models', 'write'),
    r('POST', '/api/2.0/mlflow/runs/delete', 'models', 'write'),
    r('POST', '/api/2.0/mlflow/runs/delete-tag', 'models', 'write'),
    r('GET', '/api/2.0/mlflow/runs/get', 'models', 'read'),
    r('POST', '/api/2.0/mlflow/runs/log-batch', 'models', 'write'),
    r('POST', '/api/2.0/mlflow/runs/log-metric', 'models', 'write'),
    r('POST', '/api/2.0/mlflow/runs/log-parameter', 'models', 'write'),
    r('POST', '/api/2.0/mlflow/runs/restore', 'models', 'write'),
    r('POST', '/api/2.0/mlflow/runs/search', 'models', 'read'),
    r('POST', '/api/2.0/mlflow/runs/set-tag', 'models', 'write'),
    r('POST', '/api/2.0/mlflow/runs/update', 'models', 'write'),
    r('GET', '/experiments', 'models', 'read'),
    r('POST', '/experiments', 'models', 'write'),
    r('GET', '/experiments/:id', 'models', 'read'),
    r('PATCH', '/registered-models/:name', 'models', 'write'),
    r('GET', '/registered-models/:name/promotion-decisions', 'aliases', 'read'),
    r('POST', '/registered-models/:name/promotion-decisions', 'aliases', 'write'),
    r('GET', '/registered-models/:name/promotion-decisions/:id', 'aliases', 'read'),
    r('POST', '/registered-models/:name/rollouts/current/decision', 'rollouts', 'write'),
    r('GET', '/registered-models/:name/promotion-policy', 'aliases', 'read'),
    r('PUT', '/registered-models/:name/promotion-policy', 'aliases', 'write'),
    r('PATCH', '/registered-models/:name/versions/:version', 'models', 'write'),
    r('GET', '/registered-models/:name/versions/:version/artifact', 'models', 'read'),
    r('POST', '/runs', 'models', 'write'),
    r('GET', '/runs/:id', 'models', 'read'),
    r('PATCH', '/runs/:id', 'models', 'write'),
    r('GET', '/runs/:id/artifacts', 'models', 'read'),
    r('POST', '/runs/:id/artifacts', 'models', 'write'),
    r('GET', '/runs/:id/log', 'models', 'read'),
    r('POST', '/runs/:id/log', 'models', 'write'),
    r('POST', '/runs/:id/log-batch', 'models', 'write'),
    r('GET', '/runs/:id/metrics/:key/history', 'models', 'read'),
    r('POST', '/runs/search', 'models', 'read'),
  ],
  serving: [
    r('GET', '/models', 'serving', 'read'),
    r('GET', '/v2', 'serving', 'read'),
    r('POST', '/models/:model/predict', 'inference', 'execute'),
    r('GET', '/v2/models/:model', 'serving', 'read'),
    r('GET', '/v2/models/:model/ready', 'serving', 'read'),
    r('POST', '/v2/models/:model/infer', 'inference', 'execute'),
    r('GET', '/v2/models/:model/versions/:version', 'serving', 'read'),
    r('GET', '/v2/models/:model/versions/:version/ready', 'serving', 'read'),
    r('POST', '/v2/models/:model/versions/:version/infer', 'inference', 'execute'),
    r('GET', '/models/:model/rollout', 'serving', 'read'),
    r('GET', '/batch-scoring-jobs', 'serving', 'read'),
    r('POST', '/batch-scoring-jobs', 'serving', 'write'),
    r('GET', '/batch-scoring-jobs/:jobId', 'serving', 'read'),
    r('POST', '/batch-scoring-jobs/:jobId/cancel', 'serving', 'write'),
  ],
  monitoring: [
    r('POST', '/feedback', 'monitoring', 'write'),
    r('GET', '/models/:model/windows', 'monitoring', 'read'),
    r('GET', '/models/:model/health', 'monitoring', 'read'),
    r('GET', '/models/:model/rollouts/current/comparison', 'monitoring', 'read'),
  ],
});

/**
 * The permission a route requires: the handler's `@RequirePermission` if present, else the
 * platform table for `service` (then the `'*'` rows), else undefined (→ denied).
 */
export function resolveRoutePermission(service: string, method: string, routePath: string, declared: RequiredPermission | undefined): { permission?: RequiredPermission; source: 'decorator' | 'table' | 'none' } {
  if (declared) return { permission: declared, source: 'decorator' };
  const rows = [...(ROUTE_PERMISSIONS[service] ?? []), ...(ROUTE_PERMISSIONS['*'] ?? [])];
  const hit = rows.find((row) => row.method === method.toUpperCase() && row.path === routePath);
  return hit ? { permission: { resource: hit.resource, action: hit.action }, source: 'table' } : { source: 'none' };
}
