/** @jest-environment ../../../libs/shared/testing/src/onnxruntime-environment.cjs */
/**
 * The Fastify fast route of OIP infer (`InferFastRoute`) answers exactly as the Nest route does,
 * under ENFORCED auth, on real PostgreSQL: two serving apps (fast route on / off) over the same
 * model get the same requests, and every status and body (request id aside) must be equal —
 * success, 400s (bad shape, missing body, NUL character, bad JSON body shape, strict model name),
 * 401 (no key, unknown key; a key revoked through the service, at once), 403 (a role without `inference:execute`), 404, and
 * 429 past the per-principal budget; refusals are in the audit log with their request id.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { AuditLogPageSchema, ServingApi } from '@strata/contracts/api';
import { loadAuthConfig } from '@strata/shared/auth';
import { queryAuditLog } from '@strata/shared/data-access-auth';
import { LocalObjectStore } from '@strata/shared/data-access-object-store';
import { SecurityService } from '@strata/shared/nest-platform';
import { dropSchemas, uniqueName } from '@strata/shared/testing';
// Test-only cross-scope import: a model trained by the platform's own trainer.
 
// eslint-disable-next-line @nx/enforce-module-boundaries -- a real ONNX model for the test, trained by training's trainer
import { exportLogisticRegressionToOnnx, trainLogisticRegression } from '@strata/training/util-trainers';
import { DataSource } from 'typeorm';
import { ModelRepository } from './model-repository';
import { startServingTestApp } from '../testing/serving-test-app';

jest.setTimeout(120_000);

const INFER_BUDGET = 40;

describe('OIP infer: the Fastify fast route answers as the Nest route (auth enforced, real PostgreSQL)', () => {
  const modelName = uniqueName('fast-lr').replace(/_/g, '-');
  const schemas = [uniqueName('serving_fast_it'), uniqueName('serving_nest_it')];
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-serving-fast-'));
  const apps: NestFastifyApplication[] = [];
  const bases: string[] = [];
  let keys: { inference: string; viewer: string; revoked: string; budget: string[] };
  let revokedKeyId = '';

  beforeAll(async () => {
    const rows = Array.from({ length: 100 }, (_, i) => [(i * 7) % 13, ((i * 37) % 100) / 10, (i * 5) % 24]);
    const onnx = exportLogisticRegressionToOnnx(trainLogisticRegression({ features: ['a', 'b', 'c'], rows, labels: rows.map((r, i) => (r[1]! + (i % 3) > 5 ? 1 : 0)) }), { modelVersion: 1 });
    const put = await new LocalObjectStore(dataDir).put(`models/${modelName}/1/model.onnx`, Buffer.from(onnx));
    const auth = { ...loadAuthConfig({}), mode: 'enforce' as const, rateLimit: { writePerMinute: 600, inferPerMinute: INFER_BUDGET } };
    for (const [i, fast] of [true, false].entries()) {
      const { app, base } = await startServingTestApp({ schema: schemas[i]!, dataDir, auth, serving: { fastInferRoute: fast } });
      apps.push(app);
      bases.push(base);
      await app.get(ModelRepository).load({ name: modelName, version: 1, artifactUri: put.uri, artifactSha256: put.sha256 });
    }
    const security = apps[0]!.get(SecurityService);
    const store = await security.keys();
    const create = async (roles: string[]) => store.create({ name: uniqueName('fast-it').replace(/_/g, '-'), roles, expiresAt: new Date(Date.now() + 3_600_000), createdBy: 'test' });
    const revoked = await create(['inference']);
    revokedKeyId = revoked.keyId;
    keys = { inference: (await create(['inference'])).key, viewer: (await create(['viewer'])).key, revoked: revoked.key, budget: [(await create(['inference'])).key, (await create(['inference'])).key] };
  });

  afterAll(async () => {
    for (const app of apps) await app.close();
    await dropSchemas(...schemas);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const valid = { id: 'r1', parameters: { note: 'x' }, inputs: [{ name: 'input', datatype: 'FP32', shape: [2, 3], data: [1, 2.5, 3, 4, 5, 6] }], outputs: [{ name: 'probability' }] };
  /** Status and body of one request, on both apps; the request id (unique per request) is checked then dropped. */
  async function both(url: string, key: string | undefined, body: string | undefined): Promise<Array<{ status: number; body: unknown; requestId?: unknown }>> {
    return Promise.all(bases.map(async (base) => {
      const res = await fetch(`${base}${url}`, { method: 'POST', headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) }, ...(body !== undefined ? { body } : {}) });
      const json = (await res.json()) as Record<string, unknown>;
      const { requestId, ...rest } = json;
      return { status: res.status, body: rest, ...(res.status >= 400 ? { requestId } : {}) };
    }));
  }

  it('gives the same status and body as the Nest route for successes and every kind of refusal', async () => {
    const m = `/v2/models/${modelName}`;
    const cases: Array<[string, string, string | undefined, string | undefined, number]> = [
      ['success', `${m}/infer`, keys.inference, JSON.stringify(valid), 200],
      ['success by version', `${m}/versions/1/infer`, keys.inference, JSON.stringify(valid), 200],
      ['bad shape', `${m}/infer`, keys.inference, JSON.stringify({ inputs: [{ ...valid.inputs[0], shape: [1, -1] }] }), 400],
      ['element count', `${m}/infer`, keys.inference, JSON.stringify({ inputs: [{ ...valid.inputs[0], shape: [1, 3] }] }), 400],
      ['null body', `${m}/infer`, keys.inference, 'null', 400],
      ['NUL character', `${m}/infer`, keys.inference, JSON.stringify({ ...valid, id: 'a\u0000b' }), 400],
      ['not an object', `${m}/infer`, keys.inference, '[1]', 400],
      ['bad model name', '/v2/models/Bad..Name/infer', keys.inference, JSON.stringify(valid), 400],
      ['unknown model', '/v2/models/no-such-model/infer', keys.inference, JSON.stringify(valid), 404],
      ['unknown version', `${m}/versions/9/infer`, keys.inference, JSON.stringify(valid), 404],
      ['no credentials', `${m}/infer`, undefined, JSON.stringify(valid), 401],
      ['unknown key', `${m}/infer`, `sk_000000000000_${'A'.repeat(43)}`, JSON.stringify(valid), 401],
      ['role without inference:execute', `${m}/infer`, keys.viewer, JSON.stringify(valid), 403],
    ];
    for (const [what, url, key, body, status] of cases) {
      const [fast, nest] = await both(url, key, body);
      expect({ what, status: fast!.status, body: fast!.body }).toEqual({ what, status, body: nest!.body });
      expect({ what, status: nest!.status }).toEqual({ what, status });
      if (status >= 400) expect(typeof fast!.requestId).toBe('string');
    }
    const [ok] = await both(`${m}/infer`, keys.inference, JSON.stringify(valid));
    expect(ok!.body).toEqual({ model_name: modelName, model_version: '1', id: 'r1', parameters: { note: 'x' }, outputs: [{ name: 'probability', datatype: 'FP32', shape: [2, 1], data: [expect.closeTo(0.0003047, 5), expect.closeTo(0.9397262, 5)] }] });
    // the request is the contract's InferRequest, the answer its InferResponse (issue 16)
    expect(ServingApi.infer.body.parse(valid).inputs).toHaveLength(valid.inputs.length);
    expect(ServingApi.infer.response.parse(ok!.body).outputs[0]!.data).toHaveLength(2);
  });

  it('refuses a key revoked through the service at once, audits refusals with their request id, and rate-limits per key past the budget', async () => {
    const m = `/v2/models/${modelName}/infer`;
    expect((await both(m, keys.revoked, JSON.stringify(valid))).map((r) => r.status)).toEqual([200, 200]);
    await apps[0]!.get(SecurityService).revokeKey(revokedKeyId, 'test');
    const [fast, nest] = await both(m, keys.revoked, JSON.stringify(valid));
    expect(fast!.status).toBe(401);
    // The other process (the Nest-route app) still has the key in its cache: it stops accepting it
    // within STRATA_AUTH_KEY_CACHE_MS (5 s); there is no revocation event.
    expect(nest!.status).toBe(200);
    const ds = apps[0]!.get(DataSource);
    const audited = (await ds.query('SELECT outcome, status, route FROM audit.audit_log WHERE request_id = $1 AND resource = $2', [fast!.requestId, m])) as Array<Record<string, unknown>>;
    expect(audited).toEqual([{ outcome: 'refused', status: 401, route: 'POST /v2/models/:model/infer' }]);
    // the audit log answers the contract's records: the audit-recorded.v1 payload plus seq (issue 16)
    const page = AuditLogPageSchema.parse(await queryAuditLog(ds, { requestId: fast!.requestId as string, resourcePrefix: m }));
    expect(page.records.map((r) => [r.outcome, r.status, r.resource])).toEqual([['refused', 401, m]]);
    for (const [i, base] of bases.entries()) {
      const statuses: number[] = [];
      for (let n = 0; n < INFER_BUDGET + 5; n++) {
        statuses.push((await fetch(`${base}${m}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${keys.budget[i]}` }, body: JSON.stringify(valid) })).status);
      }
      expect({ app: i, ok: statuses.filter((s) => s === 200).length, limited: statuses.filter((s) => s === 429).length }).toEqual({ app: i, ok: INFER_BUDGET, limited: 5 });
    }
  });
});
