/** Shapes of the offline store's inputs and results, and the reserved columns of materialized feature files. */
import type { DuckDBInstance } from '@duckdb/node-api';
import type { ObjectStore } from '@strata/shared/data-access-object-store';
import type { JsonScalar } from '@strata/shared/data-access-duckdb';
import type { Entity, FeatureView } from './feature-view';

/** A point in time: a `Date`, or an ISO-8601 string (an offset is honoured; a naive string is UTC). */
export type TimeInput = Date | string;

/** A row as returned to JS: BIGINT → number (decimal string if beyond 2^53), timestamps → ISO-8601 UTC strings (ms). */
export type OutputRow = Record<string, JsonScalar>;

/** A column of a result: name and DuckDB type (e.g. `BIGINT`, `DOUBLE`, `TIMESTAMP WITH TIME ZONE`). */
export interface ColumnInfo {
  readonly name: string;
  readonly type: string;
}

/** Options of {@link DuckDBOfflineStore.materialize}. */
export interface MaterializeOptions {
  /** Inclusive lower bound on `event_timestamp`. */
  readonly start: TimeInput;
  /** Exclusive upper bound on `event_timestamp`. */
  readonly end: TimeInput;
  /** Default: `<UTC yyyymmddThhmmssZ>-<8 hex>` (lexicographically time-ordered). */
  readonly materializationId?: string;
}

/** Result of {@link DuckDBOfflineStore.materialize}. */
export interface MaterializationResult {
  readonly view: string;
  readonly materializationId: string;
  /** Object key `features/<view>/<materializationId>.parquet`. */
  readonly key: string;
  readonly uri: string;
  readonly sha256: string;
  readonly sizeBytes: number;
  readonly rowCount: number;
  /** ISO-8601 UTC, null when no rows. */
  readonly minEventTime: string | null;
  readonly maxEventTime: string | null;
}

/** Entity frame input: a Parquet object URI, or rows in memory. */
export type EntityFrameInput =
  | { readonly uri: string }
  | { readonly rows: ReadonlyArray<Readonly<Record<string, unknown>>> };

/** Batch view plus the URIs of its materialized feature Parquet files (default: every object under `features/<view>/`). */
export interface FeatureViewSource {
  readonly view: FeatureView;
  readonly uris?: readonly string[];
}

/** Options of {@link DuckDBOfflineStore.getHistoricalFeatures}. */
export interface HistoricalFeaturesOptions {
  /** Never use feature rows whose created_timestamp is after the entity row's time. Default true. */
  readonly asOfKnownTime?: boolean;
  /** Entity frame timestamp column. Default `event_timestamp`. */
  readonly eventTimestampColumn?: string;
  /** Name feature columns `<view>__<feature>` instead of `<feature>`. Default false. */
  readonly fullFeatureNames?: boolean;
  /** `rows` (default), `parquet` (write to the store), or `both`. */
  readonly output?: 'rows' | 'parquet' | 'both';
  /** Key of the Parquet output; default `training-sets/<uuid>.parquet`. */
  readonly outputKey?: string;
  /** Entities, used to type join-key columns when nothing else tells their type (empty request, no feature files). */
  readonly entities?: readonly Entity[];
  /**
   * Join algorithm. `auto` (default) uses DuckDB ASOF JOIN when it is provably equivalent
   * (asOfKnownTime off, or no feature row has created_timestamp > event_timestamp), else a
   * range join ranked per entity row. `asof`/`range` force one (tests, benchmarks; forcing
   * `asof` when rows are created after their event time is rejected).
   */
  readonly strategy?: 'auto' | 'asof' | 'range';
}

/** Result of {@link DuckDBOfflineStore.getHistoricalFeatures}. */
export interface HistoricalFeaturesResult {
  /** Output schema: entity columns (timestamp column normalized to TIMESTAMPTZ) then features in ref order. */
  readonly columns: readonly ColumnInfo[];
  readonly rowCount: number;
  /** Present for output `rows`/`both`: one row per entity row, in input order. */
  readonly rows?: OutputRow[];
  /** Present for output `parquet`/`both`. */
  readonly parquet?: { readonly key: string; readonly uri: string; readonly sha256: string; readonly sizeBytes: number };
  /** Join strategy used per batch view. */
  readonly strategies: Readonly<Record<string, 'asof' | 'range'>>;
}

/** Constructor dependencies of {@link DuckDBOfflineStore}. */
export interface DuckDBOfflineStoreDeps {
  readonly store: ObjectStore;
  /** Staging directory for Parquet before upload and for spooled non-file objects. Default `os.tmpdir()`. */
  readonly tmpDir?: string;
  /** DuckDB instance; default a private `:memory:` instance created on first use. */
  readonly duckdb?: DuckDBInstance;
}

/** Reserved output column names of materialized feature files. */
export const EVENT_TIMESTAMP = 'event_timestamp';
export const CREATED_TIMESTAMP = 'created_timestamp';
