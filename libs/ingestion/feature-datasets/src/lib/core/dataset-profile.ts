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
  /** Numeric columns only: exact interpolated quantiles (`quantile_cont`) at {@link PROFILE_QUANTILES}, keyed `p01`, `p05`, `p25`, `p50`, ... */
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

/** Profiles `table` (a DuckDB relation name) column by column. @internal */
export async function profileTable(
  conn: DuckDBConnection,
  table: string,
  columns: ReadonlyArray<{ name: string; type: ColumnType }>,
): Promise<DatasetProfile> {
  const total = await conn.runAndReadAll(`SELECT count(*) AS n FROM ${table}`);
  const rowCount = Number(total.getRowObjects()[0]?.['n'] ?? 0);
  const out: ColumnProfile[] = [];
  for (const col of columns) {
    const c = qid(col.name);
    const numeric = NUMERIC.has(col.type);
    const q = PROFILE_QUANTILES.map((p) => `quantile_cont(${c}, ${p})::DOUBLE AS "q${p}"`).join(', ');
    const base = await conn.runAndReadAll(
      `SELECT count(*) - count(${c}) AS nulls, approx_count_distinct(${c}) AS distinct_approx, min(${c}) AS mn, max(${c}) AS mx` +
        (numeric ? `, avg(${c})::DOUBLE AS mean, stddev_samp(${c})::DOUBLE AS sd, ${q}` : '') +
        ` FROM ${table}`,
    );
    const r = base.getRowObjects()[0] ?? {};
    const profile: {
      -readonly [K in keyof ColumnProfile]: ColumnProfile[K];
    } = {
      name: col.name,
      type: col.type,
      count: rowCount,
      nullCount: Number(r['nulls'] ?? 0),
      distinctApprox: Number(r['distinct_approx'] ?? 0),
      min: toJsonScalar(r['mn'] ?? null),
      max: toJsonScalar(r['mx'] ?? null),
    };
    if (numeric) {
      profile.mean = (r['mean'] as number | null) ?? null;
      profile.stddev = (r['sd'] as number | null) ?? null;
      const qs: Record<string, number> = {};
      for (const p of PROFILE_QUANTILES) {
        const v = r[`q${p}`];
        if (typeof v === 'number') qs[`p${String(Math.round(p * 100)).padStart(2, '0')}`] = v;
      }
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
