import { InvalidArgumentError } from '@strata/shared/util-errors';

/** Default epsilon substituted for an empty bin in {@link psi} and {@link chiSquaredTest}. */
export const DEFAULT_EPSILON = 1e-4;

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

function checkProportions(fn: string, name: string, p: ArrayLike<number>): void {
  let sum = 0;
  for (let i = 0; i < p.length; i++) {
    const v = p[i] as number;
    if (!(Number.isFinite(v) && v >= 0)) {
      throw new InvalidArgumentError(`${fn}: ${name}[${i}] is ${String(v)}, expected a finite number >= 0`);
    }
    sum += v;
  }
  if (Math.abs(sum - 1) > 1e-6) throw new InvalidArgumentError(`${fn}: ${name} sum to ${sum}, expected 1`);
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

/**
 * Natural log of the gamma function, Lanczos approximation (g = 7, n = 9; |rel. error| < 1e-15
 * for x > 0), with the reflection formula below 0.5.
 */
export function logGamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const z = x - 1;
  let s = c[0] as number;
  for (let k = 1; k < 9; k++) s += (c[k] as number) / (z + k);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(s);
}

/**
 * Regularized upper incomplete gamma Q(a, x) = Γ(a, x)/Γ(a), by the series of P(a, x) for
 * x < a + 1 and the Lentz continued fraction otherwise (Numerical Recipes §6.2, `gammq`),
 * relative accuracy ~1e-14.
 *
 * @param a shape > 0. @param x ≥ 0.
 * @throws InvalidArgumentError Thrown when a ≤ 0 or x < 0 (or either is not finite).
 */
export function regularizedGammaQ(a: number, x: number): number {
  if (!(a > 0 && Number.isFinite(a)) || !(x >= 0 && Number.isFinite(x))) {
    throw new InvalidArgumentError(`regularizedGammaQ: need a > 0 and x >= 0, got a=${a}, x=${x}`);
  }
  if (x === 0) return 1;
  const gln = logGamma(a);
  if (x < a + 1) {
    let ap = a;
    let del = 1 / a;
    let sum = del;
    for (let n = 0; n < 10_000; n++) {
      ap += 1;
      del *= x / ap;
      sum += del;
      if (Math.abs(del) < Math.abs(sum) * 1e-16) break;
    }
    const p = sum * Math.exp(-x + a * Math.log(x) - gln);
    return Math.min(1, Math.max(0, 1 - p));
  }
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 10_000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-16) break;
  }
  return Math.min(1, Math.max(0, Math.exp(-x + a * Math.log(x) - gln) * h));
}

/** Survival function of the χ² distribution: P(X ≥ x) = Q(df/2, x/2). */
export function chiSquaredSurvival(x: number, df: number): number {
  if (!(df > 0)) throw new InvalidArgumentError(`chiSquaredSurvival: df must be > 0, got ${df}`);
  return regularizedGammaQ(df / 2, Math.max(0, x) / 2);
}

/** Result of {@link chiSquaredTest}. */
export interface ChiSquaredResult {
  /** χ² statistic, ≥ 0. */
  statistic: number;
  /** Degrees of freedom: buckets used − 1 (0 → statistic 0, p 1). */
  df: number;
  /** P(χ²_df ≥ statistic), in [0, 1]. */
  pValue: number;
}

/**
 * Pearson χ² goodness-of-fit of current counts against reference proportions (Evidently's
 * `chisquare` stattest: scipy `chisquare(f_obs, f_exp)` with expected = reference share × n):
 *
 *   buckets used: those with rᵢ > 0 or oᵢ > 0 (a bucket empty on both sides is dropped)
 *   r'ᵢ = rᵢ if rᵢ > 0 else ε, then r' renormalized to sum 1 over the buckets used
 *   Eᵢ = n · r'ᵢ (n = Σ oᵢ),  χ² = Σ (oᵢ − Eᵢ)² / Eᵢ,  df = (#buckets used) − 1,  p = Q(df/2, χ²/2)
 *
 * ε keeps χ² finite when a category appears that the reference never saw. With n = 0 the
 * result is statistic 0, p 1.
 *
 * @param observed current counts per bucket (finite, ≥ 0).
 * @param reference reference proportions per bucket (≥ 0, summing to 1 within 1e-6).
 * @throws InvalidArgumentError Thrown when lengths differ or are 0, or an entry is invalid.
 */
