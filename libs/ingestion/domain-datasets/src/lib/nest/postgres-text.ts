/**
 * PostgreSQL cannot store U+0000 in `text` or `jsonb` ("invalid byte sequence" / "unsupported
 * Unicode escape sequence", PostgreSQL docs 8.14 JSON Types). Data files keep every value as
 * uploaded; the descriptive copies stored in PostgreSQL (a version's profile and validation
 * report, which quote data values) replace it with U+FFFD REPLACEMENT CHARACTER.
 */
const NUL = '\u0000';

/** `value` with U+0000 replaced by U+FFFD in every string and object key (arrays and objects copied; other values as they are). */
export function withoutNul<T>(value: T): T {
  if (typeof value === 'string') return value.replaceAll(NUL, '\uFFFD') as T;
  if (Array.isArray(value)) return value.map((v) => withoutNul(v)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k.replaceAll(NUL, '\uFFFD'), withoutNul(v)])) as T;
  }
  return value;
}

/** Whether `text` holds U+0000 (which no PostgreSQL `text` or `jsonb` value can hold). */
export function hasNul(text: string): boolean {
  return text.includes(NUL);
}
