import { InvalidArgumentError } from '@strata/shared/util-errors';

/** Throws unless `labels` and `values` are non-empty, equally long, labels are 0/1 and values finite. */
export function checkBinaryInputs(
  fn: string,
  labels: ArrayLike<number>,
  values: ArrayLike<number>,
  valueName: string,
  unitInterval: boolean,
): void {
  if (labels.length === 0) {
    throw new InvalidArgumentError(`${fn}: labels are empty`, { details: { fn } });
  }
  if (labels.length !== values.length) {
    throw new InvalidArgumentError(
      `${fn}: ${labels.length} labels but ${values.length} ${valueName}`,
      { details: { fn, labels: labels.length, [valueName]: values.length } },
    );
  }
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i];
    if (y !== 0 && y !== 1) {
      throw new InvalidArgumentError(`${fn}: label at index ${i} is ${String(y)}, expected 0 or 1`, {
        details: { fn, index: i },
      });
    }
    const v = values[i] as number;
    if (!Number.isFinite(v)) {
      throw new InvalidArgumentError(`${fn}: ${valueName} at index ${i} is ${String(v)}, expected a finite number`, {
        details: { fn, index: i },
      });
    }
    if (unitInterval && (v < 0 || v > 1)) {
      throw new InvalidArgumentError(`${fn}: ${valueName} at index ${i} is ${v}, expected a probability in [0, 1]`, {
        details: { fn, index: i },
      });
    }
  }
}

/** Throws unless `actual` and `predicted` are non-empty, equally long and finite. */
export function checkRegressionInputs(fn: string, actual: ArrayLike<number>, predicted: ArrayLike<number>): void {
  if (actual.length === 0) throw new InvalidArgumentError(`${fn}: inputs are empty`, { details: { fn } });
  if (actual.length !== predicted.length) {
    throw new InvalidArgumentError(`${fn}: ${actual.length} actual values but ${predicted.length} predictions`, {
      details: { fn },
    });
  }
  for (let i = 0; i < actual.length; i++) {
    if (!Number.isFinite(actual[i] as number) || !Number.isFinite(predicted[i] as number)) {
      throw new InvalidArgumentError(`${fn}: non-finite value at index ${i}`, { details: { fn, index: i } });
    }
  }
}
