/**
 * @module @strata/features/data-access-offline-store
 *
 * Offline store on Parquet with DuckDB: materialization and point-in-time joins.
 */
export {};
