import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { AppError } from '@strata/shared/util-errors';

/** Something coded like an `AppError` (object-store and messaging errors share the shape). */
interface CodedError extends Error {
  code: string;
  retryable: boolean;
}

function isCoded(err: unknown): err is CodedError {
  return err instanceof Error && typeof (err as Partial<CodedError>).code === 'string' && typeof (err as Partial<CodedError>).retryable === 'boolean';
}

function currentAttempt(): number {
  try {
    return Context.current().info.attempt;
  } catch {
    return 1; // called outside an activity (unit tests)
  }
}

/**
 * Maps an error thrown inside an activity to what Temporal should see (CONVENTIONS C9):
 * an `AppError` (or any error with `code` + `retryable`) becomes
 * `ApplicationFailure.create({ type: code, nonRetryable: !retryable, cause })`; an existing
 * `ApplicationFailure` and cancellation pass through; anything else is a retryable `INTERNAL`.
 * `details[0].attempt` carries the attempt number so the workflow can report it.
 */
export function toApplicationFailure(err: unknown): Error {
  if (err instanceof ApplicationFailure) return err;
  if (err instanceof Error && err.name === 'CancelledFailure') return err;
  const attempt = currentAttempt();
  if (err instanceof AppError || isCoded(err)) {
    return ApplicationFailure.create({
      type: err.code,
      message: err.message,
      nonRetryable: !err.retryable,
      details: [{ attempt, ...(err instanceof AppError && err.details ? { details: err.details } : {}) }],
      cause: err,
    });
  }
  const e = err instanceof Error ? err : new Error(String(err));
  return ApplicationFailure.create({ type: 'INTERNAL', message: e.message, nonRetryable: false, details: [{ attempt }], cause: e });
}

/** A non-retryable failure with a code (the run fails at once). */
export function nonRetryable(type: string, message: string, details: Record<string, unknown> = {}): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: true, details: [{ attempt: currentAttempt(), ...details }] });
}

/** Wraps an activity so every error it throws goes through {@link toApplicationFailure}. */
export function mapErrors<A extends unknown[], R>(fn: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return async (...args: A) => {
    try {
      return await fn(...args);
    } catch (err) {
      throw toApplicationFailure(err);
    }
  };
}
