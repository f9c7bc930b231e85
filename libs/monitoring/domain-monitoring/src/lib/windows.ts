import { categoricalCounts, DEFAULT_EPSILON, numericPsi, psi, type FeatureProfile, type ReferenceProfile } from '@strata/shared/util-drift';
import { accuracy, logLoss, rocAuc } from '@strata/shared/util-model-evaluation';
import { InvalidArgumentError } from '@strata/shared/util-errors';

/** Calendar window kinds (UTC). `week` is the ISO week, Monday 00:00 to the next Monday. */
export const WINDOW_KINDS = ['month', 'week', 'day'] as const;
/** One calendar window kind. */
export type WindowKind = (typeof WINDOW_KINDS)[number];

/** A prediction as windows need it (label joined from the latest feedback, if any). */
export interface WindowPrediction {
  predictionId: string;
  modelVersion: number;
  features: Record<string, number | string | null>;
  /** P(y = 1), or null when the model returned none. */
  probability: number | null;
  /** Window assignment time (the prediction's eventTime, else predictedAt). */
  eventTime: Date;
  /** Latest feedback label, or null/undefined when none arrived. */
  label?: number | null;
}

/** PSI drift of one feature over a window. */
export interface FeatureDriftReport {
  feature: string;
  method: 'psi';
  /** PSI, or null when the window (or the reference) has no non-missing value of the feature. */
  score: number | null;
  threshold: number;
  drifted: boolean;
}

/** Performance on the labeled predictions of a window (null members when not computable). */
export interface PerformanceReport {
  /** Mann–Whitney ROC AUC; null with one class only or no labels. */
  rocAuc: number | null;
  /** Accuracy at threshold 0.5 (positive iff probability ≥ 0.5). */
  accuracy: number | null;
  /** Mean log loss, probabilities clipped to [1e-15, 1 − 1e-15]. */
  logLoss: number | null;
}

/** The report of one model version over one window `[windowStart, windowEnd)`. */
export interface WindowReport {
  windowKind: WindowKind;
  windowStart: string;
  windowEnd: string;
  modelVersion: number;
  predictionCount: number;
  /** Predictions with a 0/1 label and a probability. */
  labeledCount: number;
  drift: FeatureDriftReport[];
  /** Features with a score. */
  testedCount: number;
  driftedCount: number;
  /** driftedCount / testedCount (0 when nothing was tested). */
  driftShare: number;
  /** testedCount > 0 and driftShare ≥ the drift-share threshold. */
  datasetDrift: boolean;
  performance: PerformanceReport;
  /** sha256 of the reference profile the drift was computed against, or null without one. */
  referenceProfileSha256: string | null;
}

/** Drift parameters. */
export interface DriftOptions {
  /** PSI at or above which a feature drifted (default 0.1). */
  psiThreshold: number;
  /** Share of drifted features at or above which the dataset drifted (default 0.5). */
  driftShare: number;
  /** PSI epsilon for empty bins (default util-drift's DEFAULT_EPSILON = 1e-4). */
  epsilon?: number;
}

/**
 * The UTC calendar window of kind `kind` containing `t`: month → first of the month;
 * week → ISO week (Monday 00:00); day → midnight. End is exclusive.
 */
export function windowOf(kind: WindowKind, t: Date): { start: Date; end: Date } {
  const y = t.getUTCFullYear();
  const m = t.getUTCMonth();
  const d = t.getUTCDate();
  if (kind === 'month') return { start: new Date(Date.UTC(y, m, 1)), end: new Date(Date.UTC(y, m + 1, 1)) };
  if (kind === 'day') return { start: new Date(Date.UTC(y, m, d)), end: new Date(Date.UTC(y, m, d + 1)) };
  const offset = (t.getUTCDay() + 6) % 7; // days since Monday
  return { start: new Date(Date.UTC(y, m, d - offset)), end: new Date(Date.UTC(y, m, d - offset + 7)) };
}

/**
 * Checks a count window size: a positive multiple of the count block size (count windows merge
 * whole blocks of `block` predictions).
 * @throws InvalidArgumentError naming the query parameter `size` otherwise
 */
export function checkCountWindowSize(size: number, block: number): void {
  if (!Number.isInteger(size) || size <= 0 || size % block !== 0) {
    throw new InvalidArgumentError(`Query parameter 'size' must be a positive multiple of the count block size ${block}, got ${size}`);
  }
}

/**
 * The report window (epoch ms, end exclusive) that an aggregate counter row belongs to, from its
 * window key: `b:<index>` (count block `index` of `block` predictions) → the count window of
 * `size` predictions holding it, `[⌊index·block/size⌋·size, +size)` in prediction sequence numbers;
 * `d:<YYYY-MM-DD>` (a UTC day) → the calendar window of kind `kind` holding that day ({@link windowOf}).
 */
export function reportWindowOfKey(kind: WindowKind | 'count', windowKey: string, block: number, size: number): { start: number; end: number } {
  if (kind === 'count') {
    const start = Math.floor((Number(windowKey.slice(2)) * block) / size) * size;
    return { start, end: start + size };
  }
  const w = windowOf(kind, new Date(`${windowKey.slice(2)}T00:00:00.000Z`));
  return { start: w.start.getTime(), end: w.end.getTime() };
}

