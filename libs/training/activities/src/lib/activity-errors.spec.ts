import { ApplicationFailure } from '@temporalio/common';
import { InvalidArgumentError, UnavailableError } from '@strata/shared/util-errors';
import { toApplicationFailure } from './activity-errors';

describe(toApplicationFailure.name, () => {
  it('maps a non-retryable AppError to a non-retryable failure typed by its code', () => {
    const f = toApplicationFailure(new InvalidArgumentError("Unknown trainer 'x'"));
    expect(f).toBeInstanceOf(ApplicationFailure);
    expect(f).toMatchObject({ type: 'INVALID_ARGUMENT', nonRetryable: true, message: "Unknown trainer 'x'", details: [{ attempt: 1 }] });
  });

  it('keeps retryable errors retryable, and unknown errors are retryable INTERNAL', () => {
    expect(toApplicationFailure(new UnavailableError('registry down'))).toMatchObject({ type: 'UNAVAILABLE', nonRetryable: false });
    expect(toApplicationFailure(new Error('boom'))).toMatchObject({ type: 'INTERNAL', nonRetryable: false, message: 'boom' });
  });

  it('passes ApplicationFailures through unchanged', () => {
    const f = ApplicationFailure.create({ type: 'TRAINING_SET_FAILED', message: 'x', nonRetryable: true });
    expect(toApplicationFailure(f)).toBe(f);
  });
});
