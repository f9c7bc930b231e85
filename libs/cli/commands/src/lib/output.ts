import { StrataHttpError, StrataUnreachableError } from '@strata/shared/data-access-strata-client';
import Table from 'cli-table3';

/**
 * How a command writes: `--json` prints exactly one JSON document on stdout (for scripts);
 * otherwise human tables and lines. Progress and notes go to stderr, never to stdout, so
 * `strata … --json | jq` always parses.
 */
export interface Output {
  json: boolean;
  /** stdout */
  line(text: string): void;
  /** stderr (progress, notes) */
  note(text: string): void;
  /** whether stderr is a terminal (progress bars only then) */
  interactive: boolean;
}

export function processOutput(json: boolean): Output {
  return {
    json,
    line: (t) => process.stdout.write(t + '\n'),
    note: (t) => process.stderr.write(t + '\n'),
    interactive: Boolean(process.stderr.isTTY),
  };
}

/** A column of a table: header and how to read the cell from a row. */
export interface Column<T> {
  header: string;
  get: (row: T) => unknown;
}

/** Cell text: numbers to at most 4 decimals, null/undefined as '-', objects as compact JSON. */
export function cell(value: unknown): string {
  if (value === null || value === undefined || value === '') return '-';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : Number.isFinite(value) ? String(Number(value.toFixed(4))) : String(value);
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** A borderless table (cli-table3) with the given columns. */
export function renderTable<T>(rows: T[], columns: Array<Column<T>>): string {
  const table = new Table({
    head: columns.map((c) => c.header),
    style: { head: [], border: [], compact: true },
    chars: { top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '', left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: '  ' },
  });
  for (const row of rows) table.push(columns.map((c) => cell(c.get(row))));
  return table.toString().split('\n').map((l) => l.trimEnd()).join('\n');
}

/** `key  value` lines of an object (one level; nested values as JSON). */
export function renderRecord(record: Record<string, unknown>): string {
  const keys = Object.keys(record);
  const width = Math.max(0, ...keys.map((k) => k.length));
  return keys.map((k) => `${k.padEnd(width)}  ${cell(record[k])}`).join('\n');
}

/** Prints `data` as JSON under `--json`, else `human()`'s text. */
export function emit(out: Output, data: unknown, human: () => string): void {
  out.line(out.json ? JSON.stringify(data, null, 2) : human());
}

/**
 * One line for any error: HTTP errors name the service's message and the status, unreachable
 * services name the URL; never a stack trace. An HTTP error listing several problems
 * (`details.issues`) gets one more line per problem.
 */
export function errorLine(e: unknown): string {
  if (e instanceof StrataHttpError) {
    const body = e.body as { error?: string; message?: string; details?: { issues?: unknown } } | string | undefined;
    const message = typeof body === 'string' ? body : (body?.error ?? body?.message ?? JSON.stringify(body));
    const where = `(HTTP ${e.status} from ${e.method} ${new URL(e.url).pathname})`;
    // several problems listed in details.issues (e.g. every bad reference of a feature repo): the message's first line, then one problem per line
    const issues = typeof body === 'object' && Array.isArray(body?.details?.issues) ? body.details.issues.map(String) : [];
    if (issues.length > 1) return `${oneLine(String(message).split('\n')[0] ?? '')} ${where}\n  ${issues.map(oneLine).join('\n  ')}`;
    return `${oneLine(String(message))} ${where}`;
  }
  if (e instanceof StrataUnreachableError) return oneLine(e.message);
  return oneLine(e instanceof Error ? e.message : String(e));
}

const oneLine = (s: string): string => s.replace(/\s*\n\s*/g, ' ').trim();
