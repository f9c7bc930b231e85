/** Input checks shared by the proportion-based statistics ({@link psi}, {@link jensenShannonDistance}, {@link chiSquaredTest}). */
import { InvalidArgumentError } from '@strata/shared/util-errors';

/** Default epsilon substituted for an empty bin in {@link psi} and {@link chiSquaredTest}. */
export const DEFAULT_EPSILON = 1e-4;

/** Throws an InvalidArgumentError unless every entry of `p` is finite and ≥ 0 and they sum to 1 (within 1e-6). */
export function checkProportions(fn: string, name: string, p: ArrayLike<number>): void {
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
