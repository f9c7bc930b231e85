import { DataSource } from 'typeorm';
import { infraEnv, startFaultProxy, type FaultProxy } from '@strata/shared/testing';
import { createDataSourceOptions } from './database.service';

jest.setTimeout(60_000);

/**
 * PostgreSQL never makes a service wait forever (issue 19): a statement that runs too long is
 * cancelled by `statement_timeout`; a PostgreSQL that accepts connections and never answers
 * fails the connect within `connectTimeoutMs`, and a query on an open connection that goes
 * silent fails within statement timeout + 5 s; an exhausted pool fails the wait for a
 * connection within `connectTimeoutMs`. Real PostgreSQL behind a local fault proxy.
 */
describe('PostgreSQL deadlines (real PostgreSQL behind a fault proxy)', () => {
  const { databaseUrl } = infraEnv();
  let proxy: FaultProxy;
  const opened: DataSource[] = [];
  const viaProxy = () => {
    const u = new URL(databaseUrl);
    u.host = proxy.address;
    return u.toString();
  };
  const open = async (url: string, extra: { connectTimeoutMs?: number; statementTimeoutMs?: number; poolSize?: number }) => {
    const ds = new DataSource(createDataSourceOptions({ url, schema: 'public', entities: [], migrations: [], ...extra }));
    opened.push(ds);
    await ds.initialize();
    return ds;
  };
  /** `p`'s error and how long it took (never more than 20 s: a hang fails the test). */
  const timed = async (p: Promise<unknown>) => {
    const t0 = Date.now();
    let timer: NodeJS.Timeout | undefined;
    const err = await Promise.race([p.then(() => new Error('answered')), new Promise<Error>((r) => (timer = setTimeout(() => r(new Error('still waiting after 20 s')), 20_000)))]).catch(
      (e: unknown) => e as Error,
    );
    clearTimeout(timer);
    return { err, ms: Date.now() - t0 };
  };

  beforeEach(async () => {
    const u = new URL(databaseUrl);
    proxy = await startFaultProxy(`${u.hostname}:${u.port || '5432'}`);
  });
  afterEach(async () => {
    await proxy.setMode('pass');
    for (const ds of opened.splice(0)) if (ds.isInitialized) await ds.destroy().catch(() => undefined);
    await proxy.close();
  });

  it('a statement running longer than statement_timeout is cancelled by the server', async () => {
    const ds = await open(databaseUrl, { statementTimeoutMs: 500 });
    const { err, ms } = await timed(ds.query('select pg_sleep(5)'));
    console.log(`PostgreSQL statement_timeout 500 ms: pg_sleep(5) failed after ${ms} ms`);
    expect(err.message).toMatch(/canceling statement due to statement timeout/);
    expect(ms).toBeLessThan(4000);
  });

  it('a PostgreSQL that accepts and never answers: connecting fails within connectTimeoutMs', async () => {
    await proxy.setMode('blackhole');
    const { err, ms } = await timed(open(viaProxy(), { connectTimeoutMs: 800 }));
    console.log(`PostgreSQL black hole: connect failed after ${ms} ms: ${err.message}`);
    expect(err.message).toMatch(/timeout/i);
    expect(ms).toBeLessThan(5000);
  });

  it('an open connection that goes silent: the query fails within statement timeout + 5 s', async () => {
    const ds = await open(viaProxy(), { statementTimeoutMs: 500 });
    expect(await ds.query('select 1 as one')).toEqual([{ one: 1 }]);
    await proxy.setMode('blackhole');
    const { err, ms } = await timed(ds.query('select 2 as two'));
    console.log(`PostgreSQL black hole: query failed after ${ms} ms: ${err.message}`);
    expect(err.message).toMatch(/Query read timeout/);
    expect(ms).toBeLessThan(10_000);
  });

  it('an exhausted pool: waiting for a connection fails within connectTimeoutMs', async () => {
    const ds = await open(databaseUrl, { poolSize: 1, connectTimeoutMs: 800, statementTimeoutMs: 10_000 });
    const busy = ds.query('select pg_sleep(3)');
    const { err, ms } = await timed(ds.query('select 1'));
    console.log(`PostgreSQL pool exhausted: waiting for a connection failed after ${ms} ms: ${err.message}`);
    expect(err.message).toMatch(/timeout exceeded when trying to connect/i);
    expect(ms).toBeLessThan(3000);
    await busy;
  });
});
