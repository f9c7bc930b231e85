/** DuckDB SQL of dataset ingestion: readers per format, column inference, typed casts and the validation-issue query. */
import type { DuckDBConnection } from '@duckdb/node-api';
import { type ColumnType, DUCKDB_TYPE, EPOCH_FORMATS, isEpochFormat, type ColumnSpec, type DatasetFormat, type DatasetSpec } from './dataset-spec';
import { DatasetInputError, DatasetSpecError } from './ingestion.errors';
import { qid, qlit, qstr } from '@strata/shared/data-access-duckdb';

function csvOptions(spec: DatasetSpec): string {
  const o: string[] = [];
  if (spec.csv?.delimiter !== undefined) o.push(`delim = ${qstr(spec.csv.delimiter)}`);
  if (spec.csv?.quote !== undefined) o.push(`quote = ${qstr(spec.csv.quote)}`);
  o.push(`header = ${spec.csv?.header === false ? 'false' : 'true'}`);
  return o.map((s) => `, ${s}`).join('');
}

export function readerSql(format: DatasetFormat, file: string, spec: DatasetSpec, columns: readonly ColumnSpec[]): string {
  switch (format) {
    case 'csv':
      return `read_csv(${qstr(file)}, all_varchar = true${csvOptions(spec)})`;
    case 'ndjson': {
      const cols = columns.map((c) => `${qstr(c.name)}: 'VARCHAR'`).join(', ');
      return `read_json(${qstr(file)}, format = 'newline_delimited', columns = {${cols}})`;
    }
    case 'parquet':
      return `read_parquet(${qstr(file)})`;
  }
}

export async function inferColumns(conn: DuckDBConnection, format: DatasetFormat, file: string, spec: DatasetSpec, label: string): Promise<ColumnSpec[]> {
  const reader =
    format === 'csv'
      ? `read_csv(${qstr(file)}${csvOptions(spec)})`
      : format === 'ndjson'
        ? `read_json(${qstr(file)}, format = 'newline_delimited')`
        : `read_parquet(${qstr(file)})`;
  try {
    const d = await conn.runAndReadAll(`DESCRIBE SELECT * FROM ${reader}`);
    return d.getRowObjects().map((r) => ({ name: String(r['column_name']), type: fromDuckType(String(r['column_type'])), nullable: true }));
  } catch (e) {
    throw new DatasetInputError(label, e);
  }
}

/** Maps an inferred DuckDB type to a {@link ColumnType}; unknown/nested types become STRING. */
function fromDuckType(t: string): ColumnType {
  if (/^(BIGINT|HUGEINT|UBIGINT|UINTEGER)$/.test(t)) return 'INT64';
  if (/^(INTEGER|SMALLINT|TINYINT|USMALLINT|UTINYINT)$/.test(t)) return 'INT32';
  if (t === 'DOUBLE' || t.startsWith('DECIMAL')) return 'FLOAT64';
  if (t === 'FLOAT') return 'FLOAT32';
  if (t === 'BOOLEAN') return 'BOOL';
  if (t === 'DATE') return 'DATE';
  if (t.startsWith('TIMESTAMP')) return 'TIMESTAMP';
  return 'STRING';
}

export function castExpr(c: ColumnSpec, rawIsText: boolean): string {
  const col = qid(c.name);
  const target = DUCKDB_TYPE[c.type];
  if (c.format !== undefined) return formattedExpr(c, c.format, `NULLIF(trim(${col}::VARCHAR), '')`);
  if (rawIsText && c.type === 'STRING') return col;
  // Text input: blank cells are nulls, surrounding spaces are not significant for non-strings.
  const src = rawIsText ? `NULLIF(trim(${col}), '')` : col;
  return `TRY_CAST(${src} AS ${target})`;
}

/**
 * Typed value of a TIMESTAMP/DATE column with a declared `format` (NULL when the text does not
 * match; the caller reports it as a `type` issue).
 * - epoch_s|ms|us: exact decimal → whole microseconds since 1970-01-01T00:00:00Z (integers in BIGINT,
 *   others through DECIMAL(38, 9)); out of DuckDB's timestamp range → NULL.
 * - strptime without offset: the wall-clock time in `timezone` (default UTC); a local time that
 *   does not exist in that zone (DST gap) is NULL (checked by converting back).
 * - strptime with %z/%Z: the offset in the value wins.
 */
