import { Client } from 'pg';

/**
 * Runs one SQL statement with positional parameters (`$1`, `$2`, …) on a fresh PostgreSQL
 * connection to `databaseUrl` (e.g. `infraEnv().databaseUrl`) and resolves with its rows, typed
 * as `T` by the caller (PostgreSQL `bigint`/`count(*)` come back as strings). The connection is
 * closed in every case; a failing statement rejects with the driver's error.
 */
export async function queryPostgres<T extends Record<string, unknown>>(databaseUrl: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const pg = new Client({ connectionString: databaseUrl });
  await pg.connect();
  try {
    return (await pg.query(sql, params)).rows as T[];
  } finally {
    await pg.end();
  }
}
