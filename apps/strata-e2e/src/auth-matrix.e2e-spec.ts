/**
 * Access control with STRATA_AUTH_MODE=enforce on the six real service processes, started once
 * (ports 29101-29106; own schemas, consumer groups and task queues — monitoring's schema is fixed,
 * its consumer group is not), against the real PostgreSQL, Kafka and Temporal, with an in-test
 * OIDC issuer (JWKS served by jose), each service with its own `service:<name>` key:
 * - the matrix over EVERY route of the platform route table of EVERY service (ingestion,
 *   features, training, registry, serving, monitoring, plus the `'*'` rows on each): no
 *   credentials → 401; a role without the permission → 403; the right (narrowest) role → neither
 *   (path parameters are filled with valid-looking names, so the handler may answer 400/404);
 * - on one route per service: expired and wrongly signed JWTs → 401, a revoked key → 401, and a
 *   sample of each service's refusals is in its `GET /audit-log` (admin key);
 * - exact successes (register, alias, rollout read, serving list, audit-log query);
 * - JWTs: valid → 200, expired / wrongly signed / wrong audience / HS256 → 401; JWKS rotation
 *   without restart; revoked and expired API keys → 401; rate limit on infer → 429;
 * - every refusal (by its x-request-id) is in the audit log with outcome `refused`, and the audit
 *   event is in the service's outbox;
 * - service-to-service: serving reaches the registry with its own `service:serving` key.
 */
import { createHash, randomUUID } from 'node:crypto';
import { type Action, type ResourceType, permissionsOf } from '@strata/shared/auth';
import { ROUTE_PERMISSIONS } from './route-permissions.expected';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type RunningService, type TestJwksServer, authHeaders, createTestCredentials, eventually, infraEnv, revokeTestKey, startService, startTestJwks, uniqueName, waitReady } from '@strata/shared/testing';
import { SignJWT } from 'jose';
import { Client } from 'pg';

jest.setTimeout(300_000);

const SERVICES = ['ingestion', 'features', 'training', 'registry', 'serving', 'monitoring'] as const;
type Service = (typeof SERVICES)[number];
const PORTS: Record<Service, number> = { ingestion: 29101, features: 29102, training: 29103, registry: 29104, serving: 29105, monitoring: 29106 };
const ROLES = ['viewer', 'data-scientist', 'ml-engineer', 'admin', 'inference', 'service:ingestion', 'service:features', 'service:training', 'service:registry', 'service:serving', 'service:monitoring'] as const;
type Role = (typeof ROLES)[number];

const env = infraEnv();
const registrySchema = uniqueName('reg_authz');
const servingSchema = uniqueName('srv_authz');
const tag = registrySchema.slice('reg_authz_'.length).replace(/_/g, '-');
const u = tag.replace(/-/g, '_');
const ingestionSchema = `ing_authz_${u}`;
const featuresSchema = `fea_authz_${u}`;
const trainingSchema = `trn_authz_${u}`;
const model = `authz-${tag}`;
const startedAt = new Date(Date.now() - 1000).toISOString();
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-authz-'));

let jwks: TestJwksServer;
let creds: Record<Role, string> & { records: Record<Role, { keyId: string }> };
const svcs = {} as Record<Service, RunningService>;
let registry: RunningService;
let serving: RunningService;
const refusedRequestIds: Array<{ service: Service; requestId: string; status: number }> = [];

