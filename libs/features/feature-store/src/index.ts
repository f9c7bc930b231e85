/**
 * @module @strata/features/feature-store
 *
 * Entities, feature views, apply, materialization, online retrieval and training-set builds.
 */
export {};