function formattedExpr(c: ColumnSpec, fmt: string, src: string): string {
  if (isEpochFormat(fmt)) {
    const usPerUnit = 1_000_000 / EPOCH_FORMATS[fmt];
    const exact = `try(make_timestamp(CAST(round(TRY_CAST(${src} AS DECIMAL(38, 9)) * ${usPerUnit}) AS BIGINT))::TIMESTAMPTZ)`;
    // Fast path (same result): a plain integer within ±9e18 µs is multiplied as BIGINT; the
    // DECIMAL(38, 9) parse above costs ~10× more per row and is only needed for fractions/exponents.
    const bound = 9_000_000_000_000_000_000n / BigInt(usPerUnit);
    const int = `TRY_CAST(${src} AS BIGINT)`;
    return `CASE WHEN regexp_full_match(${src}, '[+-]?[0-9]{1,19}') AND ${int} BETWEEN -${bound} AND ${bound} THEN make_timestamp(${int} * ${usPerUnit})::TIMESTAMPTZ ELSE ${exact} END`;
  }
  const parsed = `try_strptime(${src}, ${qstr(fmt)})`;
  if (c.type === 'DATE') return `CAST(${parsed} AS DATE)`;
  if (/%[zZ]/.test(fmt) || c.timezone === undefined) return `CAST(${parsed} AS TIMESTAMPTZ)`;
  const tz = qstr(c.timezone);
  return `CASE WHEN timezone(${tz}, timezone(${tz}, ${parsed})) = ${parsed} THEN timezone(${tz}, ${parsed}) END`;
}

/** @throws DatasetSpecError naming `columns[i].format` when DuckDB rejects a strptime format. */
export async function checkFormats(conn: DuckDBConnection, spec: DatasetSpec): Promise<void> {
  for (const [i, c] of (spec.columns ?? []).entries()) {
    if (c.format === undefined || isEpochFormat(c.format)) continue;
    try {
      await conn.run(`SELECT try_strptime('', ${qstr(c.format)})`);
    } catch (e) {
      const msg = `columns[${i}].format: '${c.format}' is not a valid strptime format: ${(e as Error).message}`;
      throw new DatasetSpecError(`dataset spec '${spec.name}': ${msg}`, { where: `columns[${i}].format`, issues: [msg] });
    }
  }
}

/** Human description of a column's declared source format, for issue messages. */
function formatLabel(c: ColumnSpec, f: string): string {
  if (f === 'epoch_s') return 'epoch_s (Unix epoch seconds)';
  if (f === 'epoch_ms') return 'epoch_ms (Unix epoch milliseconds)';
  if (f === 'epoch_us') return 'epoch_us (Unix epoch microseconds)';
  return `'${f}'${c.timezone ? ` in time zone ${c.timezone} (a local time skipped by a DST change is invalid)` : ''}`;
}

function checkLiteral(c: ColumnSpec, v: string | number | boolean): string {
  return `CAST(${qlit(v)} AS ${DUCKDB_TYPE[c.type]})`;
}

/** What an undeclared-format time column accepts, and how to declare another shape (SQL-quoted). */
const TIME_HINT: Partial<Record<ColumnType, string>> = {
  TIMESTAMP: ` (without a declared format: ISO-8601, e.g. 2024-05-09 10:00:00 or 2024-05-09T10:00:00+02:00; declare format: epoch_s|epoch_ms|epoch_us or a strptime pattern such as ''%d/%m/%Y %H:%M'' for others)`,
  DATE: ` (without a declared format: YYYY-MM-DD; declare format: a strptime pattern such as ''%d/%m/%Y'' for others)`,
};

/** One validation check of one column: rows where `where` is TRUE get an issue `rule` with `message` (SQL text expression). */
interface ColumnCheck {
  readonly idx: number;
  readonly column: string;
  readonly rule: 'not_null' | 'type' | 'min' | 'max' | 'allowed_values';
  readonly message: string;
  readonly where: string;
}

/**
 * The checks of every column, over a relation with the typed column `<name>` and its raw text
 * `__raw_<name>` (see {@link castExpr}). A predicate that is NULL (e.g. `NULL < min`) is not an issue.
 */
