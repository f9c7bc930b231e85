import type { DataSource } from 'typeorm';
import { eventually } from './eventually';

/**
 * Waits until `ds` (an app's DataSource) is initialized and `"<schema>"."<table>"` answers a
 * query: the app has connected and its boot migrations created the table. Polls with
 * {@link eventually} for up to `timeoutMs` (default 30 s), then rejects with the last error
 * (`db not ready` while the DataSource is not initialized, else PostgreSQL's).
 */
export async function waitForTable(ds: DataSource, schema: string, table: string, timeoutMs = 30_000): Promise<void> {
  await eventually(async () => {
    if (!ds.isInitialized) throw new Error('db not ready');
    await ds.query(`select 1 from "${schema}"."${table}" limit 1`);
  }, timeoutMs);
}
