import { promises as fs } from 'node:fs';
import { DUCKDB_LOGICAL_TYPE, LogicalType } from '@strata/shared/data-access-duckdb';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { DatasetSpecError } from './ingestion.errors';

/**
 * Logical column types (Feast-like names) and their storage in Parquet/DuckDB:
 * INT32→INTEGER, INT64→BIGINT, FLOAT32→FLOAT, FLOAT64→DOUBLE, STRING→VARCHAR, BOOL→BOOLEAN,
 * DATE→DATE, TIMESTAMP→TIMESTAMP WITH TIME ZONE (UTC-adjusted microseconds; naive input
 * values are read as UTC, values with an offset are converted to UTC). A TIMESTAMP/DATE column
 * may declare a source `format` (epoch units or strptime) and, for naive formatted times, a
 * `timezone`: see {@link ColumnSpec.format}.
 */
export const ColumnType = LogicalType;
/** Union of {@link ColumnType} values. */
export type ColumnType = LogicalType;

/** DuckDB SQL type used to store each {@link ColumnType}. */
export const DUCKDB_TYPE: Readonly<Record<ColumnType, string>> = DUCKDB_LOGICAL_TYPE;

/** Input formats DuckDB reads directly. */
export type DatasetFormat = 'csv' | 'ndjson' | 'parquet';

/** What to do with rows that fail validation: fail the whole ingestion, or set them aside. */
export type ValidationPolicy = 'reject' | 'quarantine';

/**
 * A declared column with its declarative checks. Checks are evaluated per cell, after the
 * type cast: `nullable: false` → `not_null`; a non-empty cell that does not cast → `type`;
 * `min`/`max` (inclusive; numbers, or ISO strings for DATE/TIMESTAMP) → `min`/`max`;
 * `allowedValues` → `allowed_values`. Null cells skip min/max/allowedValues.
 */
export interface ColumnSpec {
  readonly name: string;
  readonly type: ColumnType;
  /** Default true. */
  readonly nullable?: boolean;
  readonly min?: number | string;
  readonly max?: number | string;
  readonly allowedValues?: ReadonlyArray<string | number | boolean>;
  readonly description?: string;
  /**
   * How the source values of a TIMESTAMP or DATE column are written (default: ISO-8601 text,
   * or the file's own type for Parquet). TIMESTAMP: `epoch_s` / `epoch_ms` / `epoch_us`
   * (Unix epoch seconds, milliseconds, microseconds; integer or decimal; always UTC instants),
   * or a strptime format string (DuckDB/C `strptime` specifiers, e.g. `%d/%m/%Y %H:%M`;
   * GX: `strftime_format`). DATE: a strptime format string only. A value that does not match
   * is a `type` issue naming the column and the format.
   */
  readonly format?: string;
  /**
   * IANA time zone (e.g. `America/New_York`) of naive local times of a TIMESTAMP column with a
   * strptime `format`: the wall-clock value is read in that zone and stored as UTC. Default
   * UTC. Not allowed with epoch formats or a format holding an offset (`%z`/`%Z`). Ambiguous
   * local times (DST fall-back) resolve to the later instant (standard time); local times
   * skipped by a DST spring-forward are invalid (quarantined / rejected).
   */
  readonly timezone?: string;
}

/** Epoch `format`s of TIMESTAMP columns and the number of units per second. */
export const EPOCH_FORMATS = { epoch_s: 1, epoch_ms: 1_000, epoch_us: 1_000_000 } as const;
/** One of {@link EPOCH_FORMATS}. */
export type EpochFormat = keyof typeof EPOCH_FORMATS;

/** Whether `format` is an epoch format (`epoch_s` / `epoch_ms` / `epoch_us`). */
export function isEpochFormat(format: string | undefined): format is EpochFormat {
  return format !== undefined && Object.prototype.hasOwnProperty.call(EPOCH_FORMATS, format);
}

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** A dataset declaration (`dataset.yaml`). Without `columns` the schema is inferred by DuckDB. */
export interface DatasetSpec {
  readonly name: string;
  readonly description?: string;
  readonly format?: DatasetFormat;
  readonly policy?: ValidationPolicy;
  readonly columns?: readonly ColumnSpec[];
  /** CSV dialect overrides (DuckDB `read_csv` options); auto-detected when absent. */
  readonly csv?: { readonly delimiter?: string; readonly header?: boolean; readonly quote?: string };
}

