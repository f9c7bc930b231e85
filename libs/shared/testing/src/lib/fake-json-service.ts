import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { InfraEnv } from './infra-env';

/** What a fake peer answers: a status, a JSON body (or a string with `contentType`). 204 sends no body. */
export interface FakeReply {
  status: number;
  body: unknown;
  /** Sent as is when set and `body` is a string; JSON otherwise. */
  contentType?: string;
}

/** Answers one request; `body` is the parsed JSON request body (undefined when empty). */
export type FakeJsonHandler = (req: http.IncomingMessage, body: unknown) => FakeReply | Promise<FakeReply>;

/** A loopback HTTP server standing in for a peer service in an integration test. */
export interface FakeJsonService {
  /** `http://127.0.0.1:<port>` (an ephemeral port). */
  url: string;
  close: () => Promise<void>;
}

/**
 * Starts a fake peer service on 127.0.0.1 that answers every request with `handler` (a function,
 * or `{ current }` so a test can swap the behaviour between cases). A handler that throws answers
 * 502 with the error's text, so a broken fake shows up as a peer error, not a hung request.
 */
export async function startFakeJsonService(handler: FakeJsonHandler | { current: FakeJsonHandler }): Promise<FakeJsonService> {
  const answer: FakeJsonHandler = typeof handler === 'function' ? handler : (req, body) => handler.current(req, body);
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      void Promise.resolve()
        .then(() => answer(req, text ? (JSON.parse(text) as unknown) : undefined))
        .then(
          (out) => {
            const raw = out.contentType && typeof out.body === 'string';
            res.writeHead(out.status, { 'content-type': out.contentType ?? 'application/json' });
            res.end(out.status === 204 ? undefined : raw ? (out.body as string) : JSON.stringify(out.body));
          },
          (e: unknown) => res.writeHead(502, { 'content-type': 'application/json' }).end(JSON.stringify({ error: String(e) })),
        );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The infrastructure endpoints as a service process's environment (DATABASE_URL, KAFKA_BROKERS, TEMPORAL_*). */
export function infraServiceEnv(env: InfraEnv): Record<string, string> {
  return {
    DATABASE_URL: env.databaseUrl,
    KAFKA_BROKERS: env.kafkaBrokers.join(','),
    TEMPORAL_ADDRESS: env.temporalAddress,
    TEMPORAL_NAMESPACE: env.temporalNamespace,
  };
}
