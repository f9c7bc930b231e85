/** χ² statistics: log-gamma, the regularized incomplete gamma, the χ² survival function, goodness-of-fit and homogeneity tests. */
import { InvalidArgumentError } from '@strata/shared/util-errors';
import { checkProportions, DEFAULT_EPSILON } from './proportions';

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