function columnChecks(columns: readonly ColumnSpec[]): ColumnCheck[] {
  const checks: ColumnCheck[] = [];
  columns.forEach((c, idx) => {
    const col = qid(c.name);
    const raw = qid(`__raw_${c.name}`);
    const add = (rule: ColumnCheck['rule'], message: string, where: string) => checks.push({ idx, column: c.name, rule, message, where });
    const blank = `(${raw} IS NULL OR trim(${raw}) = '')`;
    if (c.nullable === false) add('not_null', `'null value in non-nullable column'`, `${col} IS NULL AND ${blank}`);
    const typeMsg =
      c.format !== undefined
        ? `'value ''' || ${raw} || ''' in column ${c.name} does not match the ${c.type} format ' || ${qstr(formatLabel(c, c.format))}`
        : `'value ''' || ${raw} || ''' is not a valid ${c.type}${TIME_HINT[c.type] ?? ''}'`;
    add('type', typeMsg, `${col} IS NULL AND NOT ${blank}`);
    // NaN / ±inf parse as DOUBLE/FLOAT but are no measurement (and break the profile, drift and
    // training statistics): a type issue, as a non-finite min/max literal is in the spec.
    if (c.type === 'FLOAT32' || c.type === 'FLOAT64') {
      add('type', `'value ''' || ${raw} || ''' is not a finite ${c.type} (NaN and infinities are refused; an empty cell is a null)'`, `${col} IS NOT NULL AND NOT isfinite(${col})`);
    }
    if (c.min !== undefined) add('min', `'value ' || ${raw} || ' < min ${String(c.min).replace(/'/g, "''")}'`, `${col} < ${checkLiteral(c, c.min)}`);
    if (c.max !== undefined) add('max', `'value ' || ${raw} || ' > max ${String(c.max).replace(/'/g, "''")}'`, `${col} > ${checkLiteral(c, c.max)}`);
    if (c.allowedValues !== undefined) {
      const list = c.allowedValues.map((v) => checkLiteral(c, v)).join(', ');
      add('allowed_values', `'value ''' || ${raw} || ''' not in allowed values'`, `${col} IS NOT NULL AND ${col} NOT IN (${list})`);
    }
  });
  return checks;
}

/**
 * Issues `(row, col_idx, column, rule, message, value)` of the rows of `from` (a relation with
 * `__row`, the typed and the `__raw_` columns): one row per failed check.
 */
export function issuesSql(columns: readonly ColumnSpec[], from: string): string {
  return columnChecks(columns)
    .map(
      (k) =>
        `SELECT __row AS row, ${k.idx} AS col_idx, ${qstr(k.column)} AS "column", ${qstr(k.rule)} AS rule, ${k.message} AS message, ${qid(`__raw_${k.column}`)} AS value FROM ${from} WHERE ${k.where}`,
    )
    .join('\nUNION ALL\n');
}

/**
 * Boolean SQL expression, TRUE exactly for a row that fails at least one check of
 * {@link issuesSql} (never NULL), so one streaming filter splits valid from invalid rows
 * without a join on row numbers.
 */
export function invalidRowPredicate(columns: readonly ColumnSpec[]): string {
  const checks = columnChecks(columns);
  return checks.length === 0 ? 'false' : checks.map((k) => `coalesce(${k.where}, false)`).join(' OR ');
}

/**
 * Per-row SQL expression over a relation like {@link issuesSql}'s: the row's failed checks as
 * `list<{column, rule, message}>`, ordered by column then rule name (as the issues query orders
 * them). Computed row by row, so the quarantine needs no join, GROUP BY or sort.
 */
export function issueListSql(columns: readonly ColumnSpec[]): string {
  const checks = [...columnChecks(columns)].sort((a, b) => a.idx - b.idx || a.rule.localeCompare(b.rule));
  if (checks.length === 0) return `[]::STRUCT("column" VARCHAR, rule VARCHAR, message VARCHAR)[]`;
  const items = checks.map((k) => `CASE WHEN coalesce(${k.where}, false) THEN {'column': ${qstr(k.column)}, 'rule': ${qstr(k.rule)}, 'message': ${k.message}} END`);
  return `list_filter([${items.join(', ')}], x -> x IS NOT NULL)`;
}
