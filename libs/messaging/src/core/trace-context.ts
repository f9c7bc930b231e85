import { randomBytes } from 'node:crypto';
import { isValidTraceparent } from '@strata/contracts';

/**
 * A new W3C `traceparent` (version 00, random trace id and span id, sampled flag `01`), used
 * when a publish has no trace context to continue.
 */
export function createTraceparent(): string {
  return `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`;
}

/**
 * The traceparent to carry: `given` when it is a valid W3C traceparent, else a new one.
 * An invalid one is replaced rather than rejected: tracing must never make a publish fail.
 */
export function resolveTraceparent(given: string | undefined): string {
  return given !== undefined && isValidTraceparent(given) ? given : createTraceparent();
}
