import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AppError, UnavailableError } from '@strata/shared/util-errors';
import { ServiceClient } from './service-client';

/**
 * How a peer's refusal reaches the caller: a 401/403/429 refuses THIS service (its key, role or
 * rate budget), so it is 503 for the caller, never a 4xx that blames the caller's request
 * (serving answered 400 to /predict while the features service rate-limited serving's key).
 */
describe('ServiceClient (domain errors) maps a peer service answer', () => {
  let server: http.Server;
  let base: string;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const status = Number(req.url?.slice(1));
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: `peer says ${status}` }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((r) => server.close(() => r()));
  });
  const fail = (status: number) =>
    new ServiceClient({ baseUrl: base, credential: undefined }).request('GET', `/${status}`, { timeoutMs: 2000, what: 'Peer' }).catch((e: unknown) => e);

  it.each([401, 403, 429])('%i → UnavailableError (503) naming the refusal', async (status) => {
    const err = await fail(status);
    expect(err).toBeInstanceOf(UnavailableError);
    expect((err as Error).message).toBe(`Peer: GET ${base}/${status} refused this service (${status}): peer says ${status}`);
  });
  it('400 → INVALID_ARGUMENT (the request itself was bad); 500 → UnavailableError', async () => {
    const bad = await fail(400);
    expect(bad).toBeInstanceOf(AppError);
    expect((bad as AppError).code).toBe('INVALID_ARGUMENT');
    expect(await fail(500)).toBeInstanceOf(UnavailableError);
  });
});
