import { InvalidArgumentError } from '@strata/shared/util-errors';
import { checkProportions, DEFAULT_EPSILON } from './proportions';

export { DEFAULT_EPSILON } from './proportions';
export { chiSquaredHomogeneity, chiSquaredSurvival, chiSquaredTest, logGamma, regularizedGammaQ, type ChiSquaredResult } from './chi-squared';

/**
 * Quantile of an ascending-sorted sample by linear interpolation between order statistics
 * (Hyndman & Fan type 7, numpy's default `linear`): with n values and h = (n − 1)·q,
 *
 *   Q(q) = x[⌊h⌋] + (h − ⌊h⌋) · (x[⌊h⌋ + 1] − x[⌊h⌋])      (0-based x)
 *
 * @param sorted ascending, finite, non-empty.
 * @param q probability in [0, 1].
 * @throws InvalidArgumentError Thrown when `sorted` is empty or q is outside [0, 1].
 */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) throw new InvalidArgumentError('quantileSorted: empty sample');
  if (!(q >= 0 && q <= 1)) throw new InvalidArgumentError(`quantileSorted: q must be in [0, 1], got ${q}`);
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const a = sorted[lo] as number;
  if (lo + 1 >= n) return a;
  const b = sorted[lo + 1] as number;
  return a + (h - lo) * (b - a);
}

/**
 * Population Stability Index of two binned distributions over the same bins:
 *
 *   r'ᵢ = rᵢ if rᵢ > 0 else ε,   c'ᵢ = cᵢ if cᵢ > 0 else ε      (no renormalization)
 *   PSI = Σᵢ (c'ᵢ − r'ᵢ) · ln(c'ᵢ / r'ᵢ)
 *
 * This is Evidently's `psi` stattest (zeros replaced by 0.0001 via `np.place`, then summed
 * without renormalizing). Every term is ≥ 0, so PSI ≥ 0; a bin empty in both contributes 0.
 * Rule of thumb: < 0.1 stable, 0.1–0.25 moderate shift, > 0.25 major shift.
 *
 * @param reference proportions per bin (≥ 0, summing to 1 within 1e-6).
 * @param current proportions per bin, same length, same constraints.
 * @param epsilon substitute for an empty bin, in (0, 1). Default {@link DEFAULT_EPSILON} (1e-4).
 * @returns PSI ≥ 0, finite.
 * @throws InvalidArgumentError Thrown when lengths differ or are 0, a proportion is negative or
 *   not finite, a side does not sum to 1, or epsilon is outside (0, 1).
 */
export function psi(reference: ArrayLike<number>, current: ArrayLike<number>, epsilon = DEFAULT_EPSILON): number {
  if (reference.length === 0 || reference.length !== current.length) {
    throw new InvalidArgumentError(`psi: need equally long non-empty proportion arrays, got ${reference.length} and ${current.length}`);
  }
  if (!(epsilon > 0 && epsilon < 1)) throw new InvalidArgumentError(`psi: epsilon must be in (0, 1), got ${epsilon}`);
  checkProportions('psi', 'reference', reference);
  checkProportions('psi', 'current', current);
  let sum = 0;
  for (let i = 0; i < reference.length; i++) {
    const r = (reference[i] as number) > 0 ? (reference[i] as number) : epsilon;
    const c = (current[i] as number) > 0 ? (current[i] as number) : epsilon;
    sum += (c - r) * Math.log(c / r);
  }
  return sum;
}

/**
 * Jensen–Shannon distance, base 2 (scipy's `jensenshannon(p, q, base=2)`):
 *
 *   M = (P + Q)/2,  JSD = ½·KL(P‖M) + ½·KL(Q‖M) with log₂ and 0·log 0 = 0,  distance = √JSD ∈ [0, 1]
 *
 * Sources: the divergence is Lin, "Divergence measures based on the Shannon entropy", IEEE
 * Trans. Inf. Theory 37(1):145–151, 1991 (eq. 4.1 with weights ½; bounded by 1 bit, equal to 1
 * exactly when P and Q have disjoint supports); its square root is a metric (Endres &
 * Schindelin, "A new metric for probability distributions", IEEE Trans. Inf. Theory
 * 49(7):1858–1860, 2003); scipy.spatial.distance.jensenshannon computes the same. Over a
 * numeric feature's range bins (`rangeBinCounts`) windows disjoint from the reference are
 * disjoint bucket-wise and get exactly 1.
 *
 * Needs no epsilon (M > 0 wherever P or Q is). Note Evidently's `jensenshannon` stattest uses
 * the natural log (range [0, √ln 2 ≈ 0.833]); base-2 values are 1/√ln2 ≈ 1.20× larger.
 *
 * @param p, q distributions over the same buckets (≥ 0, each summing to 1 within 1e-6).
 * @throws InvalidArgumentError Thrown when lengths differ or are 0, or an entry is invalid.
 */
export function jensenShannonDistance(p: ArrayLike<number>, q: ArrayLike<number>): number {
  if (p.length === 0 || p.length !== q.length) {
    throw new InvalidArgumentError(`jensenShannonDistance: need equally long non-empty arrays, got ${p.length} and ${q.length}`);
  }
  checkProportions('jensenShannonDistance', 'p', p);
  checkProportions('jensenShannonDistance', 'q', q);
  let js = 0;
  for (let i = 0; i < p.length; i++) {
    const a = p[i] as number;
    const b = q[i] as number;
    const m = (a + b) / 2;
    if (a > 0) js += 0.5 * a * Math.log2(a / m);
    if (b > 0) js += 0.5 * b * Math.log2(b / m);
  }
  return Math.sqrt(Math.min(1, Math.max(0, js)));
}

