import { randomUUID } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { withLocalFiles, type ObjectStore } from '@strata/shared/data-access-object-store';
import { qid, qstr, toJsonScalar } from '@strata/shared/data-access-duckdb';
import { DUCKDB_VALUE_TYPE, type FeatureView, type OnDemandFeatureView } from './feature-view';
import { EntityFrameError, FeatureReferenceError, FeatureViewError } from './offline-store.errors';
import {
  type ColumnInfo,
  CREATED_TIMESTAMP,
  type DuckDBOfflineStoreDeps,
  type EntityFrameInput,
  EVENT_TIMESTAMP,
  type FeatureViewSource,
  type HistoricalFeaturesOptions,
  type HistoricalFeaturesResult,
  type MaterializationResult,
  type MaterializeOptions,
  type OutputRow,
  type TimeInput,
} from './offline-store.types';
import { convertRow, defaultMaterializationId, describe, jsonValue, pathList, planRefs, run, tsLit } from './offline-store.sql';
import { joinView, loadEntityFrame } from './point-in-time-join';

export * from './offline-store.types';

/**
 * Offline feature store on Parquet with DuckDB: materialization of batch views and
 * point-in-time correct historical retrieval (training sets).
 *
 * Feature file layout (`features/<view>/<materializationId>.parquet`): join-key columns,
 * `event_timestamp` TIMESTAMPTZ, `created_timestamp` TIMESTAMPTZ, then feature columns in
 * declared order and types. All DuckDB sessions run with `TimeZone = 'UTC'`.
 */
export class DuckDBOfflineStore {
  private readonly store: ObjectStore;
  private readonly tmpDir: string;
  private db: Promise<DuckDBInstance> | undefined;
  private readonly ownsDb: boolean;

  constructor(deps: DuckDBOfflineStoreDeps) {
    this.store = deps.store;
    this.tmpDir = deps.tmpDir ?? os.tmpdir();
    this.ownsDb = deps.duckdb === undefined;
    if (deps.duckdb) this.db = Promise.resolve(deps.duckdb);
  }

  /** Closes the private DuckDB instance (no-op when injected). */
  async close(): Promise<void> {
    if (this.ownsDb && this.db) (await this.db).closeSync();
    this.db = undefined;
  }

  /**
   * Runs `view.transformation` over the source Parquet files and writes the feature rows
   * with `start <= event_timestamp < end` to `features/<view>/<materializationId>.parquet`.
   * The transformation sees the whole source (so trailing windows at `start` are complete);
   * only its output is filtered by the interval. Rows are sorted by join keys, event time.
   * @param sourceUris dataset version Parquet URIs (any store URI; `file://` read in place).
   * @throws FeatureViewError when the SQL fails or lacks a declared column.
   */
  async materialize(view: FeatureView, sourceUris: readonly string[], options: MaterializeOptions): Promise<MaterializationResult> {
    const id = options.materializationId ?? defaultMaterializationId();
    const key = `features/${view.name}/${id}.parquet`;
    return this.withConnection(async (conn, work) =>
      withLocalFiles(this.store, sourceUris, async (paths) => {
        if (paths.length === 0) throw new FeatureViewError(view.name, 'materialize needs at least one source URI');
        await this.createSource(conn, view.name, paths);
        const body = await this.featureRowsSql(conn, view);
        const where = `${EVENT_TIMESTAMP} >= ${tsLit(options.start)} AND ${EVENT_TIMESTAMP} < ${tsLit(options.end)}`;
        const order = [...view.entities.map(qid), EVENT_TIMESTAMP, CREATED_TIMESTAMP].join(', ');
        await run(conn, `CREATE TEMP TABLE mat AS SELECT * FROM (${body}) WHERE ${where} ORDER BY ${order}`, `Feature view '${view.name}': materialize`);
        return this.storeFeatureFile(conn, work, view.name, id, key);
      }),
    );
  }

