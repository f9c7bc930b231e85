import * as net from 'node:net';

/** A TCP server on 127.0.0.1 that accepts connections and never answers (a hung peer). */
export interface Blackhole {
  port: number;
  /** Destroys the accepted sockets and closes the server. */
  close(): Promise<void>;
}

/** Starts a {@link Blackhole} on a free port: calls to it must fail on their own deadline. */
export async function startBlackhole(): Promise<Blackhole> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** A port on 127.0.0.1 nothing listens on (bound, then released): connecting is refused at once. */
export async function refusedPort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
  const port = (probe.address() as net.AddressInfo).port;
  await new Promise<void>((r) => probe.close(() => r()));
  return port;
}

/** The two unreachable peers of a deadline spec: a hung one and a refused port. */
export interface UnreachablePeers {
  blackhole: Blackhole;
  /** See {@link refusedPort}. */
  closedPort: number;
  /** Closes the blackhole. */
  close(): Promise<void>;
}

/** Starts a {@link Blackhole} and picks a {@link refusedPort}, for specs that check calls fail on their deadline either way. */
export async function startUnreachablePeers(): Promise<UnreachablePeers> {
  const blackhole = await startBlackhole();
  const closedPort = await refusedPort();
  return { blackhole, closedPort, close: () => blackhole.close() };
}
