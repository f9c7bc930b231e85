import type { DuckDBConnection } from '@duckdb/node-api';
import type { ColumnType } from './dataset-spec';
import { toJsonScalar, type JsonScalar } from '@strata/shared/data-access-duckdb';
import { qid } from '@strata/shared/data-access-duckdb';

/** Quantile levels reported for numeric columns. */
export const PROFILE_QUANTILES = [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99] as const;

/** Per-column profile of a dataset version. */
export interface ColumnProfile {
  readonly name: string;
  readonly type: ColumnType;
  /** Rows in the version. */
  readonly count: number;
  readonly nullCount: number;
  /** Approximate distinct non-null values (DuckDB `approx_count_distinct`, HyperLogLog). */
  readonly distinctApprox: number;
  /** Minimum / maximum non-null value: numbers for numeric, ISO-8601 UTC strings for TIMESTAMP, `YYYY-MM-DD` for DATE. */
  readonly min: JsonScalar;
  readonly max: JsonScalar;
  /** Numeric columns only. */
  readonly mean?: number | null;
  readonly stddev?: number | null;
  /** Numeric columns only: interpolated quantiles at {@link PROFILE_QUANTILES}, keyed `p01`, `p05`, `p25`, `p50`, ...: exact (`quantile_cont`) up to {@link EXACT_QUANTILE_MAX_ROWS} rows, else t-digest (`approx_quantile`). */
  readonly quantiles?: Readonly<Record<string, number>>;
  /** STRING, BOOL, INT32, INT64 columns: up to 10 most frequent non-null values, by count desc then value. */
  readonly topValues?: ReadonlyArray<{ readonly value: JsonScalar; readonly count: number }>;
}

/** Profile of a whole dataset version. */
export interface DatasetProfile {
  readonly rowCount: number;
  readonly columns: readonly ColumnProfile[];
}

const NUMERIC: ReadonlySet<ColumnType> = new Set(['INT32', 'INT64', 'FLOAT32', 'FLOAT64']);
const CATEGORICAL: ReadonlySet<ColumnType> = new Set(['STRING', 'BOOL', 'INT32', 'INT64']);

/** Above this many rows the profile's quantiles are approximate (t-digest, bounded memory) instead of exact. */
export const EXACT_QUANTILE_MAX_ROWS = 1_000_000;

/**
 * DuckDB's `stddev_samp` throws `Out of Range` when its running sum of squares overflows (values
 * beyond ~1e154 in magnitude, finite: non-finite ones are refused at validation). The main scan
 * leaves values above {@link HUGE} out of the stddev; a column holding any is recomputed here as
 * `stddev_samp(x / s) * s` with `s = max(|x|)` (exact rescaling: stddev(x/s) = stddev(x)/s), in
 * one extra scan only for the columns that need it. Mutates `r[sd<i>]`. @internal
 */
async function rescaledStddevs(
  conn: DuckDBConnection,
  table: string,
  columns: ReadonlyArray<{ name: string; type: ColumnType }>,
  r: Record<string, unknown>,
): Promise<void> {
  const big = columns
    .map((col, i) => ({ col, i, s: Math.max(Math.abs(Number(r[`mn${i}`] ?? 0)), Math.abs(Number(r[`mx${i}`] ?? 0))) }))
    .filter(({ col, s }) => NUMERIC.has(col.type) && Number.isFinite(s) && s > HUGE);
  if (big.length === 0) return;
  const sel = big.map(({ col, i, s }) => `stddev_samp(${qid(col.name)}::DOUBLE / ${s}) * ${s} AS "sd${i}"`);
  const row = (await conn.runAndReadAll(`SELECT ${sel.join(', ')} FROM ${table}`)).getRowObjects()[0] ?? {};
  for (const { i } of big) r[`sd${i}`] = row[`sd${i}`] ?? null;
}

