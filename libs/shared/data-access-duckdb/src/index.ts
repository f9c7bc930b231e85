/**
 * @module @strata/shared/data-access-duckdb
 *
 * DuckDB helpers shared by the ingestion lake writer and the feature store's offline store:
 * quoting identifiers and literals into SQL text (`qid`, `qstr`, `qlit`) and turning DuckDB
 * values (timestamps, dates, decimals, big integers) into JSON scalars (`toJsonScalar`), and the
 * logical scalar types both use with their DuckDB storage types (`LogicalType`, `DUCKDB_LOGICAL_TYPE`).
 */
export * from './lib/duckdb-values';
export * from './lib/sql';
export * from './lib/logical-types';
