import { InvalidArgumentError } from 'commander';

/**
 * Argument parsers shared by the commands. Each throws commander's `InvalidArgumentError`
 * naming the bad value, which commander prints as one line and exits 1.
 */

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`'${value}' is not a positive integer`);
  return n;
}

export function unitInterval(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) throw new InvalidArgumentError(`'${value}' is not a number in [0, 1]`);
  return n;
}

/** `YYYY-MM-DD`, optionally `[T ]hh:mm[:ss[.fff]]` and `Z` / `±hh[:]mm` (ISO-8601 / RFC 3339 shapes). */
const ISO_8601 = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([zZ]|[+-]\d{2}:?\d{2})?)?$/;

/**
 * ISO-8601 instant (an offset or `Z` is honoured; a naive value is read as UTC, as the services do).
 * Other shapes (`09/05/2024`, `May 9 2024`) are refused rather than guessed: `Date.parse` would read
 * them month-first in the machine's time zone.
 */
export function isoInstant(value: string): string {
  if (!ISO_8601.test(value.trim())) throw new InvalidArgumentError(`'${value}' is not an ISO-8601 time (e.g. 2024-05-09T08:00:00Z)`);
  value = value.trim();
  const ms = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(value) || !/T|\s\d/.test(value) ? value : `${value}Z`);
  if (Number.isNaN(ms)) throw new InvalidArgumentError(`'${value}' is not an ISO-8601 time`);
  return new Date(ms).toISOString();
}

/**
 * A `key=value` value: JSON when it parses as a JSON number, boolean or null (`age=39`,
 * `flag=true`), otherwise the raw text (`sex=Male`); quote a number to keep it text
 * (`zip='"02139"'`).
 */
export function scalar(raw: string): unknown {
  const t = raw.trim();
  if (/^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(t)) {
    const n = JSON.parse(t) as number;
    // JSON would turn these into null (1e400) or another integer (2^53 + 1): refuse, do not guess.
    if (!Number.isFinite(n)) throw new InvalidArgumentError(`'${raw}' is out of the range of a number; quote it to send text`);
    if (/^-?\d+$/.test(t) && !Number.isSafeInteger(n)) throw new InvalidArgumentError(`'${raw}' is beyond ±2^53-1 and would lose digits; quote it to send text`);
    return n;
  }
  if (t === 'true' || t === 'false' || t === 'null' || /^".*"$/.test(t)) return JSON.parse(t);
  return raw;
}

/** Collects repeated `--x key=value` options into an object (commander accumulator). */
export function keyValue(value: string, previous: Record<string, unknown> = {}): Record<string, unknown> {
  const i = value.indexOf('=');
  if (i <= 0) throw new InvalidArgumentError(`'${value}' is not key=value`);
  return { ...previous, [value.slice(0, i).trim()]: scalar(value.slice(i + 1)) };
}

/** Collects repeated options into a list; each may also be comma-separated. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(',').map((s) => s.trim()).filter(Boolean)];
}

/** `name@versionId` or `name` (the newest version is looked up later). */
export function datasetRef(value: string): { datasetName: string; versionId?: string } {
  const [datasetName, versionId, extra] = value.split('@');
  if (!datasetName || extra !== undefined || versionId === '') throw new InvalidArgumentError(`'${value}' is not <dataset>[@<versionId>]`);
  return versionId ? { datasetName, versionId } : { datasetName };
}

export function collectDatasets(value: string, previous: Array<{ datasetName: string; versionId?: string }> = []): Array<{ datasetName: string; versionId?: string }> {
  return [...previous, datasetRef(value)];
}

/**
 * A search-space dimension `name=min:max[:log][:int]` (a range) or `name=a,b,c` (values; each
 * a JSON scalar when it parses, else text). Shape of `POST /training-searches` `search.space`.
 */
export function searchDimension(value: string, previous: Record<string, unknown> = {}): Record<string, unknown> {
  const i = value.indexOf('=');
  if (i <= 0) throw new InvalidArgumentError(`'${value}' is not name=min:max[:log][:int] or name=a,b,c`);
  const name = value.slice(0, i).trim();
  const spec = value.slice(i + 1);
  if (spec.includes(':')) {
    const [min, max, ...flags] = spec.split(':');
    const lo = Number(min);
    const hi = Number(max);
    if (!Number.isFinite(lo) || !Number.isFinite(hi) || lo >= hi) throw new InvalidArgumentError(`'${value}': the range needs min < max, both numbers`);
    const bad = flags.find((f) => f !== 'log' && f !== 'int');
    if (bad) throw new InvalidArgumentError(`'${value}': unknown range flag '${bad}' (log, int)`);
    return { ...previous, [name]: { min: lo, max: hi, scale: flags.includes('log') ? 'log' : 'linear', type: flags.includes('int') ? 'int' : 'float' } };
  }
  const values = spec.split(',').map((v) => scalar(v));
  if (values.length === 0 || spec.trim() === '') throw new InvalidArgumentError(`'${value}': no values`);
  return { ...previous, [name]: { values } };
}

/** Entities for `get-online-features`: `key=v1,v2` → `{key: [v1, v2]}` (JSON scalars when they parse). */
export function entityColumns(value: string, previous: Record<string, unknown[]> = {}): Record<string, unknown[]> {
  const i = value.indexOf('=');
  if (i <= 0) throw new InvalidArgumentError(`'${value}' is not key=value[,value...]`);
  return { ...previous, [value.slice(0, i).trim()]: value.slice(i + 1).split(',').map((v) => scalar(v)) };
}

export function oneOf<T extends string>(...allowed: T[]): (value: string) => T {
  return (value: string) => {
    if (!(allowed as string[]).includes(value)) throw new InvalidArgumentError(`'${value}' is not one of ${allowed.join(', ')}`);
    return value as T;
  };
}

/** A binary label: 0 or 1. */
export function binaryLabel(value: string): 0 | 1 {
  if (value !== '0' && value !== '1') throw new InvalidArgumentError(`'${value}' is not 0 or 1`);
  return Number(value) as 0 | 1;
}
