import { type Client, isGrpcDeadlineError, isGrpcServiceError } from '@temporalio/client';
import { UnavailableError } from '@strata/shared/util-errors';

/** Default deadline of one Temporal client call made in a request path, ms (TEMPORAL_RPC_TIMEOUT_MS). */
export const DEFAULT_TEMPORAL_RPC_TIMEOUT_MS = 10_000;

/**
 * Runs `fn(client)` under a gRPC deadline of `timeoutMs` (Temporal's `client.withDeadline`, which
 * also bounds the SDK's own retries). A Temporal that does not answer in time, or is unreachable,
 * becomes `UnavailableError` (503) naming Temporal, the address, the call and the cause; every
 * other error (already started, not found, ...) is rethrown unchanged.
 */
export async function withTemporalDeadline<T>(client: Client, address: string, timeoutMs: number, what: string, fn: (c: Client) => Promise<T>): Promise<T> {
  try {
    return await client.withDeadline(Date.now() + timeoutMs, () => fn(client));
  } catch (e) {
    if (isGrpcDeadlineError(e)) throw new UnavailableError(`Temporal at ${address} did not answer ${what} within ${timeoutMs} ms (TEMPORAL_RPC_TIMEOUT_MS)`, { cause: e });
    if (isGrpcServiceError(e) || isGrpcServiceError((e as { cause?: unknown })?.cause)) {
      const g = (isGrpcServiceError(e) ? e : (e as { cause: unknown }).cause) as { code?: number; details?: string; message: string };
      if (g.code === GRPC_UNAVAILABLE || g.code === GRPC_CANCELLED)
        throw new UnavailableError(`Temporal at ${address} is unavailable for ${what}: ${g.details ?? g.message}`, { cause: e });
    }
    throw e;
  }
}

/** gRPC status codes (https://grpc.github.io/grpc/core/md_doc_statuscodes.html). */
const GRPC_CANCELLED = 1;
const GRPC_UNAVAILABLE = 14;
