import { InvalidObjectKeyError } from './object-store.errors';

/** Key segment reserved for in-flight temp files; user keys may not start with it. */
export const TEMP_PREFIX_SEGMENT = '.strata-tmp';

/**
 * Validates an object key and returns it unchanged.
 * @throws InvalidObjectKeyError when the key is empty, absolute, contains `\`, NUL, empty,
 *   `.` or `..` segments, or starts with the reserved temp segment.
 */
export function assertValidKey(key: string): string {
  if (typeof key !== 'string' || key.length === 0) throw new InvalidObjectKeyError(String(key), 'must be a non-empty string');
  if (key.startsWith('/')) throw new InvalidObjectKeyError(key, 'must be relative (no leading "/")');
  if (key.includes('\\') || key.includes('\0')) throw new InvalidObjectKeyError(key, 'must not contain "\\" or NUL');
  const segments = key.split('/');
  for (const s of segments) {
    if (s === '' || s === '.' || s === '..') throw new InvalidObjectKeyError(key, 'must not contain empty, "." or ".." segments');
  }
  if (segments[0] === TEMP_PREFIX_SEGMENT) throw new InvalidObjectKeyError(key, `"${TEMP_PREFIX_SEGMENT}/" is reserved`);
  return key;
}
