import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Controller, Get, Post, Module } from '@nestjs/common';
import { InvalidArgumentError } from '@strata/shared/util-errors';
import { authenticatedActor, serviceNameOf } from './actor';
import { applyFileSecrets } from './transport-config';
import { generateApiKey, hashApiKey, looksLikeApiKey, validateCreateApiKeyInput } from './api-keys';
import { DEFAULT_AUTH_MODE, loadAuthConfig, readSecret } from './auth-config';
import { Public, RequirePermission } from './decorators';
import { assertSafeName, isSafeName, quoteIdent } from './names';
import { type Principal, isAllowed, isKnownRole, permissionsOf, renderPermissionMatrixMarkdown, renderServiceRolesMarkdown } from './permissions';
import { collectRoutes } from './route-inventory';
import { routeAccess } from './route-permissions';

const who = (roles: string[], projects: string[] | null = null): Principal => ({ id: 'key:x', name: 'x', via: 'api-key', roles, projects });

describe('permission matrix', () => {
  it('grants each role exactly its documented permissions', () => {
    expect(isAllowed(who(['viewer']), 'models', 'read')).toBe(true);
    expect(isAllowed(who(['viewer']), 'models', 'write')).toBe(false);
    expect(isAllowed(who(['viewer']), 'audit', 'read')).toBe(false);
    expect(isAllowed(who(['data-scientist']), 'models', 'write')).toBe(true);
    expect(isAllowed(who(['data-scientist']), 'aliases', 'write')).toBe(false);
    expect(isAllowed(who(['ml-engineer']), 'aliases', 'write')).toBe(true);
    expect(isAllowed(who(['ml-engineer']), 'models', 'write')).toBe(false);
    expect(isAllowed(who(['ml-engineer']), 'keys', 'write')).toBe(false);
    expect(isAllowed(who(['admin']), 'keys', 'write')).toBe(true);
    expect(isAllowed(who(['admin']), 'audit', 'read')).toBe(true);
    expect(permissionsOf('inference')).toEqual(['inference:execute']);
    expect(isAllowed(who(['inference']), 'models', 'read')).toBe(false);
    expect(isAllowed(who(['service:serving']), 'models', 'read')).toBe(true);
    expect(isAllowed(who(['service:serving']), 'models', 'write')).toBe(false);
    // batch scoring over a dataset version: reads it, builds the model's training-set definition over it
    expect(isAllowed(who(['service:serving']), 'datasets', 'read')).toBe(true);
    expect(isAllowed(who(['service:serving']), 'features', 'write')).toBe(true);
    expect(isAllowed(who(['service:serving']), 'datasets', 'write')).toBe(false);
    expect(isAllowed(who(['root']), 'models', 'read')).toBe(false);
    expect(isAllowed(who([]), 'models', 'read')).toBe(false);
  });

  it('limits project-scoped principals to their projects', () => {
    expect(isAllowed(who(['data-scientist'], ['taxi']), 'models', 'write', 'taxi')).toBe(true);
    expect(isAllowed(who(['data-scientist'], ['taxi']), 'models', 'write', 'fraud')).toBe(false);
    expect(isAllowed(who(['data-scientist'], ['taxi']), 'models', 'write')).toBe(false);
    expect(isAllowed(who(['data-scientist'], null), 'models', 'write', 'fraud')).toBe(true);
  });

  it('knows human and service roles only', () => {
    expect(['viewer', 'admin', 'service:training', 'service:nope', 'service:', 'Admin'].map(isKnownRole)).toEqual([true, true, true, false, false, false]);
  });

  it('is shown in docs/security.md exactly as the guard uses it', () => {
    const doc = fs.readFileSync(path.resolve(__dirname, '../../../../../docs/security.md'), 'utf8');
    expect(doc).toContain(renderPermissionMatrixMarkdown());
    expect(doc).toContain(renderServiceRolesMarkdown());
  });
});

