/** Shapes of reference profiles (JSON-safe) and the options of {@link buildReferenceProfile}. */

/** Bucket that collects categories outside a profile's top-K (and unseen ones). */
export const OTHER_CATEGORY = '__other__';
/** A numeric feature with at most this many distinct reference values is "discrete". */
export const DISCRETE_MAX_DISTINCT = 5;

/**
 * Values of one column. Missing = `null`/`undefined` (and `NaN` for numbers). A column is
 * categorical when any value is a string or boolean (booleans become `'true'`/`'false'`) or it
 * is listed in `categorical`; otherwise numeric.
 */
export type ColumnValues = ArrayLike<number | null | undefined> | ArrayLike<string | boolean | null | undefined>;

/**
 * Bin edges, length k + 1 for k bins: `edges[0]` is `null` (−∞) and `edges[k]` is `null` (+∞);
 * the interior edges are finite and strictly increasing. `-Infinity`/`Infinity` are accepted
 * in place of the `null` ends. Bin b holds x with edges[b] ≤ x < edges[b+1] (left-closed,
 * right-open; with open ends every finite x falls in exactly one bin).
 */
export type BinEdges = ReadonlyArray<number | null>;

/** Profile of a numeric reference column. JSON-safe (no NaN/Infinity). */
export interface NumericFeatureProfile {
  name: string;
  kind: 'numeric';
  /** Non-missing reference values. */
  count: number;
  /** Missing reference values. */
  nullCount: number;
  /** nullCount / (count + nullCount); 0 when the column is empty. */
  nullShare: number;
  /** Mean, population std (ddof 0), min, max of the non-missing values; `null` when count is 0. */
  mean: number | null;
  std: number | null;
  min: number | null;
  max: number | null;
  /** Quantile bin edges with `null` open ends (see {@link BinEdges}). `[null, null]` when count is 0. */
  edges: Array<number | null>;
  /** Reference counts per bin (length edges.length − 1). */
  counts: number[];
  /** counts / count per bin (all 0 when count is 0). */
  proportions: number[];
  /**
   * Ascending reference sample used as the reference ECDF by KS and Wasserstein: all sorted
   * values when count ≤ sketchSize (exact), else the order statistics at 0-based ranks
   * round(j·(count − 1)/(sketchSize − 1)), j = 0..sketchSize − 1.
   */
  sketch: number[];
  /** Distinct values and their counts when there are at most {@link DISCRETE_MAX_DISTINCT}; else null. */
  distinct: { values: number[]; counts: number[] } | null;
}

/** Profile of a categorical reference column. JSON-safe. */
export interface CategoricalFeatureProfile {
  name: string;
  kind: 'categorical';
  count: number;
  nullCount: number;
  nullShare: number;
  /**
   * Bucket names: the top-K categories by count (descending, ties by ascending code-unit
   * order), then {@link OTHER_CATEGORY} last (always present, possibly with count 0).
   */
  categories: string[];
  /** Reference counts per bucket (same order as `categories`). */
  counts: number[];
  /** counts / count per bucket (all 0 when count is 0). */
  proportions: number[];
  /** Number of distinct reference categories (before top-K). */
  distinctCount: number;
}

/** A profiled feature. */
export type FeatureProfile = NumericFeatureProfile | CategoricalFeatureProfile;

/** Label statistics of the reference set (binary 0/1 label). */
export interface LabelProfile {
  name: string;
  count: number;
  nullCount: number;
  /** Share of non-missing labels equal to 1; `null` when count is 0. */
  positiveRate: number | null;
}

/** A reference profile: what monitoring stores to compare windows against. JSON-safe. */
export interface ReferenceProfile {
  formatVersion: 1;
  /** Rows in the reference data. */
  rowCount: number;
  /** Requested number of quantile bins per numeric feature (fewer after deduplication). */
  bins: number;
  categoricalTopK: number;
  sketchSize: number;
  /** Features in the order of the input columns (label excluded). */
  features: FeatureProfile[];
  label: LabelProfile | null;
}

/** Options of {@link buildReferenceProfile}. */
export interface ProfileOptions {
  /** Quantile bins per numeric feature, integer 1..1000. Default 10. */
  bins?: number;
  /** Categories kept per categorical feature, the rest go to `__other__`; integer ≥ 1. Default 20. */
  categoricalTopK?: number;
  /** Size of the per-feature ECDF sketch, integer 2..100000. Default 1000. */
  sketchSize?: number;
  /** Column holding the 0/1 label; profiled as `label`, not as a feature. */
  label?: string;
  /** Columns to treat as categorical even if numeric (numbers become strings via `String`). */
  categorical?: ReadonlyArray<string>;
}
