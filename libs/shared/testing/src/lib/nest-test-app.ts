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