describe('strict names', () => {
  it('rejects injection-shaped names and accepts ordinary ones', () => {
    const bad = ['../x', 'a/../b', "a'b", 'x;drop table', '%2e%2e', '..', 'a..b', '', ' a', 'a b', 'a"b', '-x', 'x'.repeat(129), 'ä'];
    expect(bad.filter(isSafeName)).toEqual([]);
    expect(['taxi-tip', 'nyc_taxi.v2', 'A1', 'x'.repeat(128)].every(isSafeName)).toBe(true);
    expect(() => assertSafeName("a'b", 'path parameter name')).toThrow(InvalidArgumentError);
    expect(() => assertSafeName("a'b", 'path parameter name')).toThrow(`path parameter name "a'b" is not a valid name`);
    expect(quoteIdent('registry_1')).toBe('"registry_1"');
    expect(() => quoteIdent('x";drop')).toThrow(InvalidArgumentError);
  });
});

describe('API keys', () => {
  it('are 256-bit random, prefixed, and hashed with SHA-256', () => {
    const a = generateApiKey();
    const b = generateApiKey();
    expect(a.key).toMatch(/^sk_[a-z0-9]{12}_[A-Za-z0-9_-]{43}$/);
    expect(a.key.startsWith(`sk_${a.keyId}_`)).toBe(true);
    expect(a.key).not.toBe(b.key);
    expect(looksLikeApiKey(a.key)).toBe(true);
    expect(looksLikeApiKey('eyJhbGciOi.x.y')).toBe(false);
    expect(hashApiKey('sk_abc').toString('hex')).toBe('7c8d93f8ffb4cdb85b2a4b0c10886a66959da2eb67707b1c54718850a56d158c');
    expect(hashApiKey(a.key)).toHaveLength(32);
  });

  it('validates create input naming the field', () => {
    expect(() => validateCreateApiKeyInput({ name: 'ok', roles: ['root'], createdBy: 't' })).toThrow('unknown role(s): root');
    expect(() => validateCreateApiKeyInput({ name: '../x', roles: ['viewer'], createdBy: 't' })).toThrow('API key name "../x" must match the strict name pattern');
    expect(() => validateCreateApiKeyInput({ name: 'ok', roles: [], createdBy: 't' })).toThrow('roles must list at least one role');
    expect(() => validateCreateApiKeyInput({ name: 'ok', roles: ['viewer'], expiresAt: new Date(Date.now() - 1), createdBy: 't' })).toThrow('expiresAt must be in the future');
  });
});

describe('auth configuration', () => {
  it("defaults to mode 'enforce' with audit on; off opts out and turns audit off", () => {
    expect(DEFAULT_AUTH_MODE).toBe('enforce');
    expect(loadAuthConfig({})).toEqual(expect.objectContaining({ mode: 'enforce', audit: true, keyCacheMs: 5000, bodyLimitBytes: 10 * 1024 * 1024 }));
    expect(loadAuthConfig({ STRATA_AUTH_MODE: 'off' })).toEqual(expect.objectContaining({ mode: 'off', audit: false }));
    expect(loadAuthConfig({ STRATA_AUTH_MODE: 'enforce' })).toEqual(expect.objectContaining({ mode: 'enforce', audit: true }));
    expect(() => loadAuthConfig({ STRATA_AUTH_MODE: 'on' })).toThrow('STRATA_AUTH_MODE');
    expect(() => loadAuthConfig({ STRATA_AUTH_JWT_ISSUER: 'https://idp' })).toThrow('STRATA_AUTH_JWT_ISSUER and STRATA_AUTH_JWT_JWKS_URL must be set together');
    expect(loadAuthConfig({ STRATA_AUTH_JWT_ISSUER: 'https://idp', STRATA_AUTH_JWT_JWKS_URL: 'https://idp/jwks', STRATA_AUTH_JWT_AUDIENCE: 'a, b' }).jwt).toEqual({
      issuer: 'https://idp',
      jwksUrl: 'https://idp/jwks',
      audience: ['a', 'b'],
      rolesClaim: 'roles',
      projectsClaim: 'strata_projects',
      clockToleranceSec: 30,
    });
  });

  it('reads secrets from env or *_FILE, never both', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'strata-secret-')), 'key');
    fs.writeFileSync(file, 'sk_secret\n');
    expect(readSecret({ STRATA_API_KEY_FILE: file }, 'STRATA_API_KEY')).toBe('sk_secret');
    expect(readSecret({ STRATA_API_KEY: 'x' }, 'STRATA_API_KEY')).toBe('x');
    expect(readSecret({}, 'STRATA_API_KEY')).toBeUndefined();
    expect(() => readSecret({ STRATA_API_KEY: 'x', STRATA_API_KEY_FILE: file }, 'STRATA_API_KEY')).toThrow('STRATA_API_KEY and STRATA_API_KEY_FILE are both set');
    expect(() => readSecret({ STRATA_API_KEY_FILE: `${file}.missing` }, 'STRATA_API_KEY')).toThrow('STRATA_API_KEY_FILE: cannot read');
  });
});

