/** SQL text helpers for DuckDB: identifier and literal quoting. */

/** Quotes an identifier for DuckDB. */
export function qid(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Quotes a string literal for DuckDB. */
export function qstr(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** SQL literal for a scalar check value. */
export function qlit(v: string | number | boolean): string {
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`non-finite number ${v} in SQL literal`);
    return String(v);
  }
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  return qstr(v);
}
