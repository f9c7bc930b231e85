import { type Blackhole, startBlackhole } from '@strata/shared/testing';
import { UnavailableError } from '@strata/shared/util-errors';
import { ServiceClient } from './service-client';

/** The training worker's calls to the registry fail within their timeout when the registry hangs (moved from libs/training/activities: the worker calls through the one client). */
describe('ServiceClient (training worker → other services) has a deadline', () => {
  let blackhole: Blackhole;
  beforeAll(async () => (blackhole = await startBlackhole()));
  afterAll(() => blackhole.close());

  it('a registry that accepts and never answers → UnavailableError naming the service, the URL and the deadline', async () => {
    const base = `http://127.0.0.1:${blackhole.port}`;
    const url = `${base}/runs/r1`;
    const t0 = Date.now();
    const registry = new ServiceClient({ baseUrl: base, service: 'registry', credential: undefined });
    const err = await registry.request('PATCH', '/runs/r1', { body: { status: 'FINISHED' }, timeoutMs: 300 }).catch((e: unknown) => e);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(err).toBeInstanceOf(UnavailableError);
    expect((err as Error).message).toBe(`registry is unavailable (PATCH ${url}): no answer within 300 ms`);
  });
});
