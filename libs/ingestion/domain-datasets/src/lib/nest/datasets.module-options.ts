import type { ObjectStoreConfig, S3ConnectionOptions } from '@strata/shared/data-access-object-store';
import type { StreamIngestionOptions } from './stream/stream-ingestion.options';

/** Options of {@link DatasetsModule.forRoot}. */
export interface DatasetsModuleOptions {
  /** Lake root directory (`STRATA_DATA_DIR`); versions go to `<dataDir>/datasets/<name>/<versionId>/`. */
  readonly dataDir: string;
  /** Staging directory for spooled uploads (default `os.tmpdir()`). */
  readonly tmpDir?: string;
  /** Largest streamed upload in bytes (default 5 GiB; larger → 413). */
  readonly maxUploadBytes?: number;
  /** Memory limit of the ingestor's DuckDB (default `1GB`; spills to `tmpDir` beyond it). */
  readonly duckdbMemoryLimit?: string;
  /** DuckDB worker threads of the ingestor (default: DuckDB's, one per core); fewer threads, fewer per-thread buffers (lower peak RSS). */
  readonly duckdbThreads?: number;
  /** Log upload progress every this many bytes (default 16 MiB). */
  readonly progressEveryBytes?: number;
  /** Which lake store (`STRATA_OBJECT_STORE=local|s3` and the S3 variables); default: local files under `dataDir`. */
  readonly objectStore?: ObjectStoreConfig;
  /** S3 connection used for `s3://` source URIs (default: none configured → SDK defaults). */
  readonly s3Sources?: S3ConnectionOptions;
  /** Streaming ingestion (ingest-records consumer + micro-batch flusher). */
  readonly stream?: StreamIngestionOptions;
}
