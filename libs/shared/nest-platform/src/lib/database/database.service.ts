import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { UnavailableError } from '@strata/shared/util-errors';
import { DataSource, type DataSourceOptions, type EntitySchema, type MixedList } from 'typeorm';
import type { ReadinessCheck } from '../health/readiness-check';

/** DI token for {@link DatabaseOptions}. */
export const DATABASE_OPTIONS = Symbol('DATABASE_OPTIONS');

/**
 * How a service reaches its own PostgreSQL schema. Each service owns exactly one schema
 * (`ingestion`, `features`, ...); it never reads another service's tables (DESIGN.md).
 */
export interface DatabaseOptions {
  /** `postgres://user:pass@host:port/db` */
  url: string;
  /** The service's schema; created if missing, then migrations run inside it. */
  schema: string;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: MixedList<Function | string | EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: MixedList<Function | string>;
  /** Pool size (default 10). */
  poolSize?: number;
  /** Delay between connection attempts while PostgreSQL is unreachable (ms, default 2000). */
  retryDelayMs?: number;
  /** How long boot waits for the first connection before going on without it (ms, default 15000). */
  startupWaitMs?: number;
  /**
   * Deadline of opening a connection, and of waiting for a free one when the pool is exhausted
   * (ms, `DATABASE_CONNECT_TIMEOUT_MS`, default {@link DEFAULT_DB_CONNECT_TIMEOUT_MS}).
   */
  connectTimeoutMs?: number;
  /**
   * Server-side `statement_timeout` of every session (ms, `DATABASE_STATEMENT_TIMEOUT_MS`, default
   * {@link DEFAULT_DB_STATEMENT_TIMEOUT_MS}; 0 = none). The client also gives up on a query that
   * gets no answer for this long + 5 s (a PostgreSQL that accepts and never answers).
   */
  statementTimeoutMs?: number;
}

/** Default deadline of opening (or waiting for) a PostgreSQL connection, ms. */
export const DEFAULT_DB_CONNECT_TIMEOUT_MS = 5000;
/** Default `statement_timeout`, ms: far above any statement of the platform, below "forever". */
export const DEFAULT_DB_STATEMENT_TIMEOUT_MS = 120_000;

/**
 * Builds TypeORM options for one service schema. `synchronize` is always false: migrations only.
 * Deadlines (node-postgres): `connectionTimeoutMillis` (connect, and waiting for a pooled
 * connection), `statement_timeout` (server side) and `query_timeout` (client side, statement
 * timeout + 5 s), so no query waits forever on a slow, locked or unreachable PostgreSQL.
 */
export function createDataSourceOptions(options: DatabaseOptions): DataSourceOptions {
  const statementTimeoutMs = options.statementTimeoutMs ?? DEFAULT_DB_STATEMENT_TIMEOUT_MS;
  return {
    type: 'postgres',
    url: options.url,
    schema: options.schema,
    entities: options.entities,
    migrations: options.migrations,
    migrationsTableName: 'typeorm_migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: ['error'],
    poolSize: options.poolSize ?? 10,
    extra: {
      connectionTimeoutMillis: options.connectTimeoutMs ?? DEFAULT_DB_CONNECT_TIMEOUT_MS,
      application_name: `strata-${options.schema}`,
      ...(statementTimeoutMs > 0 ? { statement_timeout: statementTimeoutMs, query_timeout: statementTimeoutMs + 5000 } : {}),
    },
  };
}

/**
 * Owns the service's TypeORM DataSource. Connecting happens in the background with retries, so
 * a service started while PostgreSQL is down (or with a wrong DATABASE_URL) stays up, reports
 * 503 on `/health/ready` naming `postgres` and the error, and logs each failed attempt — it does
 * not crash-loop. Once connected it creates the schema if needed and runs pending migrations.
 *
 * Other providers inject the `DataSource` (same instance) and await {@link whenReady} before
 * their first query, or call {@link getDataSource} which throws `UnavailableError` until ready.
 */
@Injectable()
export class DatabaseService implements OnModuleInit, OnApplicationShutdown, ReadinessCheck {
  readonly name = 'postgres';
  private readonly logger = new Logger('Database');
  private lastError: string | undefined = 'not connected yet';
  private stopped = false;
  private readonly ready: Promise<void>;
  private resolveReady!: () => void;

  constructor(
    @Inject(DATABASE_OPTIONS) private readonly options: DatabaseOptions,
    readonly dataSource: DataSource,
  ) {
    this.ready = new Promise<void>((resolve) => (this.resolveReady = resolve));
  }

  /**
   * Starts connecting. Waits up to `startupWaitMs` (default 15 s) for the first successful
   * connection + migrations so that consumers and relays starting right after boot find the
   * database ready; past that the service boots anyway and keeps retrying in the background.
   */
  async onModuleInit(): Promise<void> {
    void this.connectLoop();
    const waitMs = this.options.startupWaitMs ?? 15_000;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.ready, new Promise<void>((r) => (timer = setTimeout(r, waitMs)))]);
    clearTimeout(timer);
  }

  /** Resolves once connected and migrated. */
  whenReady(): Promise<void> {
    return this.ready;
  }

  /** The DataSource if connected, else throws (mapped to HTTP 503). */
  getDataSource(): DataSource {
    if (!this.dataSource.isInitialized) {
      throw new UnavailableError(`PostgreSQL is not available: ${this.lastError ?? 'connecting'}`);
    }
    return this.dataSource;
  }

  async check(): Promise<void> {
    if (!this.dataSource.isInitialized) throw new Error(this.lastError ?? 'connecting');
    await this.dataSource.query('select 1');
  }

  private async connectLoop(): Promise<void> {
    const delay = this.options.retryDelayMs ?? 2000;
    for (let attempt = 1; !this.stopped; attempt++) {
      try {
        await this.connectOnce();
        this.lastError = undefined;
        this.logger.log({ schema: this.options.schema, attempt }, 'connected to PostgreSQL and ran migrations');
        this.resolveReady();
        return;
      } catch (e) {
        this.lastError = e instanceof Error ? e.message : String(e);
        this.logger.error({ schema: this.options.schema, attempt, err: this.lastError }, 'PostgreSQL not available, retrying');
        if (this.dataSource.isInitialized) await this.dataSource.destroy().catch(() => undefined);
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  private async connectOnce(): Promise<void> {
    await this.dataSource.initialize();
    await this.dataSource.query(`CREATE SCHEMA IF NOT EXISTS "${this.options.schema.replace(/"/g, '""')}"`);
    // Concurrent starts of the same service (tests booting several apps) must not run the same
    // migration twice: a session-level advisory lock serialises them per schema.
    const runner = this.dataSource.createQueryRunner();
    try {
      await runner.connect();
      await runner.query('select pg_advisory_lock(hashtext($1))', [`strata-migrations:${this.options.schema}`]);
      try {
        await this.dataSource.runMigrations({ transaction: 'each' });
      } finally {
        await runner.query('select pg_advisory_unlock(hashtext($1))', [`strata-migrations:${this.options.schema}`]);
      }
    } finally {
      await runner.release();
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}
