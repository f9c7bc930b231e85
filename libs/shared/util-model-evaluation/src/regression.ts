import { checkRegressionInputs } from './validate';

/**
 * Mean absolute error = (1/n) Σ |yᵢ − ŷᵢ|, in the unit of y.
 *
 * @throws InvalidArgumentError Thrown when inputs are empty, lengths differ or a value is not finite.
 */
export function meanAbsoluteError(actual: ArrayLike<number>, predicted: ArrayLike<number>): number {
  checkRegressionInputs('meanAbsoluteError', actual, predicted);
  let sum = 0;
  for (let i = 0; i < actual.length; i++) sum += Math.abs((actual[i] as number) - (predicted[i] as number));
  return sum / actual.length;
}

/**
 * Root mean squared error = √((1/n) Σ (yᵢ − ŷᵢ)²), in the unit of y.
 *
 * @throws InvalidArgumentError Thrown when inputs are empty, lengths differ or a value is not finite.
 */
export function rootMeanSquaredError(actual: ArrayLike<number>, predicted: ArrayLike<number>): number {
  checkRegressionInputs('rootMeanSquaredError', actual, predicted);
  let sum = 0;
  for (let i = 0; i < actual.length; i++) {
    const d = (actual[i] as number) - (predicted[i] as number);
    sum += d * d;
  }
  return Math.sqrt(sum / actual.length);
}

/** Short aliases. */
export { meanAbsoluteError as mae, rootMeanSquaredError as rmse };
