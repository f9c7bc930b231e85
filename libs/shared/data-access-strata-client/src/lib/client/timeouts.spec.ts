import { startUnreachablePeers, type UnreachablePeers } from '@strata/shared/testing';
import { StrataUnreachableError } from './errors';
import { ServiceClient } from './service-client';
import { UnavailableError } from '@strata/shared/util-errors';

/**
 * Service-to-service calls against a peer that accepts TCP connections and never answers (a hung
 * service) and against a closed port: each fails within its timeout with an error naming the URL
 * and the cause, never an endless wait.
 */
describe('service-to-service HTTP calls have a deadline', () => {
  let peers: UnreachablePeers;
  beforeAll(async () => (peers = await startUnreachablePeers()));
  afterAll(() => peers.close());
  const hung = () => `http://127.0.0.1:${peers.blackhole.port}`;

  const inService = (baseUrl: string) => new ServiceClient({ baseUrl, service: 'registry', credential: undefined });

  it('inside services (domain errors): UnavailableError naming what, the URL and "no answer within 300 ms"', async () => {
    const t0 = Date.now();
    const err = await inService(hung()).request('GET', '/registered-models/m/versions/1', { timeoutMs: 300, what: 'Model version m@1' }).catch((e: unknown) => e);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(err).toBeInstanceOf(UnavailableError);
    expect((err as Error).message).toBe(`Model version m@1: GET ${hung()}/registered-models/m/versions/1 failed: no answer within 300 ms`);
    const refused = await inService(`http://127.0.0.1:${peers.closedPort}`).request('GET', '/x', { timeoutMs: 300, what: 'X' }).catch((e: unknown) => e);
    expect((refused as Error).message).toMatch(new RegExp(`X: GET http://127.0.0.1:${peers.closedPort}/x failed: .*ECONNREFUSED`));
  });

  it('StrataClient side (CLI, e2e): StrataUnreachableError naming the URL and the deadline', async () => {
    const t0 = Date.now();
    const err = await new ServiceClient({ baseUrl: hung(), timeoutMs: 300, credential: undefined, errors: 'http' }).get('/health/ready').catch((e: unknown) => e);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(err).toBeInstanceOf(StrataUnreachableError);
    expect((err as Error).message).toBe(`GET ${hung()}/health/ready failed: no answer within 300 ms`);
  });
});
