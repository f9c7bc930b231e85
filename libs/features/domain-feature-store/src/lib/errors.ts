import { OfflineStoreError, OfflineStoreErrorCode } from '@strata/features/data-access-offline-store';
import { AppError, IntegrityError, InvalidArgumentError } from '@strata/shared/util-errors';

/** Maps offline-store errors to coded API errors: bad repo / refs / entity frames → 400, failing SQL or views → 422. */
export function toAppError(e: unknown): unknown {
  if (e instanceof AppError || !(e instanceof OfflineStoreError)) return e;
  switch (e.code) {
    case OfflineStoreErrorCode.FEATURE_REPO_INVALID:
    case OfflineStoreErrorCode.FEATURE_REFERENCE_INVALID:
    case OfflineStoreErrorCode.ENTITY_FRAME_INVALID:
      return new InvalidArgumentError(e.message, { details: e.details, cause: e });
    default:
      return new IntegrityError(e.message, { details: e.details, cause: e, retryable: e.retryable });
  }
}

/** Message of any thrown value. */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
