import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { ConsoleModule } from './console.module';

/**
 * The console module as the app wires it (Fastify), against a loopback server standing in for
 * ingestion: `/metrics` is served (not the single-page app's fallback) and counts proxied calls
 * per service; ingestion's quarantine download reaches the browser with its file name and row count.
 */
describe('console module', () => {
  const uiDir = fs.mkdtempSync(path.join(os.tmpdir(), 'console-ui-'));
  let app: NestFastifyApplication;
  let service: http.Server;

  beforeAll(async () => {
    fs.writeFileSync(path.join(uiDir, 'index.html'), '<!doctype html>');
    service = http.createServer((req, res) => {
      if (req.url?.startsWith('/datasets/census/versions/v1/quarantine')) {
        res.writeHead(200, { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': 'attachment; filename="census-v1-quarantine.csv"', 'x-quarantine-row-count': '2' });
        res.end('_row,_reasons,age\n3,age [type]: not an integer,abc\n9,age [range]: below 0,-1\n');
        return;
      }
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'not found', code: 'NOT_FOUND' }));
    });
    await new Promise<void>((r) => service.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(service.address() as AddressInfo).port}`;
    const down = 'http://127.0.0.1:1';
    const moduleRef = await Test.createTestingModule({
      imports: [ConsoleModule.forRoot({ version: 'test', logLevel: 'silent', uiDir, proxyTimeoutMs: 5000, serviceUrls: { ingestion: url, features: down, training: down, registry: down, serving: down, monitoring: down } })],
    }).compile();
    app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter());
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });

  afterAll(async () => {
    await app?.close();
    service.closeAllConnections();
    await new Promise<void>((r) => service.close(() => r()));
    fs.rmSync(uiDir, { recursive: true, force: true });
  });

  const inject = (url: string) => app.getHttpAdapter().getInstance().inject({ method: 'GET', url, headers: { authorization: 'Bearer stk_user' } });

  it("passes ingestion's quarantine CSV through with its file name and row count", async () => {
    const res = await inject('/api/ingestion/datasets/census/versions/v1/quarantine?format=csv');
    expect(res.statusCode).toBe(200);
    expect([res.headers['content-type'], res.headers['content-disposition'], res.headers['x-quarantine-row-count']]).toEqual(['text/csv; charset=utf-8', 'attachment; filename="census-v1-quarantine.csv"', '2']);
    expect(res.body.split('\n')).toEqual(['_row,_reasons,age', '3,age [type]: not an integer,abc', '9,age [range]: below 0,-1', '']);
  });

  it('serves Prometheus /metrics counting proxied calls per service and status', async () => {
    await inject('/api/ingestion/datasets/census/versions/v1/quarantine');
    await inject('/api/ingestion/nothing');
    const res = await inject('/metrics');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    const line = (labels: string): number => Number(new RegExp(`^strata_console_proxy_request_duration_seconds_count\\{${labels}\\} (\\d+)$`, 'm').exec(res.body)?.[1]);
    // the first test's download and this one: two 200s; one 404
    expect(line('service="ingestion",method="GET",status_code="200"')).toBe(2);
    expect(line('service="ingestion",method="GET",status_code="404"')).toBe(1);
    expect(res.body).toMatch(/^process_resident_memory_bytes \d+/m);
  });
});