const scalar = z.union([z.string(), z.number(), z.boolean()]);
const columnSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an identifier ([A-Za-z_][A-Za-z0-9_]*)'),
    type: z.enum(Object.values(ColumnType) as [ColumnType, ...ColumnType[]]),
    nullable: z.boolean().optional(),
    min: z.union([z.number(), z.string()]).optional(),
    max: z.union([z.number(), z.string()]).optional(),
    allowedValues: z.array(scalar).min(1).optional(),
    description: z.string().optional(),
    format: z.string().min(1).max(200).optional(),
    timezone: z.string().min(1).max(64).optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.format !== undefined) {
      if (c.type !== 'TIMESTAMP' && c.type !== 'DATE') ctx.addIssue({ code: 'custom', path: ['format'], message: `format applies only to TIMESTAMP and DATE columns (column type is ${c.type})` });
      else if (c.type === 'DATE' && isEpochFormat(c.format)) ctx.addIssue({ code: 'custom', path: ['format'], message: `${c.format} applies only to TIMESTAMP columns; a DATE format is a strptime string such as '%d/%m/%Y'` });
      else if (!isEpochFormat(c.format) && (!c.format.includes('%') || /%(?![-]?[A-Za-z%])/.test(c.format)))
        ctx.addIssue({ code: 'custom', path: ['format'], message: `must be epoch_s, epoch_ms, epoch_us or a strptime format with % specifiers (e.g. '%d/%m/%Y %H:%M'), got '${c.format}'` });
    }
    if (c.timezone !== undefined) {
      if (c.type !== 'TIMESTAMP' || c.format === undefined || isEpochFormat(c.format))
        ctx.addIssue({ code: 'custom', path: ['timezone'], message: 'timezone applies only to TIMESTAMP columns with a strptime format (epoch values are UTC instants)' });
      else if (/%[zZ]/.test(c.format)) ctx.addIssue({ code: 'custom', path: ['timezone'], message: `format '${c.format}' holds an offset (%z/%Z): remove timezone` });
      else if (!isTimeZone(c.timezone)) ctx.addIssue({ code: 'custom', path: ['timezone'], message: `unknown IANA time zone '${c.timezone}' (e.g. America/New_York, Europe/Paris, UTC)` });
    }
  });

const INT_RANGE: Partial<Record<ColumnType, readonly [bigint, bigint]>> = {
  INT32: [-(2n ** 31n), 2n ** 31n - 1n],
  INT64: [-(2n ** 63n), 2n ** 63n - 1n],
};
/** Largest finite FLOAT (float32) value. */
const FLOAT32_MAX = 3.4028234663852886e38;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?$/;

