import { InvalidArgumentError } from '@strata/shared/util-errors';
import { quantileSorted } from './stats';
import { type BinEdges, type CategoricalFeatureProfile, type ColumnValues, DISCRETE_MAX_DISTINCT, type FeatureProfile, type LabelProfile, type NumericFeatureProfile, OTHER_CATEGORY, type ProfileOptions, type ReferenceProfile } from './profile.types';

export * from './profile.types';

function isMissing(v: unknown): boolean {
  return v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v));
}

/**
 * Counts finite values per bin; missing values (`null`, `undefined`, `NaN`) are skipped. Bin
 * rule: bin b holds x with edges[b] ≤ x < edges[b+1], i.e. b = number of interior edges ≤ x
 * (left-closed, right-open; the outer edges are open: −∞ and +∞). Binary search, O(n log k).
 *
 * @param edges see {@link BinEdges}: length ≥ 2, ends `null` or ∓Infinity, interior finite and
 *   strictly increasing.
 * @returns counts, length edges.length − 1.
 * @throws InvalidArgumentError Thrown when the edges are malformed or a value is ±Infinity or
 *   not a number.
 */
export function binCounts(values: ArrayLike<number | null | undefined>, edges: BinEdges): number[] {
  const interior = interiorEdges(edges);
  const k = interior.length;
  const counts = new Array<number>(k + 1).fill(0);
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    if (isMissing(x)) continue;
    if (typeof x !== 'number' || !Number.isFinite(x)) {
      throw new InvalidArgumentError(`binCounts: value at index ${i} is ${String(x)}, expected a finite number or null`);
    }
    let lo = 0;
    let hi = k; // find the number of interior edges <= x
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((interior[mid] as number) <= x) lo = mid + 1;
      else hi = mid;
    }
    counts[lo]! += 1;
  }
  return counts;
}

/**
 * Counts of a numeric window over a profile's **range bins** (the bins of every binned
 * statistic: PSI, χ², Jensen–Shannon), length k + 2 for a profile with k bins:
 *
 *   [ underflow: x < min,  bin 0: [min, e₁),  …,  bin k−1: [e_{k−1}, max],  overflow: x > max ]
 *
 * i.e. the profile's quantile bins with their open outer ends closed at the reference's
 * min/max, plus an explicit underflow and overflow bin that the reference never fills.
 * Inside [min, max] the {@link binCounts} rule applies unchanged, so a window within the
 * reference's range has exactly the counts `binCounts(values, edges)` gives, with two zero
 * ends. Mass outside the reference's range is kept apart instead of being merged into the
 * outer quantile bins, so a window disjoint from the reference is disjoint on these bins too
 * (Jensen–Shannon distance 1, issue #19 finding 5). Missing values are skipped.
 *
 * A profile without values (`min`/`max` null) has no range: every value counts in bin 0 of
 * its single open bin, with zero ends.
 *
 * @throws InvalidArgumentError Thrown when the edges are malformed or a value is ±Infinity or
 *   not a number.
 */
export function rangeBinCounts(
  profile: Pick<NumericFeatureProfile, 'edges' | 'min' | 'max'>,
  values: ArrayLike<number | null | undefined>,
): number[] {
  const inner = binCounts(values, profile.edges);
  const out = [0, ...inner, 0];
  const { min, max } = profile;
  if (min === null || max === null) return out;
  const last = inner.length; // index of bin k−1 in `out`
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    if (isMissing(x)) continue;
    // binCounts validated x; values below min sit in bin 0, above max in bin k−1
    if ((x as number) < min) {
      out[1]! -= 1;
      out[0]! += 1;
    } else if ((x as number) > max) {
      out[last]! -= 1;
      out[last + 1]! += 1;
    }
  }
  return out;
}

/** Reference counts over the profile's range bins (see {@link rangeBinCounts}): `[0, ...counts, 0]`. */
export function referenceRangeCounts(profile: Pick<NumericFeatureProfile, 'counts'>): number[] {
  return [0, ...profile.counts, 0];
}

