import { InvalidArgumentError } from '@strata/shared/util-errors';
import {
  predictProba,
  trainLogisticRegression,
  type FeatureRow,
  type LogisticRegressionModel,
  type LogisticRegressionParams,
  type TrainingProgress,
} from './logistic-regression';

/**
 * The value a missing category (null/undefined) stands for, in training and at serving: the empty
 * string (as `MISSING_CATEGORY` of `@strata/shared/util-model-evaluation`).
 */
export const MISSING_CATEGORY = '';

/** One categorical feature's one-hot levels, in column order. */
export interface OneHotEncoding {
  feature: string;
  /** Categories that get a column (most frequent first, ties by code-point order). */
  categories: string[];
}

/** Options of {@link fitOneHotEncodings}. */
export interface OneHotOptions {
  /** At most this many categories per feature get a column (the most frequent), integer ≥ 1. Default 50. */
  maxCategories?: number;
  /** A category seen fewer times than this in training gets no column, integer ≥ 1. Default 1. */
  minFrequency?: number;
}

/** Training data with numeric and categorical (string) features. */
export interface MixedTrainingData {
  /** Numeric feature names, in column order. */
  numericFeatures: ReadonlyArray<string>;
  /** n rows of `numericFeatures.length` numbers (missing = null/undefined/NaN). */
  numericRows: ReadonlyArray<FeatureRow>;
  /** Categorical feature names, in column order. */
  categoricalFeatures: ReadonlyArray<string>;
  /** n rows of `categoricalFeatures.length` strings (missing = null/undefined). */
  categoricalRows: ReadonlyArray<ArrayLike<string | null | undefined>>;
  /** n labels, 0 or 1. */
  labels: ArrayLike<number>;
}

/**
 * A logistic regression over numeric features and one-hot encoded categorical features.
 * Scoring a row: its categories become 0/1 indicator columns (one per kept category; a category
 * without a column, i.e. unseen in training, too rare or beyond `maxCategories`, is all zeros),
 * appended after the numeric values; `linear` scores the result (imputation + standardization of
 * every column, then σ(b + w·z)).
 */
export interface CategoricalLogisticRegressionModel {
  type: 'logistic_regression';
  formatVersion: 1;
  numericFeatures: string[];
  encodings: OneHotEncoding[];
  /** The linear model over `numericFeatures` then `feature=category` indicator columns. */
  linear: LogisticRegressionModel;
}

function checkOptions(o: OneHotOptions): Required<OneHotOptions> {
  const maxCategories = o.maxCategories ?? 50;
  const minFrequency = o.minFrequency ?? 1;
  if (!(Number.isInteger(maxCategories) && maxCategories >= 1)) throw new InvalidArgumentError(`maxCategories must be an integer >= 1, got ${maxCategories}`);
  if (!(Number.isInteger(minFrequency) && minFrequency >= 1)) throw new InvalidArgumentError(`minFrequency must be an integer >= 1, got ${minFrequency}`);
  return { maxCategories, minFrequency };
}

/** A raw category as stored: missing → {@link MISSING_CATEGORY}. */
export function categoryOf(v: string | null | undefined): string {
  return v === null || v === undefined ? MISSING_CATEGORY : v;
}

/**
 * Learns each categorical feature's levels from the training rows: categories counted (missing
 * counted as {@link MISSING_CATEGORY}), those seen at least `minFrequency` times kept, the
 * `maxCategories` most frequent (ties by code-point order) get a column.
 * @throws InvalidArgumentError on bad options or a row of the wrong width.
 */
export function fitOneHotEncodings(
  features: ReadonlyArray<string>,
  rows: ReadonlyArray<ArrayLike<string | null | undefined>>,
  options: OneHotOptions = {},
): OneHotEncoding[] {
  const { maxCategories, minFrequency } = checkOptions(options);
  return features.map((feature, j) => {
    const counts = new Map<string, number>();
    rows.forEach((row, i) => {
      if (row.length !== features.length) throw new InvalidArgumentError(`Categorical row ${i} has ${row.length} values, expected ${features.length}`);
      const c = categoryOf(row[j]);
      counts.set(c, (counts.get(c) ?? 0) + 1);
    });
    const categories = [...counts.entries()]
      .filter(([, n]) => n >= minFrequency)
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .slice(0, maxCategories)
      .map(([c]) => c);
    return { feature, categories };
  });
}

