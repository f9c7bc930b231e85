import type { Client } from '@temporalio/client';
import { UnavailableError } from '@strata/shared/util-errors';
import { DEFAULT_TEMPORAL_RPC_TIMEOUT_MS, withTemporalDeadline } from './temporal-deadline';

/** A gRPC service error as @grpc/grpc-js raises it (code, details, metadata). */
function grpcError(code: number, details: string): Error {
  return Object.assign(new Error(`${code} ${details}`), { code, details, metadata: {} });
}

/** A client whose `withDeadline` records the deadline and runs the call (what the SDK does, minus gRPC). */
function fakeClient(): { client: Client; deadlines: number[] } {
  const deadlines: number[] = [];
  const client = { withDeadline: (deadline: number, fn: () => Promise<unknown>) => (deadlines.push(deadline), fn()) } as unknown as Client;
  return { client, deadlines };
}

describe('withTemporalDeadline', () => {
  it('runs the call under a deadline of now + timeoutMs and returns its result', async () => {
    const { client, deadlines } = fakeClient();
    const before = Date.now();
    await expect(withTemporalDeadline(client, 'temporal:7233', 1500, 'start', async (c) => (c === client ? 'ok' : 'other client'))).resolves.toBe('ok');
    expect(deadlines).toHaveLength(1);
    expect(deadlines[0]! - before).toBeGreaterThanOrEqual(1500);
    expect(DEFAULT_TEMPORAL_RPC_TIMEOUT_MS).toBe(10_000);
  });

  it('turns DEADLINE_EXCEEDED (4), UNAVAILABLE (14) and CANCELLED (1) into 503 naming Temporal, the address and the call', async () => {
    const { client } = fakeClient();
    const run = (e: Error) => withTemporalDeadline(client, 'temporal:7233', 1500, "start of 'run-1'", () => Promise.reject(e));
    const deadline = await run(grpcError(4, 'Deadline exceeded')).catch((e: unknown) => e);
    expect(deadline).toBeInstanceOf(UnavailableError);
    expect((deadline as Error).message).toBe("Temporal at temporal:7233 did not answer start of 'run-1' within 1500 ms (TEMPORAL_RPC_TIMEOUT_MS)");
    const down = await run(grpcError(14, 'No connection established')).catch((e: unknown) => e);
    expect([down instanceof UnavailableError, (down as Error).message]).toEqual([true, "Temporal at temporal:7233 is unavailable for start of 'run-1': No connection established"]);
    const wrapped = await run(Object.assign(new Error('call failed'), { cause: grpcError(1, 'Cancelled on client') })).catch((e: unknown) => e);
    expect([wrapped instanceof UnavailableError, (wrapped as Error).message]).toEqual([true, "Temporal at temporal:7233 is unavailable for start of 'run-1': Cancelled on client"]);
  });

  it('rethrows any other error unchanged (already started, not found, ...)', async () => {
    const { client } = fakeClient();
    const notFound = grpcError(5, 'workflow not found');
    await expect(withTemporalDeadline(client, 'temporal:7233', 1500, 'describe', () => Promise.reject(notFound))).rejects.toBe(notFound);
    const plain = new Error('boom');
    await expect(withTemporalDeadline(client, 'temporal:7233', 1500, 'describe', () => Promise.reject(plain))).rejects.toBe(plain);
  });
});