/** Validates edges and returns the interior ones. */
export function interiorEdges(edges: BinEdges): Float64Array {
  if (edges.length < 2) throw new InvalidArgumentError(`Bin edges need at least 2 entries, got ${edges.length}`);
  const first = edges[0];
  const last = edges[edges.length - 1];
  if (!(first === null || first === -Infinity) || !(last === null || last === Infinity)) {
    throw new InvalidArgumentError('Bin edges must start with null (or -Infinity) and end with null (or Infinity)');
  }
  const interior = new Float64Array(edges.length - 2);
  for (let i = 1; i < edges.length - 1; i++) {
    const e = edges[i];
    if (typeof e !== 'number' || !Number.isFinite(e)) throw new InvalidArgumentError(`Bin edge ${i} is ${String(e)}, expected finite`);
    if (i > 1 && e <= (interior[i - 2] as number)) throw new InvalidArgumentError('Bin edges must be strictly increasing');
    interior[i - 1] = e;
  }
  return interior;
}

/**
 * Quantile bin edges of an ascending sample: interior edges at {@link quantileSorted}(i/bins)
 * for i = 1..bins−1, deduplicated (an edge equal to the previous one is dropped), wrapped in
 * `null` open ends. A constant sample c gives `[null, c, null]`; an empty one `[null, null]`.
 */
export function quantileEdges(sorted: ArrayLike<number>, bins: number): Array<number | null> {
  const out: Array<number | null> = [null];
  if (sorted.length > 0) {
    let prev = -Infinity;
    for (let i = 1; i < bins; i++) {
      const e = quantileSorted(sorted, i / bins);
      if (e > prev) {
        out.push(e);
        prev = e;
      }
    }
  }
  out.push(null);
  return out;
}

function checkInt(name: string, v: number, min: number, max: number): void {
  if (!(Number.isInteger(v) && v >= min && v <= max)) {
    throw new InvalidArgumentError(`${name} must be an integer in [${min}, ${max}], got ${v}`);
  }
}

/** Detects whether a column is categorical (any string/boolean value). */
function isCategoricalColumn(values: ColumnValues): boolean {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v === 'string' || typeof v === 'boolean') return true;
  }
  return false;
}

/** Non-missing numeric values of a column, sorted ascending; throws on strings or ±Infinity. */
export function numericValues(feature: string, values: ColumnValues, sort: boolean): { values: Float64Array; nullCount: number } {
  const out = new Float64Array(values.length);
  let n = 0;
  let nulls = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (isMissing(v)) {
      nulls++;
      continue;
    }
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new InvalidArgumentError(`Column '${feature}' row ${i} is ${JSON.stringify(v) ?? String(v)}, expected a finite number or null`, {
        details: { feature, row: i },
      });
    }
    out[n++] = v;
  }
  const vals = out.subarray(0, n);
  if (sort) vals.sort();
  return { values: vals, nullCount: nulls };
}

/** Category strings of a column (booleans and numbers via String); missing skipped. */
export function categoryValues(values: ColumnValues): { counts: Map<string, number>; nullCount: number; count: number } {
  const counts = new Map<string, number>();
  let nulls = 0;
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (isMissing(v)) {
      nulls++;
      continue;
    }
    const s = typeof v === 'string' ? v : String(v);
    counts.set(s, (counts.get(s) ?? 0) + 1);
    n++;
  }
  return { counts, nullCount: nulls, count: n };
}

function profileNumeric(name: string, values: ColumnValues, bins: number, sketchSize: number): NumericFeatureProfile {
  const { values: sorted, nullCount } = numericValues(name, values, true);
  const n = sorted.length;
  const total = n + nullCount;
  if (n === 0) {
    return {
      name, kind: 'numeric', count: 0, nullCount, nullShare: total === 0 ? 0 : 1,
      mean: null, std: null, min: null, max: null,
      edges: [null, null], counts: [0], proportions: [0], sketch: [], distinct: null,
    };
  }
  let sum = 0;
  for (let i = 0; i < n; i++) sum += sorted[i] as number;
  const mean = sum / n;
  let ss = 0;
  for (let i = 0; i < n; i++) {
    const d = (sorted[i] as number) - mean;
    ss += d * d;
  }
  const edges = quantileEdges(sorted, bins);
  const counts = binCounts(sorted, edges);
  let sketch: number[];
  if (n <= sketchSize) sketch = Array.from(sorted);
  else {
    sketch = new Array<number>(sketchSize);
    for (let j = 0; j < sketchSize; j++) sketch[j] = sorted[Math.round((j * (n - 1)) / (sketchSize - 1))] as number;
  }
  const dv: number[] = [];
  const dc: number[] = [];
  for (let i = 0; i < n && dv.length <= DISCRETE_MAX_DISTINCT; i++) {
    const v = sorted[i] as number;
    if (dv.length > 0 && dv[dv.length - 1] === v) dc[dc.length - 1]! += 1;
    else {
      dv.push(v);
      dc.push(1);
    }
  }
  return {
    name,
    kind: 'numeric',
    count: n,
    nullCount,
    nullShare: nullCount / total,
    mean,
    std: Math.sqrt(ss / n),
    min: sorted[0] as number,
    max: sorted[n - 1] as number,
    edges,
    counts,
    proportions: counts.map((c) => c / n),
    sketch,
    distinct: dv.length <= DISCRETE_MAX_DISTINCT ? { values: dv, counts: dc } : null,
  };
}