  /**
   * Writes already-computed feature rows (e.g. pushed rows) of `view` as a feature file
   * `features/<view>/<materializationId>.parquet` in the standard layout (keys typed by
   * `keyTypes`, `event_timestamp`/`created_timestamp` TIMESTAMPTZ, features cast to their dtype).
   * @param rows objects with the join keys, `event_timestamp`, `created_timestamp` (ISO-8601 or Date) and features.
   * @throws OfflineQueryError when a value does not cast to its column type.
   */
  async writeFeatureRows(
    view: FeatureView,
    rows: ReadonlyArray<Readonly<Record<string, unknown>>>,
    options: { materializationId: string; keyTypes: Readonly<Record<string, string>> },
  ): Promise<MaterializationResult> {
    const key = `features/${view.name}/${options.materializationId}.parquet`;
    return this.withConnection(async (conn, work) => {
      const cols: Array<[string, string]> = [
        ...view.entities.map((k): [string, string] => [k, options.keyTypes[k] ?? 'VARCHAR']),
        [EVENT_TIMESTAMP, 'TIMESTAMPTZ'],
        [CREATED_TIMESTAMP, 'TIMESTAMPTZ'],
        ...view.features.map((f): [string, string] => [f.name, DUCKDB_VALUE_TYPE[f.dtype]]),
      ];
      const file = path.join(work, 'rows.ndjson');
      await fs.writeFile(file, rows.map((r) => JSON.stringify(Object.fromEntries(cols.map(([n]) => [n, jsonValue(r[n])])))).join('\n') + '\n');
      const spec = cols.map(([n, t]) => `${qstr(n)}: ${qstr(t)}`).join(', ');
      const order = [...view.entities.map(qid), EVENT_TIMESTAMP, CREATED_TIMESTAMP].join(', ');
      await run(
        conn,
        `CREATE TEMP TABLE mat AS SELECT ${cols.map(([n]) => qid(n)).join(', ')} FROM read_json(${qstr(file)}, format = 'newline_delimited', columns = {${spec}}) ORDER BY ${order}`,
        `Feature view '${view.name}': writing pushed rows`,
      );
      return this.storeFeatureFile(conn, work, view.name, options.materializationId, key);
    });
  }

  /**
   * Writes the connection's temp table `mat` (feature rows in the standard layout) as a zstd
   * Parquet file under `work`, puts it in the store at `key`, and describes it: row count and
   * event-time range (ISO-8601, null when empty) of the rows, the stored object's URI, SHA-256, size.
   */
  private async storeFeatureFile(conn: DuckDBConnection, work: string, viewName: string, materializationId: string, key: string): Promise<MaterializationResult> {
    const tmp = path.join(work, 'features.parquet');
    await conn.run(`COPY mat TO ${qstr(tmp)} (FORMAT parquet, COMPRESSION zstd)`);
    const stats = (await conn.runAndReadAll(`SELECT count(*) AS n, min(${EVENT_TIMESTAMP}) AS mn, max(${EVENT_TIMESTAMP}) AS mx FROM mat`)).getRowObjects()[0]!;
    const put = await this.store.put(key, createReadStream(tmp));
    return {
      view: viewName,
      materializationId,
      key,
      uri: put.uri,
      sha256: put.sha256,
      sizeBytes: put.sizeBytes,
      rowCount: Number(stats['n']),
      minEventTime: toJsonScalar(stats['mn'] ?? null) as string | null,
      maxEventTime: toJsonScalar(stats['mx'] ?? null) as string | null,
    };
  }

