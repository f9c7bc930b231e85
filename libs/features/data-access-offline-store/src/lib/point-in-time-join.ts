/** Point-in-time join of the offline store: loads the entity frame and joins one feature view as of each row's time. */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { DUCKDB_VALUE_TYPE, type FeatureView } from './feature-view';
import { EntityFrameError, FeatureViewError } from './offline-store.errors';
import { qid, qstr } from '@strata/shared/data-access-duckdb';
import { CREATED_TIMESTAMP, type EntityFrameInput, EVENT_TIMESTAMP } from './offline-store.types';
import { describe, inferJsType, jsonValue, pathList, type RefPlan, run } from './offline-store.sql';

/**
 * Joins one feature view to the entity frame `e` into temp table `alias` (one row per `__rid`):
 * the latest feature row at or before each row's time. Returns the strategy used (`asof` or `range`).
 */
export async function joinView(
  conn: DuckDBConnection,
  alias: string,
  view: FeatureView,
  features: readonly string[],
  paths: readonly string[],
  keyTypes: Map<string, string>,
  asOfKnownTime: boolean,
  strategy: 'auto' | 'asof' | 'range',
): Promise<'asof' | 'range'> {
  const f = `f_${alias}`;
  const feats = features.map(qid);
  const keys = view.entities.map(qid);
  if (paths.length === 0) {
    const fcols = view.features.filter((x) => features.includes(x.name)).map((x) => `NULL::${DUCKDB_VALUE_TYPE[x.dtype]} AS ${qid(x.name)}`);
    const kcols = view.entities.map((k) => `NULL::${keyTypes.get(k) ?? 'VARCHAR'} AS ${qid(k)}`);
    await conn.run(
      `CREATE TEMP TABLE ${f} AS SELECT ${[...kcols, `NULL::TIMESTAMPTZ AS ${EVENT_TIMESTAMP}`, `NULL::TIMESTAMPTZ AS ${CREATED_TIMESTAMP}`, `NULL::VARCHAR AS filename`, `NULL::BIGINT AS file_row_number`, ...fcols].join(', ')} WHERE false`,
    );
  } else {
    const casts = view.features.filter((x) => features.includes(x.name)).map((x) => `CAST(${qid(x.name)} AS ${DUCKDB_VALUE_TYPE[x.dtype]}) AS ${qid(x.name)}`);
    await run(
      conn,
      `CREATE TEMP TABLE ${f} AS SELECT ${[...keys, `${EVENT_TIMESTAMP}::TIMESTAMPTZ AS ${EVENT_TIMESTAMP}`, `coalesce(${CREATED_TIMESTAMP}, ${EVENT_TIMESTAMP})::TIMESTAMPTZ AS ${CREATED_TIMESTAMP}`, 'filename', 'file_row_number', ...casts].join(', ')} ` +
        `FROM read_parquet(${pathList(paths)}, filename = true, file_row_number = true, union_by_name = true)`,
      `Feature view '${view.name}': reading feature files`,
    );
  }
  const ttlCond = (ets: string, fts: string) => (view.ttlSeconds > 0 ? ` AND ${fts} >= ${ets} - INTERVAL ${view.ttlSeconds} SECOND` : '');
  let use: 'asof' | 'range';
  if (strategy === 'range') use = 'range';
  else {
    const createdAfter = asOfKnownTime
      ? Number((await conn.runAndReadAll(`SELECT count(*) AS n FROM ${f} WHERE ${CREATED_TIMESTAMP} > ${EVENT_TIMESTAMP}`)).getRowObjects()[0]!['n'])
      : 0;
    if (strategy === 'asof' && createdAfter > 0)
      throw new FeatureViewError(view.name, `strategy 'asof' is not exact: ${createdAfter} feature row(s) have created_timestamp > event_timestamp`);
    use = createdAfter > 0 ? 'range' : 'asof';
  }
  const rankOrder = `${EVENT_TIMESTAMP} DESC, ${CREATED_TIMESTAMP} DESC, filename DESC, file_row_number DESC`;
  const keyEq = (l: string, r: string) => view.entities.map((k) => `${l}.${qid(k)} = ${r}.${qid(k)}`).join(' AND ');
  const outFeats = feats.map((x) => `f.${x}`).join(', ');
  if (use === 'asof') {
    // Exact only because each (keys, event_timestamp) keeps one row (the tie-break winner)
    // and no row becomes known after its event time, so "created <= t" is implied.
    await conn.run(
      `CREATE TEMP TABLE ${f}_d AS SELECT * EXCLUDE (__rn) FROM (SELECT *, row_number() OVER (PARTITION BY ${[...keys, EVENT_TIMESTAMP].join(', ')} ORDER BY ${rankOrder}) AS __rn FROM ${f}) WHERE __rn = 1`,
    );
    const sel = feats.map((x) => `CASE WHEN f.${EVENT_TIMESTAMP} IS NOT NULL${ttlCond('e.__ets', `f.${EVENT_TIMESTAMP}`)} THEN f.${x} END AS ${x}`).join(', ');
    await run(
      conn,
      `CREATE TEMP TABLE ${alias} AS SELECT e.__rid${sel ? `, ${sel}` : ''} FROM e ASOF LEFT JOIN ${f}_d f ON ${keyEq('e', 'f')} AND e.__ets >= f.${EVENT_TIMESTAMP}`,
      `Feature view '${view.name}': point-in-time join`,
    );
  } else {
    const known = asOfKnownTime ? ` AND f.${CREATED_TIMESTAMP} <= e.__ets` : '';
    await run(
      conn,
      `CREATE TEMP TABLE ${alias} AS SELECT __rid${feats.length ? `, ${feats.join(', ')}` : ''} FROM (` +
        `SELECT e.__rid, ${outFeats ? `${outFeats}, ` : ''}row_number() OVER (PARTITION BY e.__rid ORDER BY f.${EVENT_TIMESTAMP} DESC, f.${CREATED_TIMESTAMP} DESC, f.filename DESC, f.file_row_number DESC) AS __rn ` +
        `FROM e JOIN ${f} f ON ${keyEq('e', 'f')} AND f.${EVENT_TIMESTAMP} <= e.__ets${ttlCond('e.__ets', `f.${EVENT_TIMESTAMP}`)}${known}) WHERE __rn = 1`,
      `Feature view '${view.name}': point-in-time join`,
    );
  }
  return use;
}

