/** Routing and outcome helpers of the inference service: sticky positions and bounded metric labels. */
import { createHash } from 'node:crypto';
import { AppError, HTTP_STATUS_BY_CODE } from '@strata/shared/util-errors';

/**
 * Position of a sticky value in [0, 1): the first 48 bits of sha256(`rolloutId:value`) / 2^48.
 * Same rollout + same value → same position → same version, on every request and every replica.
 */
export function stickyPosition(rolloutId: string, value: string): number {
  return createHash('sha256').update(`${rolloutId}:${value}`).digest().readUIntBE(0, 6) / 2 ** 48;
}

/** Bounded `alias` label of the latency histogram. */
export function aliasLabel(alias: string | null): string {
  if (alias === null) return 'none';
  return alias === 'champion' || alias === 'challenger' || alias === 'shadow' ? alias : 'other';
}

/** HTTP status an error is answered with (AppError mapping; anything else is a 500). */
export function statusOf(err: unknown): number {
  if (err instanceof AppError) return HTTP_STATUS_BY_CODE[err.code];
  const s = (err as { statusCode?: unknown })?.statusCode;
  return typeof s === 'number' ? s : 500;
}

export function outcomeOf(err: unknown): string {
  if (err instanceof AppError) {
    if (err.code === 'INVALID_ARGUMENT') return 'invalid';
    if (err.code === 'NOT_FOUND') return 'not_found';
    if (err.code === 'UNAVAILABLE') return 'unavailable';
  }
  return 'error';
}