/** Above this magnitude a column's stddev is rescaled (squares of up to 1e100 cannot overflow a DOUBLE's 1.8e308 in any sum). */
const HUGE = 1e100;

/** Profiles `table` (a DuckDB relation name) column by column. @internal */
export async function profileTable(
  conn: DuckDBConnection,
  table: string,
  columns: ReadonlyArray<{ name: string; type: ColumnType }>,
): Promise<DatasetProfile> {
  // Exact quantiles buffer every value of the column in memory (not spillable): above
  // EXACT_QUANTILE_MAX_ROWS rows use DuckDB's t-digest approx_quantile (bounded memory).
  const total = Number((await conn.runAndReadAll(`SELECT count(*) AS n FROM ${table}`)).getRowObjects()[0]?.['n'] ?? 0);
  const quantileFn = total > EXACT_QUANTILE_MAX_ROWS ? 'approx_quantile' : 'quantile_cont';
  // One scan for every column's counts, min/max, moments and quantiles (instead of one query per column).
  const selects: string[] = ['count(*) AS "n"'];
  columns.forEach((col, i) => {
    const c = qid(col.name);
    selects.push(`count(*) - count(${c}) AS "nulls${i}"`, `approx_count_distinct(${c}) AS "distinct${i}"`, `min(${c}) AS "mn${i}"`, `max(${c}) AS "mx${i}"`);
    if (NUMERIC.has(col.type)) {
      // Values above HUGE are left out here (their squares could overflow) and put back by rescaledStddevs.
      selects.push(`avg(${c})::DOUBLE AS "mean${i}"`, `stddev_samp(${c}) FILTER (WHERE abs(${c}) <= ${HUGE})::DOUBLE AS "sd${i}"`);
      // List form: one sort per column for all levels (separate calls would each buffer and sort the column).
      selects.push(`${quantileFn}(${c}, [${PROFILE_QUANTILES.join(', ')}])::DOUBLE[] AS "q${i}"`);
    }
  });
  const r = (await conn.runAndReadAll(`SELECT ${selects.join(', ')} FROM ${table}`)).getRowObjects()[0] ?? {};
  await rescaledStddevs(conn, table, columns, r);
  const rowCount = Number(r['n'] ?? 0);
  const out: ColumnProfile[] = [];
  for (const [i, col] of columns.entries()) {
    const c = qid(col.name);
    const numeric = NUMERIC.has(col.type);
    const profile: {
      -readonly [K in keyof ColumnProfile]: ColumnProfile[K];
    } = {
      name: col.name,
      type: col.type,
      count: rowCount,
      nullCount: Number(r[`nulls${i}`] ?? 0),
      distinctApprox: Number(r[`distinct${i}`] ?? 0),
      min: toJsonScalar(r[`mn${i}`] ?? null),
      max: toJsonScalar(r[`mx${i}`] ?? null),
    };
    if (numeric) {
      profile.mean = (r[`mean${i}`] as number | null) ?? null;
      profile.stddev = (r[`sd${i}`] as number | null) ?? null;
      const qs: Record<string, number> = {};
      const list = r[`q${i}`] as { items?: unknown[] } | null | undefined;
      PROFILE_QUANTILES.forEach((p, j) => {
        const v = list?.items?.[j];
        if (typeof v === 'number') qs[`p${String(Math.round(p * 100)).padStart(2, '0')}`] = v;
      });
      profile.quantiles = qs;
    }
    if (CATEGORICAL.has(col.type)) {
      const top = await conn.runAndReadAll(
        `SELECT ${c} AS v, count(*) AS n FROM ${table} WHERE ${c} IS NOT NULL GROUP BY 1 ORDER BY n DESC, v LIMIT 10`,
      );
      profile.topValues = top.getRowObjects().map((t) => ({ value: toJsonScalar(t['v'] ?? null), count: Number(t['n']) }));
    }
    out.push(profile);
  }
  return { rowCount, columns: out };
}