describe('route inventory and resolution', () => {
  @Controller('things')
  class ThingsController {
    @Get(':name')
    @RequirePermission('models', 'read')
    get(): string {
      return 'get';
    }
    @Post()
    create(): string {
      return 'create';
    }
    @Get('open/ping')
    @Public()
    ping(): string {
      return 'ping';
    }
  }
  @Module({ controllers: [ThingsController] })
  class ThingsModule {}
  @Module({ imports: [ThingsModule] })
  class Root {}

  it('lists every route with its declaration', () => {
    expect(collectRoutes({ module: Root, imports: [] })).toEqual([
      { method: 'POST', path: '/things', handler: 'ThingsController.create', declared: undefined, isPublic: false },
      { method: 'GET', path: '/things/:name', handler: 'ThingsController.get', declared: { resource: 'models', action: 'read' }, isPublic: false },
      { method: 'GET', path: '/things/open/ping', handler: 'ThingsController.ping', declared: undefined, isPublic: true },
    ]);
  });

  it('enforces what the route declares: public, its permission, else undeclared (default-deny)', () => {
    expect(routeAccess(false, { resource: 'audit', action: 'read' })).toEqual({ kind: 'permission', permission: { resource: 'audit', action: 'read' } });
    expect(routeAccess(true, undefined)).toEqual({ kind: 'public' });
    expect(routeAccess(false, undefined)).toEqual({ kind: 'undeclared' });
    // which permission each platform route declares: apps/strata-e2e/src/route-permissions.spec.ts
  });
});

describe('authenticatedActor (enforce: the principal is the actor)', () => {
  const person = { id: 'key:abc123', roles: ['ml-engineer'] };
  const monitoring = { id: 'key:mon456', roles: ['service:monitoring'] };
  it('ignores an actor named by a non-service principal', () => {
    expect(authenticatedActor(person, 'somebody-else')).toBe('key:abc123');
    expect(authenticatedActor(person, 'monitoring:auto-rollback')).toBe('key:abc123');
    expect(authenticatedActor(person)).toBe('key:abc123');
  });
  it('lets a service act on behalf of someone under its own name', () => {
    expect(serviceNameOf(monitoring)).toBe('monitoring');
    expect(serviceNameOf(person)).toBeUndefined();
    expect(authenticatedActor(monitoring, 'monitoring:auto-rollback')).toBe('monitoring:auto-rollback');
    expect(authenticatedActor(monitoring, 'monitoring')).toBe('monitoring');
    expect(authenticatedActor(monitoring, 'alice')).toBe('monitoring:alice');
    expect(authenticatedActor(monitoring, 'training:x')).toBe('monitoring:training:x');
    expect(authenticatedActor(monitoring)).toBe('key:mon456');
    expect(authenticatedActor(monitoring, ' ')).toBe('key:mon456');
  });
});

describe('applyFileSecrets', () => {
  it('moves NAME_FILE into NAME once, so the key is then read from NAME alone', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-secret-'));
    const file = path.join(dir, 'svc.key');
    fs.writeFileSync(file, 'sk_abc_def\n');
    const env: Record<string, string | undefined> = { STRATA_API_KEY_FILE: file, OTHER: 'x' };
    applyFileSecrets(env);
    expect(env).toEqual({ STRATA_API_KEY: 'sk_abc_def', OTHER: 'x' });
    expect(readSecret(env, 'STRATA_API_KEY')).toBe('sk_abc_def');
    expect(() => applyFileSecrets({ STRATA_API_KEY: 'a', STRATA_API_KEY_FILE: file })).toThrow('STRATA_API_KEY and STRATA_API_KEY_FILE are both set');
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
