import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type CreatedApiKey } from '@strata/shared/auth';
import { ApiKeyStore, migrateSecuritySchemas } from '@strata/shared/data-access-auth';
import { SignJWT, exportJWK, generateKeyPair, type JWK } from 'jose';
import { Client } from 'pg';

/**
 * Creates one API key per role in the shared `auth` schema of `databaseUrl` (migrating it if
 * needed) and returns them by role, e.g.
 *
 * ```ts
 * const creds = await createTestCredentials(infraEnv().databaseUrl, ['viewer', 'data-scientist']);
 * await fetch(url, { headers: authHeaders(creds['viewer']) });
 * ```
 * Keys expire after `expiresInMs` (default 1 h) and are named `test-<role>-<random>`.
 */
export async function createTestCredentials<R extends string>(databaseUrl: string, roles: readonly R[], options: { expiresInMs?: number; projects?: string[] | null } = {}): Promise<Record<R, string> & { records: Record<R, CreatedApiKey> }> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('BEGIN');
    await migrateSecuritySchemas(client);
    await client.query('COMMIT');
    const store = new ApiKeyStore(client);
    const keys = {} as Record<R, string>;
    const records = {} as Record<R, CreatedApiKey>;
    for (const role of roles) {
      const created = await store.create({
        name: `test-${role.replace(/[^A-Za-z0-9-]/g, '-')}-${Math.random().toString(36).slice(2, 8)}`,
        roles: [role],
        projects: options.projects ?? null,
        expiresAt: new Date(Date.now() + (options.expiresInMs ?? 3_600_000)),
        createdBy: 'test',
      });
      keys[role] = created.key;
      records[role] = created;
    }
    return Object.assign(keys, { records });
  } finally {
    await client.end();
  }
}

/** Revokes a key by id in the shared `auth` schema (tests of revocation). */
export async function revokeTestKey(databaseUrl: string, keyId: string): Promise<void> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await new ApiKeyStore(client).revoke(keyId, 'test');
  } finally {
    await client.end();
  }
}

/** Request headers carrying `key` (API key or JWT) as a bearer credential, plus `extra`. */
export function authHeaders(key: string, extra: Record<string, string> = {}): Record<string, string> {
  return { authorization: `Bearer ${key}`, ...extra };
}

/** An in-test OIDC issuer: a JWKS endpoint on 127.0.0.1 and a token signer (jose). */
export interface TestJwksServer {
  /** `http://127.0.0.1:<port>` (use as the issuer). */
  issuer: string;
  /** `<issuer>/.well-known/jwks.json`. */
  jwksUrl: string;
  /** Signs a token with the current key (RS256); `expiresIn` like `'5m'` or a past epoch second. */
  sign(claims: Record<string, unknown>, options?: { subject?: string; audience?: string; expiresAt?: number | string; notBefore?: number | string; issuer?: string }): Promise<string>;
  /** Replaces the published key (rotation); tokens signed earlier stop verifying. */
  rotate(): Promise<void>;
  /** Signs with a key that is NOT published (a wrongly-signed token). */
  signWithForeignKey(claims: Record<string, unknown>, subject?: string, audience?: string): Promise<string>;
  close(): Promise<void>;
}

/** Starts a {@link TestJwksServer} on `port` (0 = any free port). */
export async function startTestJwks(port = 0): Promise<TestJwksServer> {
  let current = await generateKeyPair('RS256');
  let kid = `k-${Date.now().toString(36)}`;
  let jwk: JWK = { ...(await exportJWK(current.publicKey)), kid, alg: 'RS256', use: 'sig' };
  const server = http.createServer((req, res) => {
    if (req.url === '/.well-known/jwks.json') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: [jwk] }));
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const signWith = async (key: Parameters<SignJWT['sign']>[0], keyId: string, claims: Record<string, unknown>, o: Parameters<TestJwksServer['sign']>[1] = {}): Promise<string> => {
    let jwt = new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: keyId })
      .setIssuer(o.issuer ?? issuer)
      .setSubject(o.subject ?? 'test-user')
      .setIssuedAt()
      .setExpirationTime(o.expiresAt ?? '5m');
    if (o.audience) jwt = jwt.setAudience(o.audience);
    if (o.notBefore !== undefined) jwt = jwt.setNotBefore(o.notBefore);
    return jwt.sign(key);
  };
  return {
    issuer,
    jwksUrl: `${issuer}/.well-known/jwks.json`,
    sign: (claims, o) => signWith(current.privateKey, kid, claims, o),
    async rotate() {
      current = await generateKeyPair('RS256');
      kid = `k-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
      jwk = { ...(await exportJWK(current.publicKey)), kid, alg: 'RS256', use: 'sig' };
    },
    async signWithForeignKey(claims, subject, audience) {
      const foreign = await generateKeyPair('RS256');
      return signWith(foreign.privateKey, kid, claims, { subject, audience });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