/**
 * PSI of one profiled feature over window values, exactly:
 * - numeric profile: `numericPsi(featureProfile, values, epsilon)` from @strata/shared/util-drift
 *   — current values binned with the profile's stored `edges` (left-closed, right-open; open
 *   ends), missing (null, non-numbers) skipped, proportions = bin counts / non-missing count,
 *   PSI = Σ (c′ − r′)·ln(c′/r′) against the profile's `proportions` with empty bins → ε, no
 *   renormalisation; null when the window or the reference has no non-missing value;
 * - categorical profile: `categoricalCounts` (unseen → `__other__`) then `psi(profile.proportions, counts / count, epsilon)`.
 */
export function featurePsi(profile: FeatureProfile, values: ReadonlyArray<number | string | null>, epsilon = DEFAULT_EPSILON): number | null {
  if (profile.kind === 'numeric') {
    const numeric = values.map((v) => (typeof v === 'number' && Number.isFinite(v) ? v : null));
    return numericPsi(profile, numeric, epsilon).psi;
  }
  const { counts, count } = categoricalCounts(profile, values.map((v) => (v === null ? null : String(v))));
  if (count === 0 || profile.count === 0) return null;
  return psi(profile.proportions, counts.map((c) => c / count), epsilon);
}

/** Drift of a window's predictions against a reference profile (every profiled feature, profile order). */
export function windowDrift(
  predictions: ReadonlyArray<WindowPrediction>,
  profile: ReferenceProfile | null,
  options: DriftOptions,
): Pick<WindowReport, 'drift' | 'testedCount' | 'driftedCount' | 'driftShare' | 'datasetDrift'> {
  if (!profile) return { drift: [], testedCount: 0, driftedCount: 0, driftShare: 0, datasetDrift: false };
  const drift = profile.features.map((f): FeatureDriftReport => {
    const score = featurePsi(f, predictions.map((p) => p.features[f.name] ?? null), options.epsilon ?? DEFAULT_EPSILON);
    return { feature: f.name, method: 'psi', score, threshold: options.psiThreshold, drifted: score !== null && score >= options.psiThreshold };
  });
  const testedCount = drift.filter((d) => d.score !== null).length;
  const driftedCount = drift.filter((d) => d.drifted).length;
  const driftShare = testedCount === 0 ? 0 : driftedCount / testedCount;
  return { drift, testedCount, driftedCount, driftShare, datasetDrift: testedCount > 0 && driftShare >= options.driftShare };
}

/** Performance on predictions with a 0/1 label and a probability (util-model-evaluation). */
export function windowPerformance(predictions: ReadonlyArray<WindowPrediction>): { labeledCount: number; performance: PerformanceReport } {
  const labeled = predictions.filter((p) => (p.label === 0 || p.label === 1) && p.probability !== null);
  if (labeled.length === 0) return { labeledCount: 0, performance: { rocAuc: null, accuracy: null, logLoss: null } };
  const labels = labeled.map((p) => p.label as number);
  const probs = labeled.map((p) => p.probability as number);
  return { labeledCount: labeled.length, performance: { rocAuc: rocAuc(labels, probs), accuracy: accuracy(labels, probs, 0.5), logLoss: logLoss(labels, probs) } };
}

/**
 * Cuts predictions into UTC calendar windows by `eventTime`, per model version, and computes
 * counts, PSI drift per profiled feature and performance for each. Sorted by window start, then
 * version.
 *
 * @param profiles reference profile (+ its sha256) per model version; a version without one
 *   gets `drift: []`, `datasetDrift: false`.
 */
export function computeWindowReports(
  kind: WindowKind,
  predictions: ReadonlyArray<WindowPrediction>,
  profiles: ReadonlyMap<number, { profile: ReferenceProfile; sha256: string } | null>,
  options: DriftOptions,
): WindowReport[] {
  const groups = new Map<string, { version: number; start: Date; end: Date; items: WindowPrediction[] }>();
  for (const p of predictions) {
    const w = windowOf(kind, p.eventTime);
    const key = `${p.modelVersion}|${w.start.getTime()}`;
    let g = groups.get(key);
    if (!g) {
      g = { version: p.modelVersion, start: w.start, end: w.end, items: [] };
      groups.set(key, g);
    }
    g.items.push(p);
  }
  return [...groups.values()]
    .sort((a, b) => a.start.getTime() - b.start.getTime() || a.version - b.version)
    .map((g) => {
      const ref = profiles.get(g.version) ?? null;
      const { labeledCount, performance } = windowPerformance(g.items);
      return {
        windowKind: kind,
        windowStart: g.start.toISOString(),
        windowEnd: g.end.toISOString(),
        modelVersion: g.version,
        predictionCount: g.items.length,
        labeledCount,
        ...windowDrift(g.items, ref?.profile ?? null, options),
        performance,
        referenceProfileSha256: ref?.sha256 ?? null,
      };
    });
}
