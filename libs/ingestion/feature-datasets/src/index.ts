/**
 * @module @strata/ingestion/feature-datasets
 *
 * Datasets and immutable, content-hashed dataset versions written to the lake as Parquet.
 */
export {};
