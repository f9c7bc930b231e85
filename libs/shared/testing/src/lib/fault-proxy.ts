import * as net from 'node:net';

/**
 * What a {@link FaultProxy} does with connections:
 * - `pass`: forwards bytes both ways to the target (the dependency works);
 * - `blackhole`: accepts connections and reads, but never answers (a hung dependency); open
 *   connections go silent too;
 * - `refuse`: stops listening and resets open connections (connection refused).
 */
export type FaultMode = 'pass' | 'blackhole' | 'refuse';

/** A TCP endpoint in front of a dependency whose behaviour a test switches (see {@link startFaultProxy}). */
export interface FaultProxy {
  readonly port: number;
  /** `host:port` of the proxy. */
  readonly address: string;
  readonly mode: FaultMode;
  setMode(mode: FaultMode): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts a TCP proxy on 127.0.0.1 (`port` 0 = any free port) in front of `target`
 * (`host:port`, may be omitted for a pure black hole). Used by fault tests to make Redis, S3 or a
 * service unreachable without touching the shared stack.
 */
export async function startFaultProxy(target: string | undefined, mode: FaultMode = 'pass', port = 0): Promise<FaultProxy> {
  let current: FaultMode = mode;
  const conns = new Set<{ client: net.Socket; upstream: net.Socket | undefined }>();
  const server = net.createServer((client) => {
    const c: { client: net.Socket; upstream: net.Socket | undefined } = { client, upstream: undefined };
    conns.add(c);
    client.on('error', () => undefined);
    client.on('close', () => {
      conns.delete(c);
      c.upstream?.destroy();
    });
    if (current === 'pass') {
      if (!target) throw new Error('fault proxy: mode pass needs a target');
      const [host, p] = splitHostPort(target);
      const up = net.connect(p, host);
      c.upstream = up;
      up.on('error', () => client.destroy());
      up.on('close', () => client.destroy());
      up.on('data', (d) => {
        if (current === 'pass') client.write(d);
      });
    }
    client.on('data', (d) => {
      if (current === 'pass' && c.upstream) c.upstream.write(d);
    });
  });
  await listen(server, port);
  const actualPort = (server.address() as net.AddressInfo).port;
  const resetAll = () => {
    for (const c of conns) {
      c.client.resetAndDestroy();
      c.upstream?.destroy();
    }
    conns.clear();
  };
  return {
    port: actualPort,
    address: `127.0.0.1:${actualPort}`,
    get mode() {
      return current;
    },
    async setMode(next: FaultMode) {
      if (next === current) return;
      const was = current;
      current = next;
      if (next === 'refuse') {
        resetAll();
        await new Promise<void>((r) => server.close(() => r()));
      } else if (was === 'refuse') {
        await listen(server, actualPort);
      } else if (next === 'pass') {
        // Connections that went silent are useless to their owner: reset them so it reconnects.
        resetAll();
      }
    },
    async close() {
      resetAll();
      if (server.listening) await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

function splitHostPort(target: string): [string, number] {
  const i = target.lastIndexOf(':');
  return [target.slice(0, i), Number(target.slice(i + 1))];
}

function listen(server: net.Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
}