function profileCategorical(name: string, values: ColumnValues, topK: number): CategoricalFeatureProfile {
  const { counts, nullCount, count } = categoryValues(values);
  const total = count + nullCount;
  const entries = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const kept = entries.filter(([k]) => k !== OTHER_CATEGORY).slice(0, topK);
  const keptCount = kept.reduce((s, [, c]) => s + c, 0);
  const categories = [...kept.map(([k]) => k), OTHER_CATEGORY];
  const bucketCounts = [...kept.map(([, c]) => c), count - keptCount];
  return {
    name,
    kind: 'categorical',
    count,
    nullCount,
    nullShare: total === 0 ? 0 : nullCount / total,
    categories,
    counts: bucketCounts,
    proportions: bucketCounts.map((c) => (count === 0 ? 0 : c / count)),
    distinctCount: counts.size,
  };
}

/**
 * Builds the reference profile of a data set given column-wise.
 *
 * Numeric column: count, null count/share, mean, population std, min, max; quantile bin edges
 * ({@link quantileEdges}: type-7 quantiles at i/bins, deduplicated, `null` open ends); counts
 * and proportions per bin ({@link binCounts} rule); an ECDF sketch for KS/Wasserstein; the
 * distinct values when there are ≤ 5. Categorical column: top-K categories + `__other__`
 * with counts and proportions. The label column (if named) gets its positive rate.
 * The result is JSON-safe: `JSON.parse(JSON.stringify(p))` deep-equals `p`.
 *
 * @param columns column name → values; all columns the same length.
 * @throws InvalidArgumentError Thrown when there are no columns, lengths differ, an option is
 *   out of range, a numeric value is ±Infinity, the label column is missing or holds a value
 *   other than 0/1/true/false/null.
 */
export function buildReferenceProfile(columns: Record<string, ColumnValues>, options: ProfileOptions = {}): ReferenceProfile {
  const bins = options.bins ?? 10;
  const topK = options.categoricalTopK ?? 20;
  const sketchSize = options.sketchSize ?? 1000;
  checkInt('bins', bins, 1, 1000);
  checkInt('categoricalTopK', topK, 1, 1_000_000);
  checkInt('sketchSize', sketchSize, 2, 100_000);
  const names = Object.keys(columns);
  if (names.length === 0) throw new InvalidArgumentError('Reference data has no columns');
  const rowCount = (columns[names[0] as string] as ColumnValues).length;
  for (const name of names) {
    const len = (columns[name] as ColumnValues).length;
    if (len !== rowCount) {
      throw new InvalidArgumentError(`Column '${name}' has ${len} rows, expected ${rowCount} like '${names[0]}'`);
    }
  }
  let label: LabelProfile | null = null;
  if (options.label !== undefined) {
    const col = columns[options.label];
    if (col === undefined) throw new InvalidArgumentError(`Label column '${options.label}' is missing`);
    let pos = 0;
    let cnt = 0;
    let nulls = 0;
    for (let i = 0; i < col.length; i++) {
      const v = col[i];
      if (isMissing(v)) nulls++;
      else if (v === 1 || v === true) {
        pos++;
        cnt++;
      } else if (v === 0 || v === false) cnt++;
      else throw new InvalidArgumentError(`Label column '${options.label}' row ${i} is ${String(v)}, expected 0 or 1`);
    }
    label = { name: options.label, count: cnt, nullCount: nulls, positiveRate: cnt === 0 ? null : pos / cnt };
  }
  const forced = new Set(options.categorical ?? []);
  const features: FeatureProfile[] = [];
  for (const name of names) {
    if (name === options.label) continue;
    const col = columns[name] as ColumnValues;
    features.push(
      forced.has(name) || isCategoricalColumn(col) ? profileCategorical(name, col, topK) : profileNumeric(name, col, bins, sketchSize),
    );
  }
  return { formatVersion: 1, rowCount, bins, categoricalTopK: topK, sketchSize, features, label };
}
