/** Shapes of logistic-regression training: rows, data, hyper-parameters, progress and the fitted model (JSON-safe). */

/**
 * One row of features, in `features` order. A missing value is `null`, `undefined` or `NaN`
 * (a `Float64Array` row uses `NaN`). ±Infinity is not "missing" and is rejected.
 */
export type FeatureRow = ArrayLike<number | null | undefined>;

/** Training data: `rows[i]` has one value per name in `features`, `labels[i]` is 0 or 1. */
export interface TrainingData {
  /** Feature names, unique, in column order. */
  features: ReadonlyArray<string>;
  /** n rows of `features.length` values each. */
  rows: ReadonlyArray<FeatureRow>;
  /** n labels, each exactly 0 or 1 (1 = the positive class). */
  labels: ArrayLike<number>;
}

/**
 * Per-class sample weights. `'balanced'` gives class c the weight n / (2 · n_c) (sklearn's
 * `class_weight='balanced'`); an object gives explicit positive weights.
 */
export type ClassWeight = 'balanced' | { 0: number; 1: number };

/** Hyper-parameters of {@link trainLogisticRegression}; every field is optional. */
export interface LogisticRegressionParams {
  /** L2 penalty λ ≥ 0 on the standardized coefficients (not the intercept). Default 1e-4. */
  l2?: number;
  /** Maximum Newton iterations, integer ≥ 1. Default 100. */
  maxIterations?: number;
  /** Converged when the max-norm of the objective's gradient is below this, > 0. Default 1e-8. */
  tolerance?: number;
  /** Initial Newton step length in (0, 1] before backtracking. Default 1. */
  learningRate?: number;
  /** Per-class sample weights. Default: all rows weigh 1. */
  classWeight?: ClassWeight;
}

/** Progress of one Newton iteration. */
export interface TrainingProgress {
  /** 1-based iteration number. */
  iteration: number;
  /** Regularized objective after the iteration (weighted mean log loss + λ/2·‖w‖², nats). */
  loss: number;
  /** Max-norm of the objective's gradient after the iteration. */
  gradientNorm: number;
}

/**
 * A trained logistic regression, JSON-serializable. Scoring a row x (after replacing missing
 * values by `imputeValues`):
 *
 *   zⱼ = (xⱼ − meansⱼ) / scalesⱼ,  P(y = 1 | x) = σ(intercept + Σⱼ coefficientsⱼ · zⱼ),  σ(t) = 1/(1+e^(−t))
 *
 * `coefficients` are on the standardized scale (one per feature, `featureNames` order).
 */
export interface LogisticRegressionModel {
  type: 'logistic_regression';
  /** Version of this object's shape. */
  formatVersion: 1;
  featureNames: string[];
  /** Training means of the non-missing values, per feature. */
  means: number[];
  /** Training population standard deviations (ddof 0); 1 where a feature is (near) constant. */
  scales: number[];
  /** Values substituted for missing inputs: the training means. */
  imputeValues: number[];
  coefficients: number[];
  intercept: number;
  /** Newton iterations run. */
  iterations: number;
  /** Whether the gradient max-norm fell below `tolerance` within `maxIterations`. */
  converged: boolean;
  /** Unweighted, unregularized mean log loss on the training rows (nats). */
  trainLoss: number;
  /** Number of training rows. */
  trainRows: number;
  /** Share of training rows with label 1. */
  trainPositiveRate: number;
  /** The hyper-parameters used, defaults filled in. */
  params: { l2: number; maxIterations: number; tolerance: number; learningRate: number; classWeight: ClassWeight | null };
}