/** Names of the indicator columns: `<feature>=<category>`, in encoding order. */
export function oneHotColumnNames(encodings: ReadonlyArray<OneHotEncoding>): string[] {
  return encodings.flatMap((e) => e.categories.map((c) => `${e.feature}=${c}`));
}

/**
 * Rows of the linear model: the numeric values (missing → NaN) then the 0/1 indicators.
 * @throws InvalidArgumentError when the numeric and categorical rows differ in count.
 */
export function encodeRows(
  numericRows: ReadonlyArray<FeatureRow>,
  categoricalRows: ReadonlyArray<ArrayLike<string | null | undefined>>,
  numericWidth: number,
  encodings: ReadonlyArray<OneHotEncoding>,
): Float64Array[] {
  const n = Math.max(numericRows.length, categoricalRows.length);
  if ((numericWidth > 0 && numericRows.length !== n) || (encodings.length > 0 && categoricalRows.length !== n)) {
    throw new InvalidArgumentError(`Numeric rows (${numericRows.length}) and categorical rows (${categoricalRows.length}) differ in count`);
  }
  const index = encodings.map((e) => new Map(e.categories.map((c, k) => [c, k])));
  const offsets: number[] = [];
  let width = numericWidth;
  for (const e of encodings) {
    offsets.push(width);
    width += e.categories.length;
  }
  const out: Float64Array[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const row = new Float64Array(width);
    const num = numericRows[i];
    for (let j = 0; j < numericWidth; j++) {
      const v = num?.[j];
      row[j] = v === null || v === undefined ? Number.NaN : v;
    }
    const cats = categoricalRows[i];
    encodings.forEach((_, j) => {
      const k = index[j]!.get(categoryOf(cats?.[j]));
      if (k !== undefined) row[offsets[j]! + k] = 1;
    });
    out[i] = row;
  }
  return out;
}

/**
 * Fits one-hot encodings on the training rows ({@link fitOneHotEncodings}), encodes the rows
 * ({@link encodeRows}) and trains {@link trainLogisticRegression} on them (the indicator columns
 * are standardized like every column). Equivalent to scikit-learn's
 * `OneHotEncoder(handle_unknown='ignore')` + `StandardScaler` + `LogisticRegression`.
 * @throws InvalidArgumentError as {@link trainLogisticRegression}, or when there is no feature.
 */
export function trainCategoricalLogisticRegression(
  data: MixedTrainingData,
  params: LogisticRegressionParams = {},
  onProgress?: (p: TrainingProgress) => void,
  encoding: OneHotOptions = {},
): CategoricalLogisticRegressionModel {
  if (data.numericFeatures.length + data.categoricalFeatures.length === 0) throw new InvalidArgumentError('Training data has no features');
  const encodings = fitOneHotEncodings(data.categoricalFeatures, data.categoricalRows, encoding);
  const rows = encodeRows(data.numericRows, data.categoricalRows, data.numericFeatures.length, encodings);
  const linear = trainLogisticRegression({ features: [...data.numericFeatures, ...oneHotColumnNames(encodings)], rows, labels: data.labels }, params, onProgress);
  return { type: 'logistic_regression', formatVersion: 1, numericFeatures: [...data.numericFeatures], encodings, linear };
}

/** P(y = 1) per row of a {@link CategoricalLogisticRegressionModel} (float64). */
export function predictProbaCategorical(
  model: CategoricalLogisticRegressionModel,
  numericRows: ReadonlyArray<FeatureRow>,
  categoricalRows: ReadonlyArray<ArrayLike<string | null | undefined>>,
): Float64Array {
  return predictProba(model.linear, encodeRows(numericRows, categoricalRows, model.numericFeatures.length, model.encodings));
}
