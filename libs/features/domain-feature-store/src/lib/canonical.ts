import { createHash } from 'node:crypto';

/** JSON with object keys sorted recursively (stable across runs and key orders). */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v !== null && typeof v === 'object' && !(v instanceof Date)) {
    const o: Record<string, unknown> = {};
    for (const k of Object.keys(v as Record<string, unknown>).sort()) {
      const x = (v as Record<string, unknown>)[k];
      if (x !== undefined) o[k] = sortKeys(x);
    }
    return o;
  }
  return v;
}

/** sha256 (hex) of the canonical JSON of `value`. */
export function contentHash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}

/**
 * The online store's entity key: canonical JSON of the join-key values, e.g.
 * `{"pickup_location_id":132}`. Integer-typed keys given as numeric strings become numbers.
 */
export function entityKey(values: Record<string, unknown>): string {
  return canonicalJson(values);
}
