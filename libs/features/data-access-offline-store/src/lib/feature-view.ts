import { DUCKDB_LOGICAL_TYPE, LogicalType } from '@strata/shared/data-access-duckdb';
import { FeatureReferenceError } from './offline-store.errors';

/**
 * Feature-store definitions as plain data (Feast-like). They are what `loadFeatureRepo`
 * returns from YAML and what {@link DuckDBOfflineStore} consumes.
 */

/**
 * Value types of entity keys and features: the shared logical types but DATE, with their
 * DuckDB/Parquet storage type in {@link DUCKDB_VALUE_TYPE}.
 */
const { DATE: _date, ...valueTypes } = LogicalType;
export const ValueType = valueTypes;
/** Union of {@link ValueType} values. */
export type ValueType = (typeof ValueType)[keyof typeof ValueType];

/** DuckDB type of each {@link ValueType} (TIMESTAMP is stored as TIMESTAMPTZ, UTC). */
const { DATE: _dateStorage, ...valueStorageTypes } = DUCKDB_LOGICAL_TYPE;
export const DUCKDB_VALUE_TYPE: Readonly<Record<ValueType, string>> = valueStorageTypes;

/** An entity: the thing features describe, identified by its join key column. */
export interface Entity {
  readonly name: string;
  /** Column name used in feature rows and entity frames (e.g. `pickup_location_id`). */
  readonly joinKey: string;
  readonly valueType: ValueType;
  readonly description?: string;
}

/** A typed feature (output column) of a view. */
export interface FeatureSpec {
  readonly name: string;
  readonly dtype: ValueType;
  readonly description?: string;
}

/**
 * A batch feature view: SQL over a dataset producing time-stamped feature rows per entity key.
 *
 * `transformation` is a DuckDB SELECT over the table `source` (the dataset version's
 * Parquet files, unioned by name). It must output the `entities` join-key columns, the
 * `timestampField` column, `createdTimestampField` if set, and every feature name.
 */
export interface FeatureView {
  readonly kind: 'feature_view';
  readonly name: string;
  /** Join keys (entity `joinKey` values), e.g. `['pickup_location_id']`. */
  readonly entities: readonly string[];
  /**
   * Max age of a feature row, in seconds: a row is usable for an entity row at time t only
   * if `t - ttlSeconds <= event_timestamp <= t`. 0 means no limit.
   */
  readonly ttlSeconds: number;
  readonly source: { readonly datasetName: string };
  readonly features: readonly FeatureSpec[];
  /** Transformation output column holding the event time (naive values are UTC). */
  readonly timestampField: string;
  /**
   * Transformation output column holding when the row became known. Default: the event
   * timestamp (the row is known as of its event time).
   */
  readonly createdTimestampField?: string;
  /** DuckDB SQL over `source`; default `SELECT * FROM source`. */
  readonly transformation?: string;
  /**
   * How much source data before a window's start the transformation needs (seconds), e.g. the
   * longest trailing aggregation window. Windowed materializations of `[start, end)` read only the
   * dataset versions with rows in `[start - sourceLookbackSeconds, end)`. Default 0.
   */
  readonly sourceLookbackSeconds?: number;
  /** Name of a {@link PushSource} whose pushed rows (`POST /push`) this view receives. */
  readonly pushSource?: string;
  readonly description?: string;
}

/**
 * A push source (Feast `PushSource`): the schema of rows pushed over `POST /push`. Every view
 * with `pushSource: <name>` receives the rows (its join keys, timestamp and features are taken
 * from the pushed columns by name; no transformation is applied).
 */
export interface PushSource {
  readonly kind: 'push_source';
  readonly name: string;
  /** Every column a push must carry (and no other), with its type. */
  readonly schema: readonly FeatureSpec[];
  /** Column holding the event time (TIMESTAMP in `schema`). */
  readonly timestampField: string;
  /** Column holding when the row became known; default: the event time (as for batch views). */
  readonly createdTimestampField?: string;
  readonly description?: string;
}

/** A feature service (Feast `FeatureService`): a named set of feature references. */
export interface FeatureService {
  readonly kind: 'feature_service';
  readonly name: string;
  /** Feature references `view:feature`, in output order. */
  readonly features: readonly string[];
  readonly description?: string;
}

/** A request-time feature: a DuckDB SQL expression over request columns. */
export interface OnDemandFeatureSpec extends FeatureSpec {
  /** DuckDB expression over the request columns, e.g. `hour(pickup_datetime)`. Trusted (repo-defined) SQL. */
  readonly expression: string;
}

/** An on-demand (request-time) feature view: features computed from columns of the request / entity row. */
export interface OnDemandFeatureView {
  readonly kind: 'on_demand_feature_view';
  readonly name: string;
  /** Columns the request (entity row) must carry; they are cast to these types before evaluation. */
  readonly requestSchema: readonly FeatureSpec[];
  readonly features: readonly OnDemandFeatureSpec[];
  readonly description?: string;
}

/** Any view a feature reference can point to. */
export type AnyFeatureView = FeatureView | OnDemandFeatureView;

/** A training-set recipe: SQL over a dataset producing the entity frame, plus the feature refs to join. */
export interface TrainingSetSpec {
  readonly kind: 'training_set';
  readonly name: string;
  readonly source: { readonly datasetName: string };
  /**
   * DuckDB SELECT over `source` producing entity rows: join keys, the timestamp column
   * (`eventTimestampColumn`), label and request columns.
   */
  readonly entitySql: string;
  readonly eventTimestampColumn: string;
  readonly label?: string;
  /** Feature references `view:feature` (empty when `featureService` is used). */
  readonly features: readonly string[];
  /** Name of a {@link FeatureService} whose features to join instead of `features` (resolved at build time). */
  readonly featureService?: string;
  /** Output column naming (see `HistoricalFeaturesOptions.fullFeatureNames`). */
  readonly fullFeatureNames?: boolean;
  readonly description?: string;
}

/** Parses `view:feature`. @throws FeatureReferenceError on another shape. */
export function parseFeatureRef(ref: string): { view: string; feature: string } {
  const m = /^([^:\s]+):([^:\s]+)$/.exec(ref);
  if (!m) throw new FeatureReferenceError(ref, `expected 'view:feature'`);
  return { view: m[1]!, feature: m[2]! };
}
