import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { RegistryApi } from '@strata/contracts/api';
import { AppError, NotFoundError, UnavailableError } from '@strata/shared/util-errors';
import { StrataHttpError } from './errors';
import { ServiceClient, serviceApi } from './service-client';

/** A model version as the registry serialises it (the contract's shape). */
const VERSION = {
  name: 'adult income',
  version: 2,
  runId: 'r-2',
  workflowId: null,
  artifactUri: 's3://models/adult/2/model.onnx',
  artifactSha256: 'b'.repeat(64),
  signature: {},
  metrics: { roc_auc: 0.9 },
  params: {},
  lineage: {},
  referenceProfileUri: null,
  referenceProfileSha256: null,
  status: 'READY',
  description: null,
  tags: {},
  aliases: [],
  createdBy: 'training',
  createdAt: '2026-12-07T00:00:00.000Z',
  updatedAt: '2026-12-07T00:00:00.000Z',
  servable: true,
  notServableReason: null,
  source: null,
  sourceRunId: null,
  currentStage: 'None',
};

describe('ServiceClient: one typed method per contract endpoint', () => {
  let server: http.Server;
  let base: string;
  const seen: Array<{ method?: string; url?: string; authorization?: string; actor?: string; body: string }> = [];
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push({ method: req.method, url: req.url, authorization: req.headers.authorization, actor: req.headers['x-strata-actor'] as string | undefined, body });
        const send = (status: number, payload: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(payload));
        if (req.url === '/registered-models/adult%20income/versions/2') return send(200, VERSION);
        if (req.url === '/registered-models/adult%20income/versions/3') return send(200, { ...VERSION, artifactSha256: undefined });
        if (req.url === '/registered-models/adult%20income/versions') return send(409, { error: 'run r-2 already registered', code: 'CONFLICT', details: { existingVersion: 2 } });
        if (req.url === '/registered-models/adult%20income/aliases/champion') return send(404, { error: "alias 'champion' is not set", code: 'NOT_FOUND' });
        return send(400, { error: 'bad', code: 'INVALID_ARGUMENT' });
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('fills and encodes the path, types the answer, and validates it on request', async () => {
    const registry = serviceApi(new ServiceClient({ baseUrl: base, service: 'registry', credential: 'k-1' }), RegistryApi);
    const version = await registry.getModelVersion({ params: { name: 'adult income', version: 2 } }, { validate: true });
    expect(version.artifactSha256).toBe('b'.repeat(64));
    expect(seen.at(-1)).toMatchObject({ method: 'GET', url: '/registered-models/adult%20income/versions/2', authorization: 'Bearer k-1' });
    const bad = await registry.getModelVersion({ params: { name: 'adult income', version: 3 } }, { validate: true, what: 'Model version adult income@3' }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(UnavailableError);
    expect((bad as Error).message).toMatch(/^Model version adult income@3: unexpected response from registry to GET \/registered-models\/\{name\}\/versions\/\{version\}: artifactSha256: /);
  });

  it('accepted statuses come back with their body; others map to domain errors with the peer code', async () => {
    const client = new ServiceClient({ baseUrl: base, service: 'registry', credential: undefined });
    const answer = await client.exchange(RegistryApi.registerModelVersion, { params: { name: 'adult income' }, body: { runId: 'r-2', artifactUri: 's3://x/y', artifactSha256: 'b'.repeat(64) } }, { accept: [409], headers: { 'x-strata-actor': 'training' } });
    expect(answer).toEqual({ status: 409, body: { error: 'run r-2 already registered', code: 'CONFLICT', details: { existingVersion: 2 } } });
    expect(seen.at(-1)).toMatchObject({ method: 'POST', actor: 'training', authorization: undefined });
    expect(JSON.parse(seen.at(-1)!.body)).toEqual({ runId: 'r-2', artifactUri: 's3://x/y', artifactSha256: 'b'.repeat(64) });
    const conflict = await client.call(RegistryApi.registerModelVersion, { params: { name: 'adult income' }, body: { runId: 'r-2', artifactUri: 's3://x/y', artifactSha256: 'b'.repeat(64) } }).catch((e: unknown) => e);
    expect(conflict).toBeInstanceOf(AppError);
    expect(conflict).toMatchObject({ code: 'CONFLICT', retryable: false, message: `registry rejected POST ${base}/registered-models/adult%20income/versions (409): run r-2 already registered` });
    const missing = await client.call(RegistryApi.getAlias, { params: { name: 'adult income', alias: 'champion' } }, { what: "Alias 'adult income@champion'" }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(NotFoundError);
    expect((missing as Error).message).toBe("Alias 'adult income@champion': alias 'champion' is not set");
  });

  it("errors: 'http' (CLI, tests) → StrataHttpError with status and body", async () => {
    const err = await new ServiceClient({ baseUrl: base, errors: 'http', credential: undefined }).get('/nope').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StrataHttpError);
    expect(err).toMatchObject({ status: 400, body: { error: 'bad', code: 'INVALID_ARGUMENT' }, message: `GET ${base}/nope -> 400: bad` });
  });

  it('a Node Readable raw body is streamed (undici request, not fetch: bounded memory) with its content type; the answer and errors map as for fetch', async () => {
    const rows = Array.from({ length: 2000 }, (_, i) => `${i},row-${i}\n`);
    const client = new ServiceClient({ baseUrl: base, errors: 'http', credential: 'k' });
    const err = await client.request('POST', '/upload', { raw: { body: Readable.from(rows), contentType: 'text/csv' }, timeoutMs: 400_000 }).catch((e: unknown) => e);
    expect(seen.at(-1)).toMatchObject({ method: 'POST', url: '/upload', authorization: 'Bearer k', body: rows.join('') });
    expect(err).toMatchObject({ status: 400, body: { error: 'bad', code: 'INVALID_ARGUMENT' } });
    const ok = await client.request('POST', '/registered-models/adult%20income/versions/2', { raw: { body: Readable.from(['a,b\n', '1,2\n']), contentType: 'text/csv' } });
    expect(ok).toEqual({ status: 200, body: VERSION });
    expect(seen.at(-1)?.body).toBe('a,b\n1,2\n');
  });

  it("without an explicit credential, sends this process's STRATA_API_KEY as it is at each call", async () => {
    const before = process.env['STRATA_API_KEY'];
    try {
      const client = new ServiceClient({ baseUrl: base, service: 'registry' });
      process.env['STRATA_API_KEY'] = 'svc-key-1';
      await client.get('/registered-models/adult%20income/versions/2');
      expect(seen.at(-1)?.authorization).toBe('Bearer svc-key-1');
      process.env['STRATA_API_KEY'] = 'svc-key-2';
      await client.get('/registered-models/adult%20income/versions/2');
      expect(seen.at(-1)?.authorization).toBe('Bearer svc-key-2');
    } finally {
      if (before === undefined) delete process.env['STRATA_API_KEY'];
      else process.env['STRATA_API_KEY'] = before;
    }
  });
});
