import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { isStreamedContentType, proxyCall } from './proxy';

/** Starts `server` on a free loopback port; `close` clears its pending `timers`, cuts open connections and stops it. */
function listenLoopback(server: http.Server, timers: Set<NodeJS.Timeout>): Promise<{ url: string; close(): Promise<void> }> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        close: () =>
          new Promise<void>((r) => {
            for (const t of timers) clearTimeout(t);
            server.closeAllConnections();
            server.close(() => r());
          }),
      }),
    ),
  );
}

/** A loopback HTTP server standing in for a service: echoes what it received. */
function echoServer(delayMs = 0): Promise<{ url: string; close(): Promise<void> }> {
  const timers = new Set<NodeJS.Timeout>();
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        res.writeHead(req.url?.startsWith('/missing') ? 404 : 200, { 'content-type': 'application/json', 'x-request-id': 'r-1', 'set-cookie': 'a=b' });
        res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body }));
      }, delayMs);
      timers.add(timer);
    });
  });
  return listenLoopback(server, timers);
}

/** A port nothing listens on (bound then closed). */
async function closedPort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

const urls = (registry: string): Record<string, string> => ({ ingestion: 'http://127.0.0.1:1', features: 'http://127.0.0.1:1', training: 'http://127.0.0.1:1', registry, serving: 'http://127.0.0.1:1', monitoring: 'http://127.0.0.1:1' });

describe('console proxy', () => {
  it("forwards the user's own credential, the query string and a JSON body, and nothing else", async () => {
    const svc = await echoServer();
    try {
      const answer = await proxyCall(
        { service: 'registry', method: 'PUT', path: '/registered-models/adult-income/aliases/champion?x=1', headers: { authorization: 'Bearer stk_user', 'x-api-key': 'k2', cookie: 'sid=1', 'x-strata-actor': 'admin', 'content-type': 'application/json' }, body: '{"version":2}' },
        urls(svc.url),
        5000,
      );
      expect(answer.status).toBe(200);
      expect(answer.headers).toEqual({ 'content-type': 'application/json', 'x-request-id': 'r-1' });
      const echoed = JSON.parse((answer.body as Buffer).toString()) as { method: string; url: string; headers: Record<string, string>; body: string };
      expect(echoed.method).toBe('PUT');
      expect(echoed.url).toBe('/registered-models/adult-income/aliases/champion?x=1');
      expect(echoed.body).toBe('{"version":2}');
      expect(echoed.headers['authorization']).toBe('Bearer stk_user');
      expect(echoed.headers['x-api-key']).toBe('k2');
      expect(echoed.headers['cookie']).toBeUndefined();
      expect(echoed.headers['x-strata-actor']).toBeUndefined();
    } finally {
      await svc.close();
    }
  });

  it("passes a service's error status through", async () => {
    const svc = await echoServer();
    try {
      expect((await proxyCall({ service: 'registry', method: 'GET', path: '/missing', headers: {} }, urls(svc.url), 5000)).status).toBe(404);
    } finally {
      await svc.close();
    }
  });

  it('names the service that does not answer: 502 when refused, 504 past the deadline', async () => {
    const port = await closedPort();
    const refused = await proxyCall({ service: 'registry', method: 'GET', path: '/registered-models', headers: {} }, urls(`http://127.0.0.1:${port}`), 5000);
    expect(refused.status).toBe(502);
    expect(refused.body).toMatchObject({ code: 'UNAVAILABLE', details: { service: 'registry', url: `http://127.0.0.1:${port}` } });
    expect((refused.body as { error: string }).error).toMatch(new RegExp(`^registry is unreachable at http://127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`));
    const slow = await echoServer(2000);
    try {
      const late = await proxyCall({ service: 'registry', method: 'GET', path: '/registered-models', headers: {} }, urls(slow.url), 200);
      expect(late.status).toBe(504);
      expect(late.body).toMatchObject({ code: 'DEADLINE_EXCEEDED', error: `registry is unreachable at ${slow.url}: no answer within 200 ms` });
    } finally {
      await slow.close();
    }
  });

  /** A loopback ingestion that sends a CSV in chunks `gapMs` apart, then (unless `stallAfter`) ends. */
  function csvServer(chunks: string[], gapMs: number, stallAfter?: number): Promise<{ url: string; close(): Promise<void> }> {
    const timers = new Set<NodeJS.Timeout>();
    const server = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/csv; charset=utf-8', 'x-quarantine-row-count': String(chunks.length - 1) });
      const send = (i: number): void => {
        if (i === stallAfter) return; // never ends: the proxy has to cut it
        if (i === chunks.length) return void res.end();
        res.write(chunks[i]);
        const t = setTimeout(() => {
          timers.delete(t);
          send(i + 1);
        }, gapMs);
        timers.add(t);
      };
      send(0);
    });
    return listenLoopback(server, timers);
  }

  const text = async (body: unknown): Promise<string> => {
    let out = '';
    for await (const chunk of body as Readable) out += (chunk as Buffer).toString();
    return out;
  };

  it('streams a file download: the deadline bounds each pause, not the whole transfer', async () => {
    const rows = ['_row,_reasons,age\n', '5,age [type]: not an INT64,forty\n', '10,age [min]: -3 < min 0,-3\n', '17,age [type]: not an INT64,?\n'];
    const svc = await csvServer(rows, 150);
    try {
      // 4 chunks 150 ms apart take longer than the 400 ms deadline; no pause does
      const answer = await proxyCall({ service: 'ingestion', method: 'GET', path: '/datasets/adult_people/versions/v1/quarantine?format=csv', headers: {} }, { ...urls('http://127.0.0.1:1'), ingestion: svc.url }, 400);
      expect([answer.status, answer.headers['x-quarantine-row-count'], answer.body instanceof Readable]).toEqual([200, '3', true]);
      expect(await text(answer.body)).toBe(rows.join(''));
    } finally {
      await svc.close();
    }
  });

  it('cuts a download whose service stops sending, naming the service', async () => {
    const svc = await csvServer(['_row,_reasons,age\n', '5,age [type]: not an INT64,forty\n'], 50, 1);
    try {
      const answer = await proxyCall({ service: 'ingestion', method: 'GET', path: '/datasets/adult_people/versions/v1/quarantine', headers: {} }, { ...urls('http://127.0.0.1:1'), ingestion: svc.url }, 300);
      expect(answer.status).toBe(200);
      await expect(text(answer.body)).rejects.toThrow('ingestion sent nothing for 300 ms: download cut');
    } finally {
      await svc.close();
    }
  });

  it('streams CSV, Parquet and raw bytes; buffers JSON', () => {
    expect(['text/csv; charset=utf-8', 'application/vnd.apache.parquet', 'application/octet-stream', 'application/json; charset=utf-8', 'text/plain', null].map(isStreamedContentType)).toEqual([true, true, true, false, false, false]);
  });

  it('refuses an unknown service with 404 listing the six', async () => {
    const a = await proxyCall({ service: 'billing', method: 'GET', path: '/x', headers: {} }, urls('http://127.0.0.1:1'), 1000);
    expect(a.status).toBe(404);
    expect((a.body as { error: string }).error).toBe("unknown service 'billing' in /api/billing: one of ingestion, features, training, registry, serving, monitoring");
  });
});