  /**
   * Event-time range and row count of the view's transformation output over `sourceUris` alone
   * (used to decide which dataset versions a windowed materialization must read).
   * @throws FeatureViewError when the SQL fails or lacks a declared column.
   */
  async eventTimeRange(view: FeatureView, sourceUris: readonly string[]): Promise<{ rowCount: number; minEventTime: string | null; maxEventTime: string | null }> {
    return this.withConnection(async (conn) =>
      withLocalFiles(this.store, sourceUris, async (paths) => {
        if (paths.length === 0) throw new FeatureViewError(view.name, 'eventTimeRange needs at least one source URI');
        await this.createSource(conn, view.name, paths);
        const body = await this.featureRowsSql(conn, view);
        const r = (await conn.runAndReadAll(`SELECT count(*) AS n, min(${EVENT_TIMESTAMP}) AS mn, max(${EVENT_TIMESTAMP}) AS mx FROM (${body})`)).getRowObjects()[0]!;
        return { rowCount: Number(r['n']), minEventTime: toJsonScalar(r['mn'] ?? null) as string | null, maxEventTime: toJsonScalar(r['mx'] ?? null) as string | null };
      }),
    );
  }

  /**
   * Streams the latest feature row per entity key across `featureUris` (latest
   * `event_timestamp`, then latest `created_timestamp`, then later file / later row), in
   * batches, for the caller to write to the online store. Rows older than the view's TTL
   * relative to `asOf` (when given) are skipped.
   * @param featureUris default: every object under `features/<view>/`.
   */
  async *streamLatestRows(
    view: FeatureView,
    featureUris?: readonly string[],
    options: { batchSize?: number; asOf?: TimeInput } = {},
  ): AsyncGenerator<OutputRow[]> {
    const uris = featureUris ?? (await this.listFeatureUris(view.name));
    if (uris.length === 0) return;
    const db = await this.instance();
    const conn = await db.connect();
    try {
      await conn.run(`SET TimeZone = 'UTC'`);
      yield* await withLocalFiles(this.store, uris, async (paths) => {
        const keys = view.entities.map(qid).join(', ');
        const ttl =
          options.asOf !== undefined && view.ttlSeconds > 0
            ? `WHERE ${EVENT_TIMESTAMP} >= ${tsLit(options.asOf)} - INTERVAL ${view.ttlSeconds} SECOND AND ${EVENT_TIMESTAMP} <= ${tsLit(options.asOf)}`
            : options.asOf !== undefined
              ? `WHERE ${EVENT_TIMESTAMP} <= ${tsLit(options.asOf)}`
              : '';
        const cols = [...view.entities, EVENT_TIMESTAMP, CREATED_TIMESTAMP, ...view.features.map((f) => f.name)].map(qid).join(', ');
        const sql =
          `SELECT ${cols} FROM (SELECT *, row_number() OVER (PARTITION BY ${keys} ORDER BY ${EVENT_TIMESTAMP} DESC, ${CREATED_TIMESTAMP} DESC, filename DESC, file_row_number DESC) AS __rn ` +
          `FROM read_parquet(${pathList(paths)}, filename = true, file_row_number = true, union_by_name = true) ${ttl}) WHERE __rn = 1 ORDER BY ${keys}`;
        // Collect batches inside the spool scope (spooled temp files vanish after it).
        const out: OutputRow[][] = [];
        const res = await conn.stream(sql);
        const size = options.batchSize ?? 1000;
        let batch: OutputRow[] = [];
        for await (const rows of res.yieldRowObjects()) {
          for (const r of rows) {
            batch.push(convertRow(r));
            if (batch.length >= size) {
              out.push(batch);
              batch = [];
            }
          }
        }
        if (batch.length > 0) out.push(batch);
        return out;
      });
    } finally {
      conn.closeSync();
    }
  }

  /** URIs of every materialized file of `viewName` (`features/<view>/`), sorted by key. */
  async listFeatureUris(viewName: string): Promise<string[]> {
    return (await this.store.list(`features/${viewName}/`)).filter((s) => s.key.endsWith('.parquet')).map((s) => s.uri);
  }

