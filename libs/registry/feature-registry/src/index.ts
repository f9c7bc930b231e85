/**
 * @module @strata/registry/feature-registry
 *
 * Model registry: registered models, versions with lineage, aliases (with history), audit log;
 * HTTP API `/registered-models/**`; events `model-version-registered`, `model-alias-changed`
 * through the transactional outbox.
 */
export * from './lib/registry.module';
export * from './lib/registry.service';
export * from './lib/registry.schemas';
export * from './lib/registered-models.controller';
export * from './lib/mlflow-compat.controller';