/** Loads the entity frame (parquet files or in-memory rows) into temp table `e0`; throws EntityFrameError when the timestamp column is missing. */
export async function loadEntityFrame(
  conn: DuckDBConnection,
  frame: EntityFrameInput,
  paths: readonly string[],
  tsCol: string,
  plan: RefPlan,
  keyTypes: Map<string, string>,
  work: string,
): Promise<void> {
  if ('uri' in frame) {
    await run(conn, `CREATE TEMP TABLE e0 AS SELECT * FROM read_parquet(${pathList(paths)})`, `Entity frame '${frame.uri}'`);
    if (!(await describe(conn, 'e0')).some((c) => c.name === tsCol)) throw new EntityFrameError(`missing timestamp column '${tsCol}' in '${frame.uri}'`, { column: tsCol });
    return;
  }
  const rows = frame.rows;
  // Column list: keys in first-seen order across rows; the empty frame gets the full schema from the views.
  const names: string[] = [];
  const seen = new Set<string>();
  for (const r of rows) for (const k of Object.keys(r)) if (!seen.has(k)) {
      seen.add(k);
      names.push(k);
    }
  if (rows.length === 0) {
    for (const b of plan.batch.values()) for (const k of b.view.entities) if (!seen.has(k)) {
      seen.add(k);
      names.push(k);
    }
    if (!seen.has(tsCol)) {
      seen.add(tsCol);
      names.push(tsCol);
    }
    for (const o of plan.onDemand.values()) for (const r of o.view.requestSchema) if (!seen.has(r.name)) {
          seen.add(r.name);
          names.push(r.name);
        }
  }
  if (rows.length > 0 && !seen.has(tsCol)) throw new EntityFrameError(`missing timestamp column '${tsCol}'`, { column: tsCol });
  const requestTypes = new Map<string, string>();
  for (const o of plan.onDemand.values()) for (const r of o.view.requestSchema) requestTypes.set(r.name, DUCKDB_VALUE_TYPE[r.dtype]);
  const types = names.map((n) => (n === tsCol ? 'VARCHAR' : inferJsType(rows, n) ?? keyTypes.get(n) ?? requestTypes.get(n) ?? 'VARCHAR'));
  await conn.run(`CREATE TEMP TABLE e0 (${names.map((n, i) => `${qid(n)} ${types[i]}`).join(', ')})`);
  if (rows.length === 0) return;
  const file = path.join(work, 'entities.ndjson');
  const fh = await fs.open(file, 'w');
  try {
    let buf = '';
    for (const r of rows) {
      const o: Record<string, unknown> = {};
      for (const n of names) o[n] = jsonValue(r[n]);
      buf += JSON.stringify(o) + '\n';
      if (buf.length > 1 << 20) {
        await fh.write(buf);
        buf = '';
      }
    }
    await fh.write(buf);
  } finally {
    await fh.close();
  }
  const colDefs = names.map((n, i) => `${qstr(n)}: ${qstr(types[i]!)}`).join(', ');
  await run(
    conn,
    `INSERT INTO e0 SELECT ${names.map(qid).join(', ')} FROM read_json(${qstr(file)}, format = 'newline_delimited', columns = {${colDefs}})`,
    'Entity frame (in-memory rows)',
  );
}
