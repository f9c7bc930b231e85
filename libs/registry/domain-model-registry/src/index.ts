/**
 * @module @strata/registry/domain-model-registry
 *
 * Model registry: registered models, versions with lineage, aliases (with history), audit log;
 * HTTP API `/registered-models/**`; events `model-version-registered`, `model-alias-changed`
 * through the transactional outbox.
 */
export * from './lib/registry.module';
export * from './lib/model-registry';
export * from './lib/registry.schemas';
export * from './lib/registered-models.controller';
export * from './lib/mlflow';
export * from './lib/tracking.service';
export * from './lib/run-inputs.service';
export * from './lib/tracking.controller';
export * from './lib/artifacts.service';
export * from './lib/promotion';
export * from './lib/registry.options';
export * from './lib/mlflow-artifacts';
export * from './lib/logged-models';