  /**
   * Runs a SELECT over the table `source` (the given Parquet URIs) and returns the rows, or
   * writes them to `outputKey` as Parquet. Used to build entity frames from a training-set
   * spec's `entitySql`.
   */
  async query(
    sql: string,
    sourceUris: readonly string[],
    options: { outputKey?: string } = {},
  ): Promise<{ columns: ColumnInfo[]; rowCount: number; rows?: OutputRow[]; parquet?: { key: string; uri: string; sha256: string; sizeBytes: number } }> {
    return this.withConnection((conn, work) =>
      withLocalFiles(this.store, sourceUris, async (paths) => {
        await this.createSource(conn, 'query', paths);
        await run(conn, `CREATE TEMP TABLE q AS ${sql}`, 'Source query');
        const columns = await describe(conn, 'q');
        const n = Number((await conn.runAndReadAll(`SELECT count(*) AS n FROM q`)).getRowObjects()[0]!['n']);
        if (options.outputKey) {
          const tmp = path.join(work, 'q.parquet');
          await conn.run(`COPY q TO ${qstr(tmp)} (FORMAT parquet, COMPRESSION zstd)`);
          const put = await this.store.put(options.outputKey, createReadStream(tmp));
          return { columns, rowCount: n, parquet: { key: options.outputKey, uri: put.uri, sha256: put.sha256, sizeBytes: put.sizeBytes } };
        }
        return { columns, rowCount: n, rows: (await conn.runAndReadAll(`SELECT * FROM q`)).getRowObjects().map(convertRow) };
      }),
    );
  }

