import * as net from 'node:net';
import { UnavailableError } from '@strata/shared/util-errors';
import { ServiceClient } from './service-client';

/** The training worker's calls to the registry fail within their timeout when the registry hangs (moved from libs/training/activities: the worker calls through the one client). */
describe('ServiceClient (training worker → other services) has a deadline', () => {
  let blackhole: net.Server;
  const sockets = new Set<net.Socket>();
  beforeAll(async () => {
    blackhole = net.createServer((s) => {
      sockets.add(s);
      s.on('error', () => undefined);
    });
    await new Promise<void>((r) => blackhole.listen(0, '127.0.0.1', () => r()));
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => blackhole.close(() => r()));
  });

  it('a registry that accepts and never answers → UnavailableError naming the service, the URL and the deadline', async () => {
    const base = `http://127.0.0.1:${(blackhole.address() as net.AddressInfo).port}`;
    const url = `${base}/runs/r1`;
    const t0 = Date.now();
    const registry = new ServiceClient({ baseUrl: base, service: 'registry', credential: undefined });
    const err = await registry.request('PATCH', '/runs/r1', { body: { status: 'FINISHED' }, timeoutMs: 300 }).catch((e: unknown) => e);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(err).toBeInstanceOf(UnavailableError);
    expect((err as Error).message).toBe(`registry is unavailable (PATCH ${url}): no answer within 300 ms`);
  });
});
