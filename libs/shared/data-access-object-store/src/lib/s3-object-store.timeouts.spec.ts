import { startUnreachablePeers, type UnreachablePeers } from '@strata/shared/testing';
import { ObjectStoreError } from './object-store.errors';
import { s3ConnectionFromConfig, objectStoreEnvShape } from './object-store-config';
import { S3ObjectStore } from './s3-object-store';
import { z } from 'zod';

/**
 * The S3 client never waits forever: against an endpoint that accepts TCP connections and never
 * answers (a hung S3), every call fails within about attempts × S3_SOCKET_TIMEOUT_MS with an
 * error naming S3, the object and the timeout; against a closed port it fails at once.
 */
describe('S3ObjectStore deadlines (black-holed and refused endpoint)', () => {
  let peers: UnreachablePeers;
  beforeAll(async () => (peers = await startUnreachablePeers()));
  afterAll(() => peers.close());
  const store = (port: number) =>
    new S3ObjectStore({
      endpoint: `http://127.0.0.1:${port}`,
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
      bucket: 'strata-timeouts',
      connectTimeoutMs: 500,
      socketTimeoutMs: 500,
      maxAttempts: 2,
    });

  it.each([
    ['getBuffer', (s: S3ObjectStore) => s.getBuffer('a/b.bin')],
    ['put', (s: S3ObjectStore) => s.put('a/b.bin', Buffer.from('hello'))],
    ['stat', (s: S3ObjectStore) => s.stat('a/b.bin')],
  ])('%s on a hung S3 fails within 2 attempts × 500 ms, naming S3, the object and the timeout', async (_op, op) => {
    const s = store(peers.blackhole.port);
    const t0 = Date.now();
    let timer: NodeJS.Timeout | undefined;
    const err = await Promise.race([op(s).then(() => new Error('answered?')), new Promise<Error>((r) => (timer = setTimeout(() => r(new Error('still waiting after 10 s')), 10_000)))]).catch(
      (e: unknown) => e,
    );
    clearTimeout(timer);
    const ms = Date.now() - t0;
    s.client.destroy();
    console.log(`S3 black hole: ${_op} failed after ${ms} ms`);
    expect(err).toBeInstanceOf(ObjectStoreError);
    expect((err as Error).message).toMatch(/^S3 error on object 'a\/b\.bin' \(s3:\/\/strata-timeouts\/a\/b\.bin\): TimeoutError: .*timed out after 500 ms/);
    expect(ms).toBeLessThan(5000);
  }, 15_000);

  it('a refused endpoint fails at once', async () => {
    const s = store(peers.closedPort);
    const t0 = Date.now();
    const err = await s.getBuffer('a/b.bin').catch((e: unknown) => e);
    s.client.destroy();
    expect((err as Error).message).toMatch(/ECONNREFUSED/);
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('the deadlines come from S3_CONNECT_TIMEOUT_MS / S3_SOCKET_TIMEOUT_MS / S3_MAX_ATTEMPTS, with documented defaults', () => {
    const env = z.object(objectStoreEnvShape);
    expect(s3ConnectionFromConfig(env.parse({}))).toMatchObject({ connectTimeoutMs: 3000, socketTimeoutMs: 30_000, maxAttempts: 3 });
    expect(s3ConnectionFromConfig(env.parse({ S3_CONNECT_TIMEOUT_MS: '700', S3_SOCKET_TIMEOUT_MS: '9000', S3_MAX_ATTEMPTS: '1' }))).toMatchObject({ connectTimeoutMs: 700, socketTimeoutMs: 9000, maxAttempts: 1 });
  });
});