export function chiSquaredTest(
  observed: ArrayLike<number>,
  reference: ArrayLike<number>,
  epsilon = DEFAULT_EPSILON,
): ChiSquaredResult {
  if (observed.length === 0 || observed.length !== reference.length) {
    throw new InvalidArgumentError(`chiSquaredTest: need equally long non-empty arrays, got ${observed.length} and ${reference.length}`);
  }
  if (!(epsilon > 0 && epsilon < 1)) throw new InvalidArgumentError(`chiSquaredTest: epsilon must be in (0, 1), got ${epsilon}`);
  checkProportions('chiSquaredTest', 'reference', reference);
  let n = 0;
  for (let i = 0; i < observed.length; i++) {
    const o = observed[i] as number;
    if (!(Number.isFinite(o) && o >= 0)) throw new InvalidArgumentError(`chiSquaredTest: observed[${i}] is ${String(o)}`);
    n += o;
  }
  const used: number[] = [];
  let rSum = 0;
  for (let i = 0; i < observed.length; i++) {
    const r = reference[i] as number;
    if (r > 0 || (observed[i] as number) > 0) {
      used.push(i);
      rSum += r > 0 ? r : epsilon;
    }
  }
  const df = used.length - 1;
  if (n === 0 || df <= 0) return { statistic: 0, df: Math.max(0, df), pValue: 1 };
  let stat = 0;
  for (const i of used) {
    const r = (reference[i] as number) > 0 ? (reference[i] as number) : epsilon;
    const e = (n * r) / rSum;
    const d = (observed[i] as number) - e;
    stat += (d * d) / e;
  }
  return { statistic: stat, df, pValue: chiSquaredSurvival(stat, df) };
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

/**
 * Pearson χ² test of homogeneity (2 × k contingency table, scipy's `chi2_contingency` without
 * Yates' correction): are the reference and current counts draws from the same distribution?
 * Unlike {@link chiSquaredTest} it accounts for the reference being a sample too.
 *
 *   buckets used: those with rᵢ + cᵢ > 0;  R = Σ rᵢ, C = Σ cᵢ, N = R + C
 *   E(r)ᵢ = R·(rᵢ + cᵢ)/N,  E(c)ᵢ = C·(rᵢ + cᵢ)/N
 *   χ² = Σᵢ (rᵢ − E(r)ᵢ)²/E(r)ᵢ + (cᵢ − E(c)ᵢ)²/E(c)ᵢ,  df = (#buckets used) − 1,  p = Q(df/2, χ²/2)
 *
 * No epsilon is needed (every expected count of a used bucket is > 0). With R = 0, C = 0 or
 * df = 0 the result is statistic 0, p 1.
 *
 * @param reference reference counts per bucket (finite, ≥ 0).
 * @param current current counts per bucket, same length.
 * @throws InvalidArgumentError Thrown when lengths differ or are 0, or a count is invalid.
 */
export function chiSquaredHomogeneity(reference: ArrayLike<number>, current: ArrayLike<number>): ChiSquaredResult {
  if (reference.length === 0 || reference.length !== current.length) {
    throw new InvalidArgumentError(
      `chiSquaredHomogeneity: need equally long non-empty arrays, got ${reference.length} and ${current.length}`,
    );
  }
  let rTot = 0;
  let cTot = 0;
  for (let i = 0; i < reference.length; i++) {
    const r = reference[i] as number;
    const c = current[i] as number;
    if (!(Number.isFinite(r) && r >= 0 && Number.isFinite(c) && c >= 0)) {
      throw new InvalidArgumentError(`chiSquaredHomogeneity: counts at index ${i} are ${r} and ${c}`);
    }
    rTot += r;
    cTot += c;
  }
  const total = rTot + cTot;
  let used = 0;
  let stat = 0;
  for (let i = 0; i < reference.length; i++) {
    const r = reference[i] as number;
    const c = current[i] as number;
    const col = r + c;
    if (col === 0) continue;
    used++;
    const er = (rTot * col) / total;
    const ec = (cTot * col) / total;
    if (er > 0) stat += ((r - er) * (r - er)) / er;
    if (ec > 0) stat += ((c - ec) * (c - ec)) / ec;
  }
  const df = used - 1;
  if (rTot === 0 || cTot === 0 || df <= 0) return { statistic: 0, df: Math.max(0, df), pValue: 1 };
  return { statistic: stat, df, pValue: chiSquaredSurvival(stat, df) };
}
