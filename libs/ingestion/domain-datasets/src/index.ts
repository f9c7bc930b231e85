/**
 * @module @strata/ingestion/domain-datasets
 *
 * Datasets and immutable, content-hashed dataset versions written to the lake as Parquet.
 * The framework-free core ({@link DatasetIngestor}) reads CSV / NDJSON / Parquet with
 * DuckDB, validates declared columns under a `reject` or `quarantine` policy, writes
 * `datasets/<name>/<versionId>/data.parquet` and returns schema + profile.
 *
 * @example
 * ```ts
 * const ingestor = new DatasetIngestor({ store: new LocalObjectStore('/lake') });
 * const spec = await loadDatasetSpec('my-project/dataset.yaml');
 * const v = await ingestor.ingest(spec, '/data/2024-03.csv');
 * // v.versionId, v.uri, v.rowCount, v.schema, v.profile
 * ```
 */
export { DatasetIngestor } from './lib/core/dataset-ingestor.service';
export type { DatasetIngestorDeps, DatasetVersion, IngestOptions, IngestSource, SchemaField, StoredFile } from './lib/core/dataset-ingestor.service';
export { ColumnType, DUCKDB_TYPE, EPOCH_FORMATS, datasetSpecSchema, isEpochFormat, loadDatasetSpec, parseDatasetSpec } from './lib/core/dataset-spec';
export type { ColumnSpec, DatasetFormat, DatasetSpec, EpochFormat, ValidationPolicy } from './lib/core/dataset-spec';
export { QUARANTINE_CONTENT_TYPE, writeQuarantineCsv, type QuarantineFormat } from './lib/core/quarantine-export';
export { PROFILE_QUANTILES } from './lib/core/dataset-profile';
export type { ColumnProfile, DatasetProfile } from './lib/core/dataset-profile';
export type { JsonScalar } from '@strata/shared/data-access-duckdb';
export {
  DatasetErrorCode,
  DatasetIngestionError,
  DatasetSpecError,
  DatasetInputError,
  DatasetSchemaMismatchError,
  DatasetValidationError,
} from './lib/core/ingestion.errors';
export type { ValidationIssue } from './lib/core/ingestion.errors';
// NestJS layer (controllers, persistence, events).
export * from './lib/nest';