interface Reply {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}
async function call(svc: RunningService, method: string, path: string, headers: Record<string, string> = {}, body?: unknown): Promise<Reply> {
  const requestId = `authz-${randomUUID()}`;
  const res = await fetch(`${svc.baseUrl}${path}`, {
    method,
    headers: { 'x-request-id': requestId, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status === 401 || res.status === 403 || res.status === 429) refusedRequestIds.push({ service: svc.name as Service, requestId, status: res.status });
  return { status: res.status, body: text && (res.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : text };
}

function registration(runId: string): Record<string, unknown> {
  return {
    runId,
    workflowId: `train:wf:${runId}`,
    artifactUri: `file:///tmp/strata-authz/${runId}/model.onnx`,
    artifactSha256: 'a'.repeat(64),
    signature: { inputs: [{ name: 'input', datatype: 'FP32', shape: [-1, 2] }], outputs: [{ name: 'probability', datatype: 'FP32', shape: [-1, 1] }] },
    metrics: { roc_auc: 0.7 },
    params: {},
    lineage: { datasetVersions: [], featureViews: [], trainingSet: 'none', codeVersion: 'test' },
    tags: {},
  };
}

/** The narrowest human role granting `resource:action`, and one that lacks it. */
function rolesFor(resource: ResourceType, action: Action): { right: Role; wrong: Role } {
  const perm = `${resource}:${action}`;
  const order: Role[] = ['inference', 'viewer', 'data-scientist', 'ml-engineer', 'admin'];
  const right = order.find((r) => (permissionsOf(r) as string[]).includes(perm));
  const wrong = order.find((r) => !(permissionsOf(r) as string[]).includes(perm));
  if (!right || !wrong) throw new Error(`no right/wrong role for ${perm}`);
  return { right, wrong };
}

/** Valid-looking values for every path parameter of the route table (the resources need not exist). */
const PARAM_VALUES: Record<string, string> = {
  name: model,
  model,
  modelName: model,
  alias: 'champion',
  version: '1',
  versionId: 'v-authz-1',
  quarantineId: '0123456789abcdef',
  keyId: 'nokey0000000',
  id: `id-${tag}`,
  runId: `run-${tag}`,
  searchId: `search-${tag}`,
  jobId: `job-${tag}`,
  key: 'roc_auc',
  model_id: `m-${tag}`,
  tag_key: 'k',
};
const fill = (routePath: string): string =>
  routePath
    .replace(/:([A-Za-z_]+)/g, (_, p: string) => {
      const v = PARAM_VALUES[p];
      if (v === undefined) throw new Error(`no test value for path parameter :${p} of ${routePath}`);
      return v;
    })
    .replace(/\*$/, `auth-matrix/${tag}.txt`); // a wildcard route (the MLflow artifact proxy's file path)

beforeAll(async () => {
  jwks = await startTestJwks();
  creds = (await createTestCredentials(env.databaseUrl, ROLES)) as typeof creds;
  const common = {
    DATABASE_URL: env.databaseUrl,
    KAFKA_BROKERS: env.kafkaBrokers.join(','),
    STRATA_AUTH_MODE: 'enforce',
    STRATA_AUTH_KEY_CACHE_MS: '0',
    STRATA_AUTH_JWT_ISSUER: jwks.issuer,
    STRATA_AUTH_JWT_JWKS_URL: jwks.jwksUrl,
    STRATA_AUTH_JWT_AUDIENCE: 'strata',
  };
  const url = (s: Service): string => `http://127.0.0.1:${PORTS[s]}`;
  const own = (s: Service): Record<string, string> => ({ STRATA_API_KEY: creds[`service:${s}`], STRATA_API_KEY_FILE: '' });
  svcs.ingestion = startService('ingestion', PORTS.ingestion, {
    ...common, ...own('ingestion'), INGESTION_DB_SCHEMA: ingestionSchema, INGESTION_KAFKA_GROUP_ID: `ingestion-authz-${tag}`, INGESTION_STREAM_ENABLED: 'false', STRATA_DATA_DIR: dataDir,
  });
  svcs.features = startService('features', PORTS.features, {
    ...common, ...own('features'), FEATURES_DB_SCHEMA: featuresSchema, FEATURES_KAFKA_GROUP_ID: `features-authz-${tag}`, INGESTION_URL: url('ingestion'), STRATA_DATA_DIR: dataDir,
  });
  svcs.training = startService('training', PORTS.training, {
    ...common, ...own('training'), TEMPORAL_ADDRESS: env.temporalAddress, TRAINING_DB_SCHEMA: trainingSchema, TRAINING_KAFKA_GROUP_ID: `training-authz-${tag}`,
    TRAINING_TASK_QUEUE: `training-authz-${tag}`, INGESTION_URL: url('ingestion'), FEATURES_URL: url('features'), REGISTRY_URL: url('registry'), STRATA_DATA_DIR: dataDir,
  });
  svcs.registry = registry = startService('registry', PORTS.registry, { ...common, ...own('registry'), REGISTRY_DB_SCHEMA: registrySchema, STRATA_DATA_DIR: dataDir });
  svcs.serving = serving = startService('serving', PORTS.serving, {
    ...common,
    ...own('serving'),
    TEMPORAL_ADDRESS: env.temporalAddress,
    SERVING_DB_SCHEMA: servingSchema,
    SERVING_CONSUMER_GROUP: `serving-authz-${tag}`,
    SERVING_TASK_QUEUE: `serving-batch-authz-${tag}`,
    REGISTRY_URL: url('registry'),
    FEATURES_URL: url('features'),
    INGESTION_URL: url('ingestion'),
    STRATA_DATA_DIR: dataDir,
    STRATA_RATE_LIMIT_INFER_PER_MIN: '8',
  });
  svcs.monitoring = startService('monitoring', PORTS.monitoring, {
    ...common, ...own('monitoring'), MONITORING_CONSUMER_GROUP: `monitoring-authz-${tag}`, REGISTRY_URL: url('registry'), MONITORING_HTTP_TIMEOUT_MS: '2000',
    MONITORING_EVALUATION_INTERVAL_MS: '0', MONITORING_ROLLOUT_GUARD_INTERVAL_MS: '0', STRATA_DATA_DIR: dataDir,
  });
  await Promise.all(SERVICES.map((s) => waitReady(svcs[s], 120_000)));
});

afterAll(async () => {
  await Promise.all(SERVICES.map((s) => svcs[s]?.stop()));
  await jwks?.close();
  const client = new Client({ connectionString: env.databaseUrl });
  await client.connect();
  for (const schema of [registrySchema, servingSchema, ingestionSchema, featuresSchema, trainingSchema]) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.end();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('enforced access on the six services', () => {
  it('keeps /health/*, /metrics and /v2/health/* open', async () => {
    expect((await call(registry, 'GET', '/health/live')).status).toBe(200);
    expect((await call(registry, 'GET', '/metrics')).status).toBe(200);
    expect((await call(serving, 'GET', '/v2/health/live')).status).toBe(200);
  });

  it('gives the right role exact successes and records the mutations', async () => {
    const reg = await call(registry, 'POST', `/registered-models/${model}/versions`, authHeaders(creds['data-scientist']), registration('run-1'));
    expect(reg.status).toBe(201);
    expect(reg.body.version).toBe(1);
    const reg2 = await call(registry, 'POST', `/registered-models/${model}/versions`, authHeaders(creds['data-scientist']), registration('run-2'));
    expect(reg2.body.version).toBe(2);
    const alias = await call(registry, 'PUT', `/registered-models/${model}/aliases/challenger`, authHeaders(creds['ml-engineer']), { version: 2, reason: 'authz test' });
    expect(alias.status).toBe(200);
    const got = await call(registry, 'GET', `/registered-models/${model}`, authHeaders(creds['viewer']));
    expect(got.status).toBe(200);
    expect(got.body.aliases).toEqual({ champion: 1, challenger: 2 });
    // the registry recorded the authenticated principal, not a header value
    const history = await call(registry, 'GET', `/registered-models/${model}/aliases/challenger/history`, authHeaders(creds['viewer'], { 'x-strata-actor': 'spoofed' }));
    expect(history.status).toBe(200);
    expect(JSON.stringify(history.body)).toContain(`key:${creds.records['ml-engineer'].keyId}`);
    expect((await call(serving, 'GET', '/models', authHeaders(creds['viewer']))).status).toBe(200);

    const audit = await call(registry, 'GET', `/audit-log?service=registry&actor=key:${creds.records['ml-engineer'].keyId}`, authHeaders(creds['admin']));
    expect(audit.status).toBe(200);
    expect(audit.body.records.map((r: { route: string; outcome: string; status: number; action: string; after: unknown }) => [r.route, r.outcome, r.status, r.action])).toEqual([
      ['PUT /registered-models/:name/aliases/:alias', 'success', 200, 'aliases:write'],
    ]);
  });

  for (const service of SERVICES) {
    const rules = [...(ROUTE_PERMISSIONS[service] ?? []), ...(ROUTE_PERMISSIONS['*'] ?? [])];
    it(`${service}: every route answers 401 without credentials, 403 to a role without the permission, and neither to the right role`, async () => {
      expect(rules.length).toBeGreaterThan(ROUTE_PERMISSIONS['*']!.length);
      const svc = svcs[service];
      const rows: string[] = [];
      for (const rule of rules) {
        const { right, wrong } = rolesFor(rule.resource, rule.action);
        const path = fill(rule.path);
        const body = ['POST', 'PUT', 'PATCH'].includes(rule.method) ? {} : undefined;
        const none = await call(svc, rule.method, path, {}, body);
        const denied = await call(svc, rule.method, path, authHeaders(creds[wrong]), body);
        const allowed = await call(svc, rule.method, path, authHeaders(creds[right]), body);
        rows.push(`${rule.method} ${rule.path}: none=${none.status} ${wrong}=${denied.status} ${right}=${allowed.status === 401 || allowed.status === 403 ? allowed.status : 'ok'}`);
      }
      expect(rows).toEqual(rules.map((rule) => {
        const { right, wrong } = rolesFor(rule.resource, rule.action);
        return `${rule.method} ${rule.path}: none=401 ${wrong}=403 ${right}=ok`;
      }));
    });
  }

  it('every service: an expired or wrongly signed JWT and a revoked key → 401 on one route, and its refusals are in its GET /audit-log', async () => {
    const revoked = await createTestCredentials(env.databaseUrl, ['viewer'] as const);
    await revokeTestKey(env.databaseUrl, revoked.records['viewer'].keyId);
    const expired = await jwks.sign({ roles: ['admin'] }, { audience: 'strata', subject: 'old', expiresAt: Math.floor(Date.now() / 1000) - 3600 });
    const foreign = await jwks.signWithForeignKey({ roles: ['admin'] }, 'mallory', 'strata');
    const rows: string[] = [];
    for (const service of SERVICES) {
      const svc = svcs[service];
      // the first native read route of the service's own table (the MLflow-compatible /api/2.0 routes answer in MLflow's error shape)
      const rule = ROUTE_PERMISSIONS[service]!.find((r) => r.method === 'GET' && !r.path.startsWith('/api/'))!;
      const before = refusedRequestIds.length;
      const e = await call(svc, 'GET', fill(rule.path), authHeaders(expired));
      const f = await call(svc, 'GET', fill(rule.path), authHeaders(foreign));
      const k = await call(svc, 'GET', fill(rule.path), authHeaders(revoked['viewer']));
      rows.push(`${service} GET ${rule.path}: expired=${e.status} ${e.body.error} | foreign=${f.status} ${f.body.error} | revoked=${k.status} ${k.body.error}`);
      // a sample of this service's refusals (the three above + the first matrix refusals), via its own audit endpoint
      const sample = [...refusedRequestIds.filter((r) => r.service === service).slice(0, 5), ...refusedRequestIds.slice(before)].map((r) => r.requestId);
      const audit = await call(svc, 'GET', `/audit-log?service=${service}&outcome=refused&limit=500&since=${startedAt}`, authHeaders(creds['admin']));
      expect(audit.status).toBe(200);
      const seen = new Map(audit.body.records.map((r: { requestId: string; outcome: string; status: number; service: string }) => [r.requestId, `${r.service} ${r.outcome} ${r.status}`]));
      expect(sample.map((id) => `${id} ${seen.get(id) ?? 'MISSING'}`)).toEqual(sample.map((id) => `${id} ${service} refused ${refusedRequestIds.find((r) => r.requestId === id)!.status}`));
    }
    expect(rows).toEqual(SERVICES.map((service) => {
      const rule = ROUTE_PERMISSIONS[service]!.find((r) => r.method === 'GET' && !r.path.startsWith('/api/'))!;
      return `${service} GET ${rule.path}: expired=401 bearer token refused (ERR_JWT_EXPIRED) | foreign=401 bearer token refused (ERR_JWS_SIGNATURE_VERIFICATION_FAILED) | revoked=401 API key is unknown, revoked or expired`;
    }));
  });

  it('accepts a valid JWT and refuses expired, wrongly signed, wrong-audience and HS256 tokens with 401', async () => {
    const good = await jwks.sign({ roles: ['viewer'] }, { audience: 'strata', subject: 'alice' });
    expect((await call(registry, 'GET', `/registered-models/${model}`, authHeaders(good))).status).toBe(200);
    const expired = await jwks.sign({ roles: ['viewer'] }, { audience: 'strata', expiresAt: Math.floor(Date.now() / 1000) - 3600 });
    const r1 = await call(registry, 'GET', `/registered-models/${model}`, authHeaders(expired));
    expect([r1.status, r1.body.error]).toEqual([401, 'bearer token refused (ERR_JWT_EXPIRED)']);
    const foreign = await jwks.signWithForeignKey({ roles: ['admin'] }, 'mallory', 'strata');
    const r2 = await call(registry, 'GET', `/registered-models/${model}`, authHeaders(foreign));
    expect([r2.status, r2.body.error]).toEqual([401, 'bearer token refused (ERR_JWS_SIGNATURE_VERIFICATION_FAILED)']);
    const wrongAud = await jwks.sign({ roles: ['viewer'] }, { audience: 'other' });
    expect((await call(registry, 'GET', `/registered-models/${model}`, authHeaders(wrongAud))).status).toBe(401);
    const hs = await new SignJWT({ roles: ['admin'] }).setProtectedHeader({ alg: 'HS256' }).setIssuer(jwks.issuer).setAudience('strata').setSubject('x').setExpirationTime('5m').sign(new TextEncoder().encode('k'.repeat(32)));
    expect((await call(registry, 'GET', `/registered-models/${model}`, authHeaders(hs))).status).toBe(401);
    // JWT with viewer role cannot write
    expect((await call(registry, 'PUT', `/registered-models/${model}/aliases/champion`, authHeaders(good), { version: 2 })).status).toBe(403);
  });

  it('follows a JWKS key rotation without a restart', async () => {
    const before = await jwks.sign({ roles: ['viewer'] }, { audience: 'strata' });
    await jwks.rotate();
    const after = await jwks.sign({ roles: ['viewer'] }, { audience: 'strata' });
    // jose refetches the JWKS for an unknown kid at most once per cooldown (5 s)
    await eventually(async () => expect((await call(registry, 'GET', '/registered-models', authHeaders(after))).status).toBe(200), 15_000);
    expect((await call(registry, 'GET', '/registered-models', authHeaders(before))).status).toBe(401);
  });

  it('refuses a revoked key and an unknown key with 401', async () => {
    const own = await createTestCredentials(env.databaseUrl, ['viewer'] as const);
    expect((await call(registry, 'GET', '/registered-models', authHeaders(own['viewer']))).status).toBe(200);
    const revoke = await call(registry, 'DELETE', `/auth/keys/${own.records['viewer'].keyId}`, authHeaders(creds['admin']));
    expect([revoke.status, typeof revoke.body.revokedAt]).toEqual([200, 'string']);
    const after = await call(registry, 'GET', '/registered-models', authHeaders(own['viewer']));
    expect([after.status, after.body.error]).toEqual([401, 'API key is unknown, revoked or expired']);
    expect((await call(registry, 'GET', '/registered-models', { 'x-api-key': `sk_000000000000_${'A'.repeat(43)}` })).status).toBe(401);
    const other = await createTestCredentials(env.databaseUrl, ['viewer'] as const);
    await revokeTestKey(env.databaseUrl, other.records['viewer'].keyId);
    expect((await call(serving, 'GET', '/models', authHeaders(other['viewer']))).status).toBe(401);
  });

  it('creates keys over HTTP (admin only), shown once and stored hashed', async () => {
    const created = await call(registry, 'POST', '/auth/keys', authHeaders(creds['admin']), { name: `http-${tag}`, roles: ['viewer'], expiresInDays: 1 });
    expect(created.status).toBe(201);
    expect(created.body.key).toMatch(/^sk_[a-z0-9]{12}_[A-Za-z0-9_-]{43}$/);
    const listed = await call(registry, 'GET', '/auth/keys', authHeaders(creds['admin']));
    expect(JSON.stringify(listed.body)).not.toContain(created.body.key);
    const client = new Client({ connectionString: env.databaseUrl });
    await client.connect();
    const { rows } = await client.query(`SELECT encode(key_hash, 'hex') AS h FROM auth.api_keys WHERE key_id = $1`, [created.body.keyId]);
    await client.end();
    expect(rows[0].h).toBe(createHash('sha256').update(created.body.key).digest('hex'));
    expect((await call(registry, 'POST', '/auth/keys', authHeaders(creds['ml-engineer']), { name: 'x', roles: ['admin'] })).status).toBe(403);
    const badRole = await call(registry, 'POST', '/auth/keys', authHeaders(creds['admin']), { name: 'x', roles: ['root'] });
    expect([badRole.status, badRole.body.error]).toEqual([400, 'unknown role(s): root']);
  });

  it('rate-limits infer per key (429 past the budget, other keys unaffected)', async () => {
    const own = await createTestCredentials(env.databaseUrl, ['inference'] as const);
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push((await call(serving, 'POST', `/v2/models/${model}/infer`, authHeaders(own['inference']), { inputs: [] })).status);
    expect(statuses.slice(8)).toEqual([429, 429]);
    expect(statuses.slice(0, 8).every((s) => s !== 429 && s !== 401 && s !== 403)).toBe(true);
    const other = await createTestCredentials(env.databaseUrl, ['inference'] as const);
    expect((await call(serving, 'POST', `/v2/models/${model}/infer`, authHeaders(other['inference']), { inputs: [] })).status).not.toBe(429);
  });

  it('has every refusal in the audit log (outcome refused, same request id and status) and in the outbox', async () => {
    expect(refusedRequestIds.length).toBeGreaterThan(40);
    const client = new Client({ connectionString: env.databaseUrl });
    await client.connect();
    try {
      const ids = refusedRequestIds.map((r) => r.requestId);
      const { rows } = await client.query(`SELECT request_id, service, status, outcome FROM audit.audit_log WHERE request_id = ANY($1)`, [ids]);
      const byId = new Map(rows.map((r: { request_id: string; service: string; status: number; outcome: string }) => [r.request_id, `${r.service} ${r.status} ${r.outcome}`]));
      expect(refusedRequestIds.map((r) => `${r.requestId} ${byId.get(r.requestId) ?? 'MISSING'}`)).toEqual(refusedRequestIds.map((r) => `${r.requestId} ${r.service} ${r.status} refused`));
      const sample = refusedRequestIds.filter((r) => r.service === 'registry').slice(0, 5).map((r) => r.requestId);
      await eventually(async () => {
        const out = await client.query(`SELECT convert_from(payload, 'UTF8')::jsonb->>'requestId' AS rid FROM "${registrySchema}".outbox_event WHERE topic = 'strata.platform.audit-recorded.v1'`);
        const rids = new Set(out.rows.map((r: { rid: string }) => r.rid));
        expect(sample.filter((id) => !rids.has(id))).toEqual([]);
      }, 20_000);
      await expect(client.query(`DELETE FROM audit.audit_log WHERE request_id = $1`, [ids[0]])).rejects.toThrow(/append-only/);
    } finally {
      await client.end();
    }
    const viaHttp = await call(registry, 'GET', `/audit-log?outcome=refused&service=registry&limit=500&since=${startedAt}`, authHeaders(creds['admin']));
    expect(viaHttp.status).toBe(200);
    const httpIds = new Set(viaHttp.body.records.map((r: { requestId: string }) => r.requestId));
    expect(refusedRequestIds.filter((r) => r.service === 'registry' && !httpIds.has(r.requestId))).toEqual([]);
  });
});
