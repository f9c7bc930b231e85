/** Shapes of dataset ingestion: sources, options, stored files, dataset versions and the ingestor's dependencies. */
import type { Readable } from 'node:stream';
import type { DuckDBInstance } from '@duckdb/node-api';
import type { ObjectStore } from '@strata/shared/data-access-object-store';
import type { DatasetProfile } from './dataset-profile';
import type { ColumnType, DatasetFormat, ValidationPolicy } from './dataset-spec';
import type { ValidationIssue } from './ingestion.errors';

/** Input of {@link DatasetIngestor.ingest}: a local file path, or a byte stream (spooled to a temp file first). */
export type IngestSource = string | Readable | AsyncIterable<Uint8Array>;

/** Options of {@link DatasetIngestor.ingest}. */
export interface IngestOptions {
  /** Input format; default `spec.format`, else inferred from the path extension (.csv, .ndjson/.jsonl/.json, .parquet). Required for streams without `spec.format`. */
  readonly format?: DatasetFormat;
  /** Overrides `spec.policy`; default `reject`. */
  readonly policy?: ValidationPolicy;
  /** Max issues returned in the result / error (totals are always exact). Default 1000. */
  readonly maxIssues?: number;
  /**
   * Append mode (streaming micro-batches): the new version holds the rows of this existing
   * version's Parquet (a URI of the same store, read first, in file order) followed by the
   * accepted input rows. The profile covers all rows; `validation` counts only the input.
   * When no input row is accepted the content equals the parent's: `created` is false, the
   * parent's manifest is left untouched and rejected rows go to
   * `datasets/<name>/quarantine/<sha16>.parquet`.
   */
  readonly appendTo?: { readonly uri: string };
}

/** One column of a dataset version's schema. */
export interface SchemaField {
  readonly name: string;
  readonly type: ColumnType;
  readonly nullable: boolean;
}

/** Stored object written for a version. */
export interface StoredFile {
  readonly uri: string;
  readonly sha256: string;
  readonly sizeBytes: number;
}

/** Result of an ingestion: an immutable, content-addressed dataset version. */
export interface DatasetVersion {
  readonly datasetName: string;
  /** First 16 hex chars of {@link contentSha256}: identical content ⇒ identical version id. */
  readonly versionId: string;
  /** sha256 of the written Parquet bytes (rows in input order, declared column order and types). */
  readonly contentSha256: string;
  /** Rows written (accepted rows; quarantined rows excluded). */
  readonly rowCount: number;
  readonly schema: readonly SchemaField[];
  readonly profile: DatasetProfile;
  /** URI of `datasets/<name>/<versionId>/data.parquet`. */
  readonly uri: string;
  readonly sizeBytes: number;
  /** False when the same content already existed (idempotent re-ingestion); nothing was rewritten. */
  readonly created: boolean;
  /** URI of `datasets/<name>/<versionId>/manifest.json` (schema, profile, validation summary). */
  readonly manifestUri: string;
  readonly validation: {
    readonly policy: ValidationPolicy;
    /** Total rows read from the input. */
    readonly inputRowCount: number;
    readonly invalidRowCount: number;
    readonly issueCount: number;
    /** First `maxIssues` issues, ordered by row then column. */
    readonly issues: readonly ValidationIssue[];
    /**
     * Present when policy is `quarantine` and rows were set aside: `datasets/<name>/<versionId>/quarantine.parquet`,
     * or, when the accepted rows are an existing version's (`created` false), `datasets/<name>/quarantine/<id>.parquet` with its `id`.
     */
    readonly quarantine?: StoredFile & { readonly rowCount: number; readonly id?: string };
  };
}

/** Constructor dependencies of {@link DatasetIngestor}. */
export interface DatasetIngestorDeps {
  /** Lake where versions are written. */
  readonly store: ObjectStore;
  /** Directory for spooled inputs and Parquet staging (default `os.tmpdir()`). */
  readonly tmpDir?: string;
  /** DuckDB instance to use; default: a private `:memory:` instance created on first use. */
  readonly duckdb?: DuckDBInstance;
  /**
   * Memory limit of the private DuckDB instance (DuckDB size string, default `1GB`). Beyond
   * it, DuckDB spills its temp tables and sorts to `<tmpDir>/strata-duckdb-spill`, so a large
   * input (1 GB CSV) is ingested in bounded memory. Ignored when `duckdb` is injected.
   */
  readonly memoryLimit?: string;
  /** DuckDB worker threads of the private instance (default: DuckDB's, the number of cores). */
  readonly threads?: number;
}
