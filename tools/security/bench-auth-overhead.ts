/**
 * Benchmark: per-request cost of the platform guard and audit, in-process (Fastify inject, no
 * network), against the real PostgreSQL (API keys and audit rows in the shared schemas).
 * Cases: auth off; enforce with an API key (5 s cache / no cache); enforce with a JWT (RS256,
 * JWKS served in-process); and a mutation under enforce (audit row + no outbox: no messaging).
 * Prints mean and p99 latency per request (µs) over `--n` requests per case (default 2000).
 *
 *   set -a; . .stack/env; set +a; node -r @swc-node/register tools/security/bench-auth-overhead.ts [--n 2000]
 */
import 'reflect-metadata';
import { Controller, Get, type DynamicModule, Module, Post } from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { type AuthConfig, RequirePermission, loadAuthConfig } from '@strata/shared/auth';
import { AppErrorFilter, DatabaseService, PlatformModule } from '@strata/shared/nest-platform';
import { authHeaders, createTestCredentials, startTestJwks } from '@strata/shared/testing';
import { Client } from 'pg';

const n = Number(process.argv[process.argv.indexOf('--n') + 1] ?? 2000) || 2000;
const databaseUrl = process.env['DATABASE_URL'];
if (!databaseUrl) throw new Error('DATABASE_URL is required (set -a; . .stack/env)');

@Controller('bench')
class BenchController {
  @Get('read')
  @RequirePermission('models', 'read')
  read(): { ok: true } {
    return { ok: true };
  }
  @Post('write')
  @RequirePermission('models', 'write')
  write(): { name: string } {
    return { name: 'bench' };
  }
}

async function app(auth: AuthConfig, schema: string): Promise<NestFastifyApplication> {
  @Module({ controllers: [BenchController] })
  class BenchModule {}
  const root: DynamicModule = {
    module: class BenchRoot {},
    imports: [PlatformModule.forService({ identity: { name: 'bench', version: '0' }, logLevel: 'silent', database: { url: databaseUrl as string, schema, entities: [], migrations: [] }, auth }), BenchModule],
  };
  const ref = await Test.createTestingModule({ imports: [root] }).compile();
  const a = ref.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), { logger: false });
  a.useGlobalFilters(new AppErrorFilter());
  await a.init();
  await a.getHttpAdapter().getInstance().ready();
  await a.get(DatabaseService).whenReady();
  return a;
}

async function measure(a: NestFastifyApplication, method: 'GET' | 'POST', url: string, headers: Record<string, string>): Promise<{ mean: number; p99: number; status: number }> {
  const fastify = a.getHttpAdapter().getInstance();
  let status = 0;
  for (let i = 0; i < 200; i++) status = (await fastify.inject({ method, url, headers })).statusCode; // warm-up
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    status = (await fastify.inject({ method, url, headers })).statusCode;
    times.push(Number(process.hrtime.bigint() - t0) / 1000);
  }
  times.sort((x, y) => x - y);
  return { mean: times.reduce((s, x) => s + x, 0) / n, p99: times[Math.floor(n * 0.99)] ?? 0, status };
}

async function main(): Promise<void> {
  const jwks = await startTestJwks();
  const creds = await createTestCredentials(databaseUrl as string, ['admin'] as const);
  const jwt = await jwks.sign({ roles: ['admin'] }, { audience: 'strata', expiresAt: '1h' });
  const schema = `bench_auth_${Date.now().toString(36)}`;
  const base = loadAuthConfig({ STRATA_RATE_LIMIT_WRITE_PER_MIN: '0', STRATA_RATE_LIMIT_INFER_PER_MIN: '0' });
  const jwtConf = loadAuthConfig({ STRATA_AUTH_JWT_ISSUER: jwks.issuer, STRATA_AUTH_JWT_JWKS_URL: jwks.jwksUrl, STRATA_AUTH_JWT_AUDIENCE: 'strata' }).jwt;
  const cases: Array<[string, AuthConfig, 'GET' | 'POST', Record<string, string>]> = [
    ['off (phase-1 default)            GET', { ...base, mode: 'off', audit: false }, 'GET', {}],
    ['enforce, API key, cache 5 s      GET', { ...base, mode: 'enforce', audit: true, keyCacheMs: 5000 }, 'GET', authHeaders(creds['admin'])],
    ['enforce, API key, no cache       GET', { ...base, mode: 'enforce', audit: true, keyCacheMs: 0 }, 'GET', authHeaders(creds['admin'])],
    ['enforce, JWT RS256               GET', { ...base, mode: 'enforce', audit: true, jwt: jwtConf }, 'GET', authHeaders(jwt)],
    ['off                              POST', { ...base, mode: 'off', audit: false }, 'POST', {}],
    ['enforce, API key (cached) + audit POST', { ...base, mode: 'enforce', audit: true, keyCacheMs: 5000 }, 'POST', authHeaders(creds['admin'])],
  ];
  console.log(`requests per case: ${n}; in-process inject; ${require('node:os').cpus().length} cores`);
  console.log('case                                    │ status │ mean µs │  p99 µs');
  for (const [name, conf, method, headers] of cases) {
    const a = await app(conf, schema);
    const r = await measure(a, method, method === 'GET' ? '/bench/read' : '/bench/write', headers);
    console.log(`${name.padEnd(40)}│ ${String(r.status).padStart(6)} │ ${r.mean.toFixed(0).padStart(7)} │ ${r.p99.toFixed(0).padStart(7)}`);
    await a.close();
  }
  await jwks.close();
  const c = new Client({ connectionString: databaseUrl });
  await c.connect();
  await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await c.end();
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
