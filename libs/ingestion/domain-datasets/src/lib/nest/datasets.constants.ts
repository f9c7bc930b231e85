/** DI token of the {@link DatasetIngestor} used by the NestJS layer. */
export const DATASET_INGESTOR = Symbol('DATASET_INGESTOR');
/** DI token of {@link DatasetsModuleOptions}. */
export const DATASETS_OPTIONS = Symbol('DATASETS_OPTIONS');
/** Content types accepted as a streamed upload body (passed through as a raw stream, never buffered). */
export const UPLOAD_CONTENT_TYPES = {
  'text/csv': 'csv',
  'application/x-ndjson': 'ndjson',
  'application/vnd.apache.parquet': 'parquet',
  'application/octet-stream': undefined,
} as const;
/** DI token of the {@link S3SourceReader} used for `s3://` source URIs. */
export const S3_SOURCE_READER = Symbol('S3_SOURCE_READER');
/** DI token of the stream-ingestion options. */
export const STREAM_INGESTION_OPTIONS = Symbol('STREAM_INGESTION_OPTIONS');
