import { InvalidArgumentError } from '@strata/shared/util-errors';
import { z } from 'zod';

/**
 * Request field types of the MLflow REST API 2.0 as zod schemas, with MLflow's own error wording
 * (mlflow/server/handlers.py, `_validate_param_against_schema` / `_assert_required`), which clients
 * and users match on:
 *
 * - missing: `Missing value for required parameter '<p>'. See the API docs for more information about request parameters.`
 * - wrong type: `Invalid value <json> for parameter '<p>' supplied. Hint: Value was of type '<python type>'. See the API docs for more information about request parameters.`
 *
 * Both are `INVALID_PARAMETER_VALUE` (HTTP 400). Query-string values are strings; JSON bodies keep
 * their types, so `{"run_id": 31}` is refused as MLflow does. int64 fields take a number or a
 * decimal string (protobuf JSON).
 */
const API_HINT = 'See the API docs for more information about request parameters.';

/** Python's name of a JSON value's type, as MLflow's hint prints it. */
function pythonType(v: unknown): string {
  if (v === null) return 'NoneType';
  if (Array.isArray(v)) return 'list';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'object') return 'dict';
  return 'str';
}

/** 400 `Missing value for required parameter '<p>'`. */
export const missingParam = (param: string): InvalidArgumentError => new InvalidArgumentError(`Missing value for required parameter '${param}'. ${API_HINT}`);

/** 400 `Invalid value <v> for parameter '<p>' supplied. Hint: ...`. */
export const invalidParam = (param: string, value: unknown): InvalidArgumentError =>
  new InvalidArgumentError(`Invalid value ${JSON.stringify(value)} for parameter '${param}' supplied. Hint: Value was of type '${pythonType(value)}'. ${API_HINT}`);

const absent = (v: unknown): boolean => v === undefined || v === null;

/** A string field (`required`: absent or '' is refused). */
export const mlflowString = (param: string, required: boolean) =>
  z.unknown().transform((v): string | undefined => {
    if (absent(v) || (required && v === '')) {
      if (required) throw missingParam(param);
      return undefined;
    }
    if (typeof v !== 'string') throw invalidParam(param, v);
    return v;
  });

/** An int64 field: a safe integer, or a decimal string of one. */
export const mlflowInt = (param: string, required: boolean) =>
  z.unknown().transform((v): number | undefined => {
    if (absent(v) || v === '') {
      if (required) throw missingParam(param);
      return undefined;
    }
    const n = typeof v === 'number' ? v : typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? Number(v) : NaN;
    if (!Number.isSafeInteger(n)) throw invalidParam(param, v);
    return n;
  });

/** A boolean field (`true`/`false`, or the strings of them in a query). */
export const mlflowBool = (param: string) =>
  z.unknown().transform((v): boolean | undefined => {
    if (absent(v) || v === '') return undefined;
    if (typeof v === 'boolean') return v;
    if (v === 'true' || v === 'True') return true;
    if (v === 'false' || v === 'False') return false;
    throw invalidParam(param, v);
  });

/** A repeated `{key, value}` field (tags): keys non-empty strings, values strings (numbers are kept as their text). */
export const mlflowTags = (param: string) =>
  z.unknown().transform((v): Record<string, string> => {
    if (absent(v)) return {};
    if (!Array.isArray(v)) throw invalidParam(param, v);
    const out: Record<string, string> = {};
    for (const t of v) {
      if (!t || typeof t !== 'object' || Array.isArray(t)) throw invalidParam(param, v);
      const o = t as Record<string, unknown>;
      if (absent(o['key']) || o['key'] === '') throw missingParam('key');
      if (typeof o['key'] !== 'string') throw invalidParam('key', o['key']);
      if (!absent(o['value']) && typeof o['value'] !== 'string' && typeof o['value'] !== 'number') throw invalidParam('value', o['value']);
      out[o['key']] = absent(o['value']) ? '' : String(o['value']);
    }
    return out;
  });

/** A repeated string field (one value is taken as a list of one, as query strings repeat keys). */
export const mlflowStringList = (param: string) =>
  z.unknown().transform((v): string[] | undefined => {
    if (absent(v)) return undefined;
    const list = Array.isArray(v) ? v : [v];
    for (const x of list) if (typeof x !== 'string') throw invalidParam(param, v);
    return list as string[];
  });

/** A repeated object field (e.g. `metrics` of log-batch). */
export const mlflowObjectList = (param: string) =>
  z.unknown().transform((v): Array<Record<string, unknown>> => {
    if (absent(v)) return [];
    if (!Array.isArray(v) || v.some((x) => !x || typeof x !== 'object' || Array.isArray(x))) throw invalidParam(param, v);
    return v as Array<Record<string, unknown>>;
  });

/** Parses `input` with `schema` (the field transforms throw MLflow's errors themselves). */
export function parseMlflow<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  throw new InvalidArgumentError(`Invalid request: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.trim());
}

/**
 * MLflow model and experiment names: any non-empty string, case and spaces kept (MLflow's rule).
 * Where a name travels further it is encoded there: URL path segments (encodeURIComponent),
 * Kafka keys / events (only contract names are announced: model-registry/event-names.ts),
 * object-store paths and metric labels (Strata's native API keeps its own name rule, so names
 * outside it never reach those places through Strata's own services).
 */
export const mlflowName = (param: string) => mlflowString(param, true);