/**
 * Two-sample Kolmogorov–Smirnov statistic D = supₓ |F_a(x) − F_b(x)| of two ascending-sorted
 * samples, each value weighing 1/n of its sample (empirical CDFs, right-continuous; ties
 * across samples are stepped together). O(n_a + n_b).
 *
 * @returns D in [0, 1]; 0 when either sample is empty.
 */
export function ksStatisticSorted(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const na = a.length;
  const nb = b.length;
  if (na === 0 || nb === 0) return 0;
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < na && j < nb) {
    const x = Math.min(a[i] as number, b[j] as number);
    while (i < na && (a[i] as number) <= x) i++;
    while (j < nb && (b[j] as number) <= x) j++;
    d = Math.max(d, Math.abs(i / na - j / nb));
  }
  return d;
}

/**
 * Survival function of the Kolmogorov distribution, Q_KS(λ) = 1 − K(λ) (Numerical Recipes 3rd
 * ed. §6.14 `qks`, double precision everywhere):
 *
 *   λ < 1.18: Q = 1 − (√(2π)/λ) Σ_{j=1..4} e^{−(2j−1)² π² / (8λ²)}
 *   λ ≥ 1.18: Q = 2 Σ_{j=1..4} (−1)^{j−1} e^{−2 j² λ²}
 *
 * (both series truncated where the next term is below 1e-19). Equals scipy's
 * `kstwobign.sf(λ)` within 1e-15 (independent-stats.int-spec.ts). Clamped to [0, 1]; 1 for λ ≤ 0.
 */
export function kolmogorovSurvival(lambda: number): number {
  if (!(lambda > 0)) return 1;
  if (lambda < 1.18) {
    const y = Math.exp(-(Math.PI * Math.PI) / (8 * lambda * lambda));
    const cdf = (Math.sqrt(2 * Math.PI) / lambda) * (y + y ** 9 + y ** 25 + y ** 49);
    return Math.min(1, Math.max(0, 1 - cdf));
  }
  const x = Math.exp(-2 * lambda * lambda);
  return Math.min(1, Math.max(0, 2 * (x - x ** 4 + x ** 9 - x ** 16)));
}

/** Result of a two-sample KS test. */
export interface KsResult {
  /** D = sup |F_ref − F_cur|, in [0, 1]. */
  statistic: number;
  /** Asymptotic two-sided p-value, in [0, 1]. */
  pValue: number;
}

/**
 * Asymptotic two-sided p-value of a two-sample KS statistic with Stephens' (1970) small-sample
 * correction (Numerical Recipes §14.3):
 *
 *   Nₑ = n·m/(n + m),  p = Q_KS((√Nₑ + 0.12 + 0.11/√Nₑ) · D)
 *
 * @param n, m sample sizes (≥ 1; p = 1 when either is 0).
 */
export function ksPValue(statistic: number, n: number, m: number): number {
  if (!(n > 0 && m > 0)) return 1;
  const en = Math.sqrt((n * m) / (n + m));
  return kolmogorovSurvival((en + 0.12 + 0.11 / en) * statistic);
}

/**
 * Two-sample KS test on raw samples (copies and sorts them): D by {@link ksStatisticSorted},
 * p by {@link ksPValue}.
 *
 * @throws InvalidArgumentError Thrown when a sample is empty or holds a non-finite value.
 */
export function ksTwoSample(a: ArrayLike<number>, b: ArrayLike<number>): KsResult {
  const sa = toSortedFinite('ksTwoSample', a);
  const sb = toSortedFinite('ksTwoSample', b);
  const statistic = ksStatisticSorted(sa, sb);
  return { statistic, pValue: ksPValue(statistic, sa.length, sb.length) };
}

/**
 * First Wasserstein (earth mover's) distance between the empirical distributions of two
 * ascending-sorted samples, W₁ = ∫ |F_a(x) − F_b(x)| dx (scipy's `wasserstein_distance`), in the
 * unit of the values. 0 when either sample is empty.
 */
export function wassersteinSorted(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const na = a.length;
  const nb = b.length;
  if (na === 0 || nb === 0) return 0;
  let i = 0;
  let j = 0;
  let area = 0;
  let x = Math.min(a[0] as number, b[0] as number);
  while (i < na || j < nb) {
    // advance past all values equal to x, then integrate |Fa − Fb| up to the next point
    while (i < na && (a[i] as number) <= x) i++;
    while (j < nb && (b[j] as number) <= x) j++;
    if (i >= na && j >= nb) break;
    const next = Math.min(i < na ? (a[i] as number) : Infinity, j < nb ? (b[j] as number) : Infinity);
    area += Math.abs(i / na - j / nb) * (next - x);
    x = next;
  }
  return area;
}

/** Copies the finite values to a Float64Array and sorts it ascending. */
export function toSortedFinite(fn: string, values: ArrayLike<number>): Float64Array {
  if (values.length === 0) throw new InvalidArgumentError(`${fn}: empty sample`);
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (!Number.isFinite(v)) throw new InvalidArgumentError(`${fn}: value at index ${i} is ${String(v)}, expected finite`);
    out[i] = v;
  }
  return out.sort();
}