  /**
   * Point-in-time join. For each entity row (time t = its timestamp column, normalized to
   * UTC) and each referenced batch view, picks the feature row with the same join keys and
   * the greatest `event_timestamp` such that `t - ttl <= event_timestamp <= t` (and, with
   * `asOfKnownTime`, `created_timestamp <= t`); ties on event time go to the greatest
   * `created_timestamp`, then to the later file (by URI) and later row. No match → nulls.
   * On-demand features are evaluated on the entity row's request columns.
   *
   * Output: exactly one row per entity row, in input order, with every entity column kept.
   * @param featureRefs `view:feature` strings; output columns follow their order.
   * @param views batch views (with optional file URIs) and on-demand views the refs point to.
   * @throws FeatureReferenceError for bad/unknown refs or output-name collisions.
   * @throws EntityFrameError when the frame lacks a join key, timestamp or request column, or a timestamp does not parse.
   */
  async getHistoricalFeatures(
    entityFrame: EntityFrameInput,
    featureRefs: readonly string[],
    views: ReadonlyArray<FeatureViewSource | OnDemandFeatureView>,
    options: HistoricalFeaturesOptions = {},
  ): Promise<HistoricalFeaturesResult> {
    const tsCol = options.eventTimestampColumn ?? EVENT_TIMESTAMP;
    const asOfKnownTime = options.asOfKnownTime ?? true;
    const plan = planRefs(featureRefs, views, options.fullFeatureNames ?? false);

    return this.withConnection(async (conn, work) => {
      // 1. Entity frame → table e(__rid, <entity columns>, __ets).
      const entityUris = 'uri' in entityFrame ? [entityFrame.uri] : [];
      return withLocalFiles(this.store, entityUris, async (entityPaths) => {
        // Feature files: resolve all before building the frame so key types are known.
        const batch = [...plan.batch.values()];
        const featureUris = new Map<string, readonly string[]>();
        for (const b of batch) featureUris.set(b.view.name, b.source.uris ?? (await this.listFeatureUris(b.view.name)));
        const allFeatureUris = batch.flatMap((b) => featureUris.get(b.view.name) ?? []);
        return withLocalFiles(this.store, allFeatureUris, async (featurePaths) => {
          const pathsByView = new Map<string, string[]>();
          let offset = 0;
          for (const b of batch) {
            const n = featureUris.get(b.view.name)?.length ?? 0;
            pathsByView.set(b.view.name, featurePaths.slice(offset, offset + n));
            offset += n;
          }

          // Join-key types: from feature files, else declared entities, else VARCHAR.
          const keyTypes = new Map<string, string>();
          for (const e of options.entities ?? []) keyTypes.set(e.joinKey, DUCKDB_VALUE_TYPE[e.valueType]);
          for (const b of batch) {
            const ps = pathsByView.get(b.view.name) ?? [];
            if (ps.length === 0) continue;
            const cols = await describe(conn, `read_parquet(${pathList(ps)}, union_by_name = true)`);
            for (const k of b.view.entities) {
              const c = cols.find((x) => x.name === k);
              if (!c) throw new FeatureViewError(b.view.name, `feature files lack join key column '${k}'`);
              keyTypes.set(k, c.type);
            }
          }

          await loadEntityFrame(conn, entityFrame, entityPaths, tsCol, plan, keyTypes, work);
          const entityCols = (await describe(conn, 'e0')).map((c) => c.name);
          for (const b of batch)
            for (const k of b.view.entities)
              if (!entityCols.includes(k)) throw new EntityFrameError(`missing join key column '${k}' required by feature view '${b.view.name}'`, { column: k, view: b.view.name });
          for (const o of plan.onDemand.values())
            for (const r of o.view.requestSchema)
              if (!entityCols.includes(r.name)) throw new EntityFrameError(`missing request column '${r.name}' required by on-demand feature view '${o.view.name}'`, { column: r.name, view: o.view.name });
          for (const out of plan.outputNames.keys())
            if (entityCols.includes(out)) throw new FeatureReferenceError(plan.outputNames.get(out)!, `output column '${out}' collides with an entity frame column; use fullFeatureNames`);

          await run(conn, `CREATE TEMP TABLE e AS SELECT rowid AS __rid, * EXCLUDE (${qid(tsCol)}), TRY_CAST(${qid(tsCol)} AS TIMESTAMPTZ) AS __ets, ${qid(tsCol)} AS __ts_raw FROM e0`, 'Entity frame');
          const bad = (await conn.runAndReadAll(`SELECT __rid, __ts_raw::VARCHAR AS v FROM e WHERE __ets IS NULL AND __ts_raw IS NOT NULL LIMIT 1`)).getRowObjects()[0];
          if (bad) throw new EntityFrameError(`row ${Number(bad['__rid'])}: column '${tsCol}' value '${String(bad['v'])}' is not a timestamp`, { row: Number(bad['__rid']), column: tsCol });

          // 2. One result table per batch view.
          const strategies: Record<string, 'asof' | 'range'> = {};
          const joins: string[] = [];
          const selects: string[] = [];
          let i = 0;
          for (const b of batch) {
            const alias = `v${i++}`;
            const ps = pathsByView.get(b.view.name) ?? [];
            strategies[b.view.name] = await joinView(conn, alias, b.view, b.features, ps, keyTypes, asOfKnownTime, options.strategy ?? 'auto');
            joins.push(`LEFT JOIN ${alias} ON ${alias}.__rid = e.__rid`);
          }
          for (const o of plan.onDemand.values()) {
            const alias = `v${i++}`;
            const casts = o.view.requestSchema.map((r) => `CAST(${r.name === tsCol ? '__ets' : qid(r.name)} AS ${DUCKDB_VALUE_TYPE[r.dtype]}) AS ${qid(r.name)}`).join(', ');
            const feats = o.features.map((f) => `CAST((${f.expression}) AS ${DUCKDB_VALUE_TYPE[f.dtype]}) AS ${qid(f.name)}`).join(', ');
            await run(conn, `CREATE TEMP TABLE ${alias} AS SELECT __rid, ${feats} FROM (SELECT __rid, ${casts} FROM e)`, `On-demand feature view '${o.view.name}'`);
            joins.push(`LEFT JOIN ${alias} ON ${alias}.__rid = e.__rid`);
          }
          // Output columns in ref order.
          const aliasOf = new Map<string, string>();
          i = 0;
          for (const b of batch) aliasOf.set(b.view.name, `v${i++}`);
          for (const o of plan.onDemand.values()) aliasOf.set(o.view.name, `v${i++}`);
          for (const r of plan.refs) selects.push(`${aliasOf.get(r.view)}.${qid(r.feature)} AS ${qid(r.output)}`);

          const entitySelect = entityCols.map((c) => (c === tsCol ? `e.__ets AS ${qid(tsCol)}` : `e.${qid(c)}`)).join(', ');
          await conn.run(`CREATE TEMP TABLE result AS SELECT ${[entitySelect, ...selects].join(', ')} FROM e ${joins.join(' ')} ORDER BY e.__rid`);
          const columns = await describe(conn, 'result');
          const rowCount = Number((await conn.runAndReadAll(`SELECT count(*) AS n FROM result`)).getRowObjects()[0]!['n']);
          const mode = options.output ?? 'rows';
          let parquet: HistoricalFeaturesResult['parquet'];
          if (mode !== 'rows') {
            const tmp = path.join(work, 'result.parquet');
            await conn.run(`COPY (SELECT * FROM result ORDER BY rowid) TO ${qstr(tmp)} (FORMAT parquet, COMPRESSION zstd)`);
            const key = options.outputKey ?? `training-sets/${randomUUID()}.parquet`;
            const put = await this.store.put(key, createReadStream(tmp));
            parquet = { key, uri: put.uri, sha256: put.sha256, sizeBytes: put.sizeBytes };
          }
          const rows = mode === 'parquet' ? undefined : (await conn.runAndReadAll(`SELECT * FROM result ORDER BY rowid`)).getRowObjects().map(convertRow);
          return { columns, rowCount, strategies, ...(rows ? { rows } : {}), ...(parquet ? { parquet } : {}) };
        });
      });
    });
  }

