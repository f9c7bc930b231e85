import { type Action, type ResourceType, RequirePermission } from '@strata/shared/auth';
import { MlflowCompatController } from './mlflow-compat.controller';

/**
 * The permission of each handler of the MLflow-compatible API (`/api/2.0/mlflow/*`), applied
 * exactly as `@RequirePermission` on the handler would be (same metadata, read by the guard and
 * by the route inventory spec). They sit beside the controller only while its split into
 * `mlflow/` is in flight; the split moves each onto its handler. A handler missing here is
 * undeclared and fails apps/strata-e2e/src/route-permissions.spec.ts.
 */
export const MLFLOW_COMPAT_PERMISSIONS: Readonly<Record<string, readonly [ResourceType, Action]>> = {
  createExperiment: ['models', 'write'],
  deleteExperiment: ['models', 'write'],
  getExperiment: ['models', 'read'],
  getExperimentByName: ['models', 'read'],
  restoreExperiment: ['models', 'write'],
  searchExperimentsGet: ['models', 'read'],
  searchExperiments: ['models', 'read'],
  setExperimentTag: ['models', 'write'],
  updateExperiment: ['models', 'write'],
  metricHistory: ['models', 'read'],
  createVersion: ['models', 'write'],
  deleteVersion: ['models', 'write'],
  deleteVersionTag: ['models', 'write'],
  getVersion: ['models', 'read'],
  searchVersions: ['models', 'read'],
  setVersionTag: ['models', 'write'],
  updateVersion: ['models', 'write'],
  deleteAlias: ['aliases', 'write'],
  getAlias: ['aliases', 'read'],
  setAlias: ['aliases', 'write'],
  createModel: ['models', 'write'],
  deleteModel: ['models', 'write'],
  deleteModelTag: ['models', 'write'],
  getModel: ['models', 'read'],
  search: ['models', 'read'],
  setModelTag: ['models', 'write'],
  updateModel: ['models', 'write'],
  createRun: ['models', 'write'],
  deleteRun: ['models', 'write'],
  deleteRunTag: ['models', 'write'],
  getRun: ['models', 'read'],
  logBatch: ['models', 'write'],
  logMetric: ['models', 'write'],
  logParam: ['models', 'write'],
  restoreRun: ['models', 'write'],
  searchRuns: ['models', 'read'],
  setRunTag: ['models', 'write'],
  updateRun: ['models', 'write'],
};

for (const [handler, [resource, action]] of Object.entries(MLFLOW_COMPAT_PERMISSIONS)) {
  const proto = MlflowCompatController.prototype as unknown as Record<string, unknown>;
  const descriptor = Object.getOwnPropertyDescriptor(proto, handler);
  if (!descriptor || typeof descriptor.value !== 'function') throw new Error(`MlflowCompatController has no handler ${handler}`);
  RequirePermission(resource, action)(proto, handler, descriptor);
}
