import type { MetricValue } from '@strata/registry/data-access';
import { InvalidArgumentError } from '@strata/shared/util-errors';
import type { FastifyRequest } from 'fastify';
import type { RequestContext } from '../model-registry';
import { normalizeMetricValue, resolveActor } from '../registry.schemas';
import { parseFilter } from './mlflow-filter';

export type Input = Record<string, unknown>;

/** Request input: query string (GET) merged with the JSON body (POST/PATCH/DELETE). */
export function inputOf(req: FastifyRequest): Input {
  const q = (req.query ?? {}) as Input;
  const b = req.body && typeof req.body === 'object' && !Array.isArray(req.body) ? (req.body as Input) : {};
  return { ...q, ...b };
}

export function str(i: Input, key: string, required = true): string {
  const v = i[key];
  if (v === undefined || v === null || v === '') {
    if (required) throw new InvalidArgumentError(`Missing value for required parameter '${key}'.`);
    return '';
  }
  if (typeof v !== 'string' && typeof v !== 'number') throw new InvalidArgumentError(`Invalid value for parameter '${key}': must be a string`);
  return String(v);
}

export function optStr(i: Input, key: string): string | undefined {
  return i[key] === undefined || i[key] === null || i[key] === '' ? undefined : str(i, key);
}

/** int64 fields arrive as numbers or decimal strings. */
export function int(i: Input, key: string, fallback?: number): number {
  const v = i[key];
  if (v === undefined || v === null || v === '') {
    if (fallback !== undefined) return fallback;
    throw new InvalidArgumentError(`Missing value for required parameter '${key}'.`);
  }
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n)) throw new InvalidArgumentError(`Invalid value ${JSON.stringify(v)} for parameter '${key}': must be an integer`);
  return n;
}

export function tagsOf(i: Input, key = 'tags'): Record<string, string> {
  const v = i[key];
  if (v === undefined || v === null) return {};
  if (!Array.isArray(v)) throw new InvalidArgumentError(`Invalid value for parameter '${key}': must be a list of {key, value}`);
  const out: Record<string, string> = {};
  v.forEach((t: unknown, n) => {
    const o = t as Input;
    if (!o || typeof o !== 'object' || typeof o['key'] !== 'string' || !o['key']) throw new InvalidArgumentError(`Invalid ${key}[${n}]: needs a non-empty string key`);
    out[o['key']] = o['value'] === undefined || o['value'] === null ? '' : String(o['value']);
  });
  return out;
}

export function metricValue(raw: unknown, where: string): MetricValue {
  const v = normalizeMetricValue(raw);
  if (v === undefined) throw new InvalidArgumentError(`Invalid metric value ${JSON.stringify(raw)} at ${where}: must be a number, "NaN", "Infinity" or "-Infinity"`);
  return v;
}

export function page(i: Input, maxDefault: number, maxAllowed: number): { limit: number; offset: number } {
  const limit = int(i, 'max_results', maxDefault);
  if (limit < 1 || limit > maxAllowed) throw new InvalidArgumentError(`Invalid value ${limit} for parameter 'max_results': must be between 1 and ${maxAllowed}`);
  const token = optStr(i, 'page_token');
  if (token !== undefined && !/^\d{1,9}$/.test(token)) throw new InvalidArgumentError(`Invalid page_token '${token}'`);
  return { limit, offset: token ? Number(token) : 0 };
}

export function listOf(v: unknown): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  return (Array.isArray(v) ? v : [v]).map(String);
}

export const withToken = <T extends object>(body: T, next?: string): T & { next_page_token?: string } => (next ? { ...body, next_page_token: next } : body);

export function ctxOf(req: FastifyRequest): RequestContext {
  return { actor: resolveActor(req.headers['x-strata-actor'] as string | undefined), requestId: String(req.id) };
}

/** Name / tag conditions of a registered-models or model-versions filter. */
export function registryFilter(filter: string | undefined, allowRunId: boolean): { exactName?: string; namePattern?: string; runIds?: string[]; tags: Array<{ key: string; value: string; op: '=' | '!=' }> } {
  const out: { exactName?: string; namePattern?: string; runIds?: string[]; tags: Array<{ key: string; value: string; op: '=' | '!=' }> } = { tags: [] };
  for (const c of parseFilter(filter)) {
    const bare = c.entity === '' || c.entity === 'attributes';
    if (bare && c.key === 'name' && c.op === '=' && typeof c.value === 'string') out.exactName = c.value;
    else if (bare && c.key === 'name' && (c.op === 'LIKE' || c.op === 'ILIKE') && typeof c.value === 'string') out.namePattern = c.value;
    else if (allowRunId && bare && c.key === 'run_id' && c.op === '=' && typeof c.value === 'string') out.runIds = [c.value];
    else if (allowRunId && bare && c.key === 'run_id' && c.op === 'IN' && Array.isArray(c.value)) out.runIds = c.value;
    else if (c.entity === 'tags' && (c.op === '=' || c.op === '!=') && typeof c.value === 'string') out.tags.push({ key: c.key, value: c.value, op: c.op });
    else {
      throw new InvalidArgumentError(
        `Unsupported filter term '${c.entity ? `${c.entity}.` : ''}${c.key} ${c.op} ${JSON.stringify(c.value)}': supported are name = | LIKE | ILIKE '<text>', ${allowRunId ? "run_id = '<id>', run_id IN ('<id>', …), " : ''}tags.<key> = | != '<value>'`,
      );
    }
  }
  return out;
}
