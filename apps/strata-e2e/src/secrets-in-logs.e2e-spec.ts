/**
 * Secrets never reach logs. Registry and serving run at LOG_LEVEL=debug with auth enforced, on a
 * TLS-only PostgreSQL with a random password (tools/security/tls-postgres.sh, port 29433, own
 * state dir), the database URL and serving's own API key given as mounted files
 * (DATABASE_URL_FILE, STRATA_API_KEY_FILE). The test makes successful and failing requests with
 * API keys and JWTs (valid, unknown, revoked, wrongly signed), a service-to-service call, and a
 * registry started with a wrong database password; then scans every line both services printed
 * for each secret string.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type RunningService, type TestJwksServer, authHeaders, createTestCredentials, eventually, infraEnv, repoRoot, revokeTestKey, startService, startTestJwks, uniqueName, waitReady } from '@strata/shared/testing';

jest.setTimeout(240_000);

const PG_ENV = { STRATA_PG_TLS_PORT: '29433', STRATA_PG_TLS_DIR: path.join(repoRoot, '.stack/security/pg-tls-logs') };
const pgScript = (cmd: string): Record<string, string> =>
  Object.fromEntries(
    execFileSync('bash', [path.join(repoRoot, 'tools/security/tls-postgres.sh'), cmd], { encoding: 'utf8', env: { ...process.env, ...PG_ENV }, stdio: ['ignore', 'pipe', 'pipe'] })
      .split('\n')
      .filter((l) => l.includes('='))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );

const env = infraEnv();
let jwks: TestJwksServer;
const running: RunningService[] = [];
const secrets: Record<string, string> = {};

afterAll(async () => {
  await Promise.all(running.map((s) => s.stop()));
  await jwks?.close();
  pgScript('down');
});

it('never prints a configured or presented secret, at debug level, including on failures', async () => {
  const pg = pgScript('up');
  const dbUrl = `${pg['PG_TLS_URL']}?sslmode=verify-full&sslrootcert=${encodeURIComponent(pg['PG_TLS_CA_FILE'] ?? '')}`;
  secrets['db password'] = new URL(pg['PG_TLS_URL'] ?? '').password;
  jwks = await startTestJwks();
  const creds = await createTestCredentials(dbUrl, ['admin', 'viewer', 'service:serving'] as const);
  secrets['admin key'] = creds['admin'];
  secrets['viewer key'] = creds['viewer'];
  secrets['serving service key'] = creds['service:serving'];

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-secrets-'));
  fs.writeFileSync(path.join(dir, 'db-url'), dbUrl, { mode: 0o600 });
  fs.writeFileSync(path.join(dir, 'serving-key'), `${creds['service:serving']}\n`, { mode: 0o600 });
  const common = {
    DATABASE_URL: undefined,
    DATABASE_URL_FILE: path.join(dir, 'db-url'),
    KAFKA_BROKERS: env.kafkaBrokers.join(','),
    LOG_LEVEL: 'debug',
    STRATA_AUTH_MODE: 'enforce',
    STRATA_AUTH_KEY_CACHE_MS: '0',
    STRATA_AUTH_JWT_ISSUER: jwks.issuer,
    STRATA_AUTH_JWT_JWKS_URL: jwks.jwksUrl,
  };
  const tag = uniqueName('logs');
  const registry = startService('registry', 29131, { ...common, REGISTRY_DB_SCHEMA: `reg_${tag}` });
  const serving = startService('serving', 29132, {
    ...common,
    SERVING_DB_SCHEMA: `srv_${tag}`,
    SERVING_CONSUMER_GROUP: `serving-${tag}`,
    REGISTRY_URL: registry.baseUrl,
    FEATURES_URL: 'http://127.0.0.1:29199',
    STRATA_API_KEY_FILE: path.join(dir, 'serving-key'),
  });
  running.push(registry, serving);
  await Promise.all([waitReady(registry), waitReady(serving)]);

  const jwt = await jwks.sign({ roles: ['viewer'] });
  const foreignJwt = await jwks.signWithForeignKey({ roles: ['admin'] }, 'mallory');
  const unknownKey = `sk_000000000000_${'Z'.repeat(43)}`;
  secrets['valid jwt'] = jwt;
  secrets['foreign jwt'] = foreignJwt;
  secrets['unknown key'] = unknownKey;
  const statuses: number[] = [];
  const hit = async (svc: RunningService, p: string, headers: Record<string, string>, method = 'GET', body?: unknown): Promise<void> => {
    const res = await fetch(`${svc.baseUrl}${p}`, { method, headers: { ...headers, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
    statuses.push(res.status);
    await res.text();
  };
  await hit(registry, '/registered-models', authHeaders(creds['viewer']));
  await hit(registry, '/registered-models', authHeaders(jwt));
  await hit(registry, '/registered-models', authHeaders(foreignJwt));
  await hit(registry, '/registered-models', { 'x-api-key': unknownKey });
  await hit(registry, '/audit-log', authHeaders(creds['viewer']));
  await hit(registry, '/registered-models/x/versions', authHeaders(creds['admin']), 'POST', { bad: true });
  await hit(registry, "/registered-models/a'b", authHeaders(creds['admin']));
  await hit(serving, '/v2/models/nope/infer', authHeaders(creds['admin']), 'POST', { inputs: [] }); // serving → registry with its own key
  await hit(serving, '/models', { authorization: `Bearer ${creds['viewer']}x` });
  await revokeTestKey(dbUrl, creds.records['viewer'].keyId);
  await hit(registry, '/registered-models', authHeaders(creds['viewer']));
  await hit(registry, '/auth/keys', authHeaders(creds['admin']), 'POST', { name: 'made-in-test', roles: ['viewer'] });
  expect(statuses).toEqual([200, 200, 401, 401, 403, 400, 400, expect.any(Number), 401, 401, 201]);
  expect(statuses[7]).not.toBe(401);

  // a registry with a wrong database password logs its connection failures
  const wrongPassword = `wrong-${Math.random().toString(36).slice(2)}`;
  secrets['wrong db password'] = wrongPassword;
  const broken = startService('registry', 29133, { ...common, DATABASE_URL_FILE: undefined, DATABASE_URL: dbUrl.replace(secrets['db password'] ?? '', wrongPassword), REGISTRY_DB_SCHEMA: `reg2_${tag}` });
  running.push(broken);
  await eventually(async () => expect(broken.output()).toMatch(/password authentication failed/), 30_000);

  await Promise.all(running.map((s) => s.stop()));
  const logs = running.map((s) => s.output()).join('\n');
  expect(logs.split('\n').length).toBeGreaterThan(30); // debug level really logged
  const leaked = Object.entries(secrets).filter(([, value]) => value && logs.includes(value)).map(([what]) => what);
  expect(leaked).toEqual([]);
});
