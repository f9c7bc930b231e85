import type { ValueType } from '@strata/features/data-access-offline-store';

/** ISO-8601 date-time: `YYYY-MM-DD[T ]hh:mm[:ss[.fraction]]` with optional `Z` / `±hh[:]mm`. */
const ISO_DATETIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}(:?\d{2})?)?$/i;

/**
 * Parses a timestamp given in a request: an ISO-8601 string (an offset is honoured; a naive
 * value is UTC, as in the offline store) or epoch milliseconds. @returns null when malformed.
 */
export function parseTimestamp(v: unknown): Date | null {
  if (typeof v === 'number') return Number.isFinite(v) ? new Date(v) : null;
  if (typeof v !== 'string' || !ISO_DATETIME.test(v.trim())) return null;
  let s = v.trim().replace(' ', 'T');
  if (!/(Z|[+-]\d{2}(:?\d{2})?)$/i.test(s)) s += 'Z';
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? null : d;
}

/**
 * Checks and normalises one request value against a value type: integers (or integer strings)
 * for INT32/INT64 (INT32 within ±2^31), finite numbers (or numeric strings) for FLOAT32/FLOAT64,
 * strings for STRING (numbers/booleans are converted), booleans for BOOL, timestamps per
 * {@link parseTimestamp} for TIMESTAMP (→ ISO-8601 UTC). null passes through.
 * @returns `{ok: true, value}` or `{ok: false}` when the value does not fit the type.
 */
export function coerceValue(type: ValueType | undefined, v: unknown): { ok: true; value: unknown } | { ok: false } {
  if (v === null || v === undefined) return { ok: true, value: null };
  switch (type) {
    case 'INT32':
    case 'INT64': {
      const n = typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? Number(v) : v;
      if (typeof n !== 'number' || !Number.isSafeInteger(n) || (type === 'INT32' && (n > 2 ** 31 - 1 || n < -(2 ** 31)))) return { ok: false };
      return { ok: true, value: n };
    }
    case 'FLOAT32':
    case 'FLOAT64': {
      const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
      return typeof n === 'number' && Number.isFinite(n) ? { ok: true, value: n } : { ok: false };
    }
    case 'STRING':
      return typeof v === 'string' ? { ok: true, value: v } : typeof v === 'number' || typeof v === 'boolean' ? { ok: true, value: String(v) } : { ok: false };
    case 'BOOL':
      return typeof v === 'boolean' ? { ok: true, value: v } : { ok: false };
    case 'TIMESTAMP': {
      const d = parseTimestamp(v);
      return d ? { ok: true, value: d.toISOString() } : { ok: false };
    }
    default:
      return { ok: true, value: v };
  }
}