function validDate(s: string): boolean {
  const d = new Date(`${s.slice(0, 10)}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s.slice(0, 10);
}

/**
 * Why `v` cannot be a check literal (`min`, `max`, an allowed value) of a column of type `type`,
 * or undefined when DuckDB can cast it to the column's type: integers within the type's range,
 * finite numbers (FLOAT32 within ±3.4e38), `YYYY-MM-DD` dates, ISO 8601 timestamps, booleans.
 * Checked when the spec is declared, so a bad literal is a 400 naming the field rather than a
 * failing cast at every ingestion.
 */
export function checkLiteralProblem(type: ColumnType, v: string | number | boolean): string | undefined {
  switch (type) {
    case 'INT32':
    case 'INT64': {
      const text = typeof v === 'number' ? (Number.isSafeInteger(v) ? String(v) : '') : typeof v === 'string' ? v.trim() : '';
      if (!/^[+-]?\d{1,20}$/.test(text)) return `must be an integer for a ${type} column`;
      const [lo, hi] = INT_RANGE[type] as readonly [bigint, bigint];
      const n = BigInt(text);
      return n < lo || n > hi ? `must be between ${lo} and ${hi} for a ${type} column` : undefined;
    }
    case 'FLOAT32':
    case 'FLOAT64': {
      const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
      if (!Number.isFinite(n)) return `must be a finite number for a ${type} column`;
      return type === 'FLOAT32' && Math.abs(n) > FLOAT32_MAX ? `must be within ±${FLOAT32_MAX} for a FLOAT32 column` : undefined;
    }
    case 'BOOL':
      return typeof v === 'boolean' || v === 'true' || v === 'false' ? undefined : 'must be true or false for a BOOL column';
    case 'DATE':
      return typeof v === 'string' && ISO_DATE.test(v) && validDate(v) ? undefined : 'must be a date YYYY-MM-DD for a DATE column';
    case 'TIMESTAMP':
      return typeof v === 'string' && ISO_TIMESTAMP.test(v) && validDate(v) ? undefined : 'must be an ISO 8601 timestamp (e.g. 2020-01-31T12:00:00Z) for a TIMESTAMP column';
    case 'STRING':
      return undefined;
  }
}

/** zod schema of {@link DatasetSpec} (strict: unknown keys are errors). */
export const datasetSpecSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'must be lower-case [a-z0-9_-], starting with a letter or digit'),
    description: z.string().optional(),
    format: z.enum(['csv', 'ndjson', 'parquet']).optional(),
    policy: z.enum(['reject', 'quarantine']).optional(),
    columns: z.array(columnSchema).min(1).optional(),
    csv: z.object({ delimiter: z.string().length(1).optional(), header: z.boolean().optional(), quote: z.string().length(1).optional() }).strict().optional(),
  })
  .strict()
  .superRefine((spec, ctx) => {
    const seen = new Set<string>();
    spec.columns?.forEach((c, i) => {
      if (seen.has(c.name)) ctx.addIssue({ code: 'custom', path: ['columns', i, 'name'], message: `duplicate column '${c.name}'` });
      seen.add(c.name);
      for (const bound of ['min', 'max'] as const) {
        const v = c[bound];
        const problem = v === undefined ? undefined : checkLiteralProblem(c.type, v);
        if (problem) ctx.addIssue({ code: 'custom', path: ['columns', i, bound], message: problem });
      }
      c.allowedValues?.forEach((v, j) => {
        const problem = checkLiteralProblem(c.type, v);
        if (problem) ctx.addIssue({ code: 'custom', path: ['columns', i, 'allowedValues', j], message: problem });
      });
    });
  });

/**
 * Validates an in-memory dataset spec.
 * @param where label used in error messages (file path or "request body").
 * @throws DatasetSpecError naming `where` and each bad field path (`columns[3].type`).
 */
export function parseDatasetSpec(input: unknown, where = 'dataset spec'): DatasetSpec {
  const r = datasetSpecSchema.safeParse(input);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `${formatPath(i.path)}: ${i.message}`);
    throw new DatasetSpecError(`${where}: invalid dataset spec:\n  ${lines.join('\n  ')}`, { where, issues: lines });
  }
  return r.data;
}

/**
 * Reads and validates a `dataset.yaml`.
 * @throws DatasetSpecError on unreadable file, YAML syntax error, or schema violation (message names the file and field).
 */
export async function loadDatasetSpec(yamlPath: string): Promise<DatasetSpec> {
  let text: string;
  try {
    text = await fs.readFile(yamlPath, 'utf8');
  } catch (e) {
    throw new DatasetSpecError(`${yamlPath}: cannot read dataset spec: ${(e as Error).message}`, { where: yamlPath });
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    throw new DatasetSpecError(`${yamlPath}: YAML syntax error: ${(e as Error).message}`, { where: yamlPath });
  }
  return parseDatasetSpec(doc, yamlPath);
}

function formatPath(p: ReadonlyArray<PropertyKey>): string {
  if (p.length === 0) return '(root)';
  return p.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? String(s) : `.${String(s)}`)).join('');
}
