import {
  DuckDBDateValue,
  DuckDBDecimalValue,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  type DuckDBValue,
} from '@duckdb/node-api';

/** JSON-friendly scalar produced from a DuckDB value. */
export type JsonScalar = string | number | boolean | null;

/**
 * Converts a value from `reader.getRowObjects()` to a JSON-friendly scalar:
 * BIGINT (JS `bigint`) → number when safe, else decimal string; TIMESTAMP/TIMESTAMPTZ
 * (`{micros: bigint}` objects) → ISO-8601 UTC string with millisecond precision
 * (`2019-03-01T18:43:31.000Z`); DATE → `YYYY-MM-DD`; DECIMAL → number; others → toString().
 * @internal
 */
export function toJsonScalar(v: DuckDBValue): JsonScalar {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
  if (typeof v === 'bigint') return bigintToJs(v);
  if (v instanceof DuckDBTimestampTZValue || v instanceof DuckDBTimestampValue) return microsToIso(v.micros);
  if (v instanceof DuckDBDateValue) return v.toString();
  if (v instanceof DuckDBDecimalValue) return Number(v.toString());
  return String(v);
}

/** bigint → number when it is a safe integer, else its decimal string. @internal */
export function bigintToJs(v: bigint): number | string {
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : v.toString();
}

/** Epoch microseconds → ISO-8601 UTC string (millisecond precision). @internal */
export function microsToIso(micros: bigint): string {
  return new Date(Number(micros / 1000n)).toISOString();
}
