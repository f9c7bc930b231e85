/**
 * @module @strata/registry/feature-registry
 *
 * Model registry: registered models, versions with lineage, aliases, artifacts.
 */
export {};
