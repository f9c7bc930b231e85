/**
 * @module @strata/features/data-access-offline-store
 *
 * Offline feature store on Parquet with DuckDB: feature-view definitions, materialization
 * to `features/<view>/<id>.parquet`, point-in-time correct historical retrieval, and a
 * YAML feature-repo loader.
 *
 * @example
 * ```ts
 * const offline = new DuckDBOfflineStore({ store });
 * const repo = await loadFeatureRepo('path/to/feature_repo');
 * const view = repo.featureViews.find((v) => v.name === 'customer_stats')!;
 * await offline.materialize(view, [datasetVersionUri], { start: '2024-01-01', end: '2025-01-01' });
 * const ts = await offline.getHistoricalFeatures({ rows }, ['customer_stats:spend_7d'], [{ view }]);
 * ```
 */
export { DuckDBOfflineStore, EVENT_TIMESTAMP, CREATED_TIMESTAMP } from './lib/duckdb-offline-store';
export type {
  ColumnInfo,
  DuckDBOfflineStoreDeps,
  EntityFrameInput,
  FeatureViewSource,
  HistoricalFeaturesOptions,
  HistoricalFeaturesResult,
  MaterializationResult,
  MaterializeOptions,
  OutputRow,
  TimeInput,
} from './lib/duckdb-offline-store';
export { ValueType, DUCKDB_VALUE_TYPE, parseFeatureRef } from './lib/feature-view';
export type { AnyFeatureView, Entity, FeatureService, FeatureSpec, FeatureView, OnDemandFeatureSpec, OnDemandFeatureView, PushSource, TrainingSetSpec } from './lib/feature-view';
export type { JsonScalar } from '@strata/shared/data-access-duckdb';
export {
  OfflineStoreError,
  OfflineStoreErrorCode,
  FeatureReferenceError,
  FeatureViewError,
  EntityFrameError,
  OfflineQueryError,
  FeatureRepoError,
} from './lib/offline-store.errors';
export { loadFeatureRepo, parseFeatureRepoDocuments } from './lib/repo/feature-repo.loader';
export type { FeatureRepo } from './lib/repo/feature-repo.loader';
export { OFFLINE_STORE } from './lib/offline-store.constants';
