import type { ExceptionFilter } from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { TestingModule } from '@nestjs/testing';
import { Client } from 'pg';
import { infraEnv } from './infra-env';

/**
 * Starts a compiled NestJS testing module as a Fastify app on 127.0.0.1 and a free port, with
 * the given global exception filters (pass the platform's `new AppErrorFilter()` so errors answer
 * as in production). Resolves with the app and its base URL (`http://127.0.0.1:<port>`).
 */
export async function listenTestApp(moduleRef: TestingModule, filters: ExceptionFilter[]): Promise<{ app: NestFastifyApplication; base: string }> {
  const app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter());
  app.useGlobalFilters(...filters);
  await app.listen(0, '127.0.0.1');
  return { app, base: (await app.getUrl()).replace('[::1]', '127.0.0.1') };
}

/**
 * Initializes a compiled NestJS testing module as a Fastify app that does NOT listen (tests call
 * it with `app.getHttpAdapter().getInstance().inject(…)`), with the given global exception
 * filters, once Fastify's plugins are loaded and `whenReady(app)` resolved (e.g.
 * `(a) => a.get(DatabaseService).whenReady()`: boot migrations done). Resolves with the app;
 * on a failure closes it and rejects with the error.
 */
export async function initInjectedTestApp(moduleRef: TestingModule, filters: ExceptionFilter[], whenReady: (app: NestFastifyApplication) => Promise<void>): Promise<NestFastifyApplication> {
  const app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter());
  app.useGlobalFilters(...filters);
  try {
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
    await whenReady(app);
  } catch (e) {
    await app.close().catch(() => undefined);
    throw e;
  }
  return app;
}

/** Drops the given PostgreSQL schemas (`IF EXISTS … CASCADE`) on the test stack's database (`infraEnv().databaseUrl`). */
export async function dropSchemas(...schemas: string[]): Promise<void> {
  const pg = new Client({ connectionString: infraEnv().databaseUrl });
  await pg.connect();
  try {
    for (const schema of schemas) await pg.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await pg.end();
  }
}