  private async createSource(conn: DuckDBConnection, what: string, paths: readonly string[]): Promise<void> {
    await run(conn, `CREATE TEMP VIEW source AS SELECT * FROM read_parquet(${pathList(paths)}, union_by_name = true)`, `${what}: reading source`);
  }

  /** SQL producing normalized feature rows (keys, event_timestamp, created_timestamp, features) from the transformation. */
  private async featureRowsSql(conn: DuckDBConnection, view: FeatureView): Promise<string> {
    const t = view.transformation ?? 'SELECT * FROM source';
    let cols: ColumnInfo[];
    try {
      cols = await describe(conn, `(${t})`);
    } catch (e) {
      throw new FeatureViewError(view.name, `transformation SQL failed: ${e instanceof Error ? e.message : String(e)}`, e);
    }
    const need = [...view.entities, view.timestampField, ...(view.createdTimestampField ? [view.createdTimestampField] : []), ...view.features.map((f) => f.name)];
    const missing = need.filter((n) => !cols.some((c) => c.name === n));
    if (missing.length) throw new FeatureViewError(view.name, `transformation output lacks column(s) ${missing.map((m) => `'${m}'`).join(', ')} (has: ${cols.map((c) => c.name).join(', ')})`);
    const created = view.createdTimestampField ? qid(view.createdTimestampField) : qid(view.timestampField);
    return (
      `SELECT ${view.entities.map((k) => `t.${qid(k)}`).join(', ')}, CAST(t.${qid(view.timestampField)} AS TIMESTAMPTZ) AS ${EVENT_TIMESTAMP}, ` +
      `CAST(t.${created} AS TIMESTAMPTZ) AS ${CREATED_TIMESTAMP}, ` +
      view.features.map((f) => `CAST(t.${qid(f.name)} AS ${DUCKDB_VALUE_TYPE[f.dtype]}) AS ${qid(f.name)}`).join(', ') +
      ` FROM (${t}) t`
    );
  }

  private async withConnection<T>(fn: (conn: DuckDBConnection, work: string) => Promise<T>): Promise<T> {
    const conn = await (await this.instance()).connect();
    const work = await fs.mkdtemp(path.join(this.tmpDir, 'strata-offline-'));
    try {
      await conn.run(`SET TimeZone = 'UTC'`);
      return await fn(conn, work);
    } finally {
      conn.closeSync();
      await fs.rm(work, { recursive: true, force: true });
    }
  }

  private instance(): Promise<DuckDBInstance> {
    this.db ??= DuckDBInstance.create(':memory:');
    return this.db;
  }
}
