import type { FieldCondition, MetricValue, RegistryOrder, RegistrySearch } from '@strata/registry/data-access';
import { InvalidArgumentError } from '@strata/shared/util-errors';
import type { FastifyRequest } from 'fastify';
import type { RequestContext } from '../model-registry';
import { normalizeMetricValue, resolveActor } from '../registry.schemas';
import { parseFilter, parseOrderBy } from './mlflow-filter';
import { missingParam, mlflowInt, mlflowString, mlflowStringList, mlflowTags } from './mlflow-schemas';

export type Input = Record<string, unknown>;

/** Request input: query string (GET) merged with the JSON body (POST/PATCH/DELETE). */
export function inputOf(req: FastifyRequest): Input {
  const q = (req.query ?? {}) as Input;
  const b = req.body && typeof req.body === 'object' && !Array.isArray(req.body) ? (req.body as Input) : {};
  return { ...q, ...b };
}

/** A string field (MLflow's messages: mlflow-schemas.ts); `required: false` gives '' when absent. */
export function str(i: Input, key: string, required = true): string {
  return mlflowString(key, required).parse(i[key]) ?? '';
}

/** An optional string field (undefined when absent or ''). */
export function optStr(i: Input, key: string): string | undefined {
  const v = mlflowString(key, false).parse(i[key]);
  return v === '' ? undefined : v;
}

/** The run of a run request: `run_id`, or the deprecated `run_uuid` (missing: MLflow's message names `run_id`). */
export function runIdOf(i: Input): string {
  const id = mlflowString('run_id', false).parse(i['run_id']);
  if (id) return id;
  const uuid = mlflowString('run_uuid', false).parse(i['run_uuid']);
  if (uuid) return uuid;
  throw missingParam('run_id');
}

/** An int64 field: a number or a decimal string; `fallback` when absent. */
export function int(i: Input, key: string, fallback?: number): number {
  const v = mlflowInt(key, fallback === undefined).parse(i[key]);
  return v ?? (fallback as number);
}

/** A `{key, value}` list field (tags). */
export function tagsOf(i: Input, key = 'tags'): Record<string, string> {
  return mlflowTags(key).parse(i[key]);
}

export function metricValue(raw: unknown, where: string): MetricValue {
  const v = normalizeMetricValue(raw);
  if (v === undefined) throw new InvalidArgumentError(`Invalid metric value ${JSON.stringify(raw)} at ${where}: must be a number, "NaN", "Infinity" or "-Infinity"`);
  return v;
}

export function page(i: Input, maxDefault: number, maxAllowed: number): { limit: number; offset: number } {
  const limit = int(i, 'max_results', maxDefault);
  if (limit < 1 || limit > maxAllowed) throw new InvalidArgumentError(`Invalid value ${limit} for parameter 'max_results' supplied. It must be at most ${maxAllowed}, and at least 1.`);
  const token = optStr(i, 'page_token');
  if (token !== undefined && !/^\d{1,9}$/.test(token)) throw new InvalidArgumentError(`Invalid page_token '${token}'`);
  return { limit, offset: token ? Number(token) : 0 };
}

/** A repeated string field (`order_by`, `experiment_ids`, `stages`). */
export function listOf(i: Input, key: string): string[] | undefined {
  return mlflowStringList(key).parse(i[key]);
}

export const withToken = <T extends object>(body: T, next?: string): T & { next_page_token?: string } => (next ? { ...body, next_page_token: next } : body);

export function ctxOf(req: FastifyRequest): RequestContext {
  return { actor: resolveActor(req.headers['x-strata-actor'] as string | undefined), requestId: String(req.id) };
}

const STRING_OPS = ['=', '!=', 'LIKE', 'ILIKE'] as const;
const ID_OPS = ['=', '!=', 'IN', 'NOT IN'] as const;

/**
 * A registered-models (`kind: 'models'`) or model-versions (`'versions'`) filter and `order_by`
 * as a store search. Grammar (MLflow's, AND only): `name` and `tags.<key>` with `= != LIKE ILIKE`
 * (LIKE case-sensitive, ILIKE not); versions also `run_id` with `= != IN NOT IN`, `source_path`
 * with `= != LIKE ILIKE`, `version_number` with `= !=`. Values are quoted strings.
 * `order_by`: `name`, `creation_timestamp`, `last_updated_timestamp` (+ `version_number` for
 * versions), `ASC`/`DESC`. @throws InvalidArgumentError (400) naming the unsupported term
 */
export function registrySearch(filter: string | undefined, orderBy: string[] | undefined, kind: 'models' | 'versions'): RegistrySearch {
  const out: Required<Pick<RegistrySearch, 'name' | 'runId' | 'source' | 'version' | 'tags' | 'orderBy'>> = { name: [], runId: [], source: [], version: [], tags: [], orderBy: [] };
  const versions = kind === 'versions';
  for (const c of parseFilter(filter)) {
    const bare = c.entity === '' || c.entity === 'attributes' || c.entity === 'attribute';
    const isStr = typeof c.value === 'string';
    const strOp = (STRING_OPS as readonly string[]).includes(c.op) && isStr;
    const cond = { op: c.op, value: c.value as string | string[] } as FieldCondition;
    if (bare && c.key === 'name' && strOp) out.name.push(cond);
    else if (versions && bare && c.key === 'run_id' && (ID_OPS as readonly string[]).includes(c.op) && (isStr || Array.isArray(c.value))) out.runId.push(cond);
    else if (versions && bare && c.key === 'source_path' && strOp) out.source.push(cond);
    else if (versions && bare && c.key === 'version_number' && (c.op === '=' || c.op === '!=')) out.version.push({ op: c.op, value: String(c.value) });
    else if ((c.entity === 'tags' || c.entity === 'tag') && strOp) out.tags.push({ ...cond, key: c.key });
    else {
      const term = `${c.entity ? `${c.entity}.` : ''}${c.key} ${c.op} ${JSON.stringify(c.value)}`;
      throw new InvalidArgumentError(
        `Invalid filter '${filter ?? ''}': unsupported term '${term}'. Supported: name and tags.<key> with =, !=, LIKE, ILIKE and a quoted string${versions ? "; run_id with =, !=, IN, NOT IN; source_path with =, !=, LIKE, ILIKE; version_number with =, !=" : ''}`,
      );
    }
  }
  const keys: Record<string, RegistryOrder['field']> = { name: 'name', creation_timestamp: 'creation_timestamp', last_updated_timestamp: 'last_updated_timestamp', timestamp: 'creation_timestamp', ...(versions ? { version_number: 'version' as const } : {}) };
  for (const o of parseOrderBy(orderBy)) {
    const field = (o.entity === '' || o.entity === 'attributes' || o.entity === 'attribute') ? keys[o.key] : undefined;
    if (!field) throw new InvalidArgumentError(`Invalid order_by clause '${o.entity ? `${o.entity}.` : ''}${o.key}': supported are ${Object.keys(keys).join(', ')} with ASC or DESC`);
    out.orderBy.push({ field, desc: o.desc });
  }
  return out;
}
