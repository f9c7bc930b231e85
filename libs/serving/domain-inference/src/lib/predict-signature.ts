import { InvalidArgumentError } from '@strata/shared/util-errors';
import { metadataStringArray } from '@strata/shared/util-model-evaluation';

/** ONNX metadata key of the feature references, one `view:feature` per input column (written at training). */
export const FEATURE_REFS_METADATA_KEY = 'strata.feature_refs';
/** ONNX metadata key of the input column names (written at training). */
export const FEATURE_NAMES_METADATA_KEY = 'strata.feature_names';
/** ONNX metadata key of the request fields `[{name, dtype}]` of the model's on-demand views, as defined when it was trained. */
export const REQUEST_FIELDS_METADATA_KEY = 'strata.request_fields';

/** A feature view as `GET /feature-views` of the features service describes it (the fields used here). */
export interface FeatureViewInfo {
  kind?: string;
  name: string;
  features: ReadonlyArray<{ name: string; dtype?: string }>;
  /** Batch views: join keys. */
  entities?: readonly string[];
  /** On-demand views: the request columns and their value types (INT64, FLOAT64, STRING, BOOL, TIMESTAMP, ...). */
  requestSchema?: ReadonlyArray<{ name: string; dtype: string }>;
}

/** One request field of a model: a column an on-demand view of its signature needs. */
export interface RequestField {
  name: string;
  /** Feature-repo value type: INT32, INT64, FLOAT32, FLOAT64, STRING, BOOL, TIMESTAMP. */
  dtype: string;
}

/**
 * What `POST /models/{m}/predict` needs of a model version: the feature reference of every input
 * column, in input order, and the request fields its on-demand views take.
 */
export interface PredictSignature {
  /** Input columns in order: the model's column name and its `view:feature` reference. */
  columns: Array<{ name: string; ref: string }>;
  /** Request fields (union over the on-demand views of `columns`, first-seen order). */
  requestFields: RequestField[];
  /** Where the references came from: recorded at registration, or resolved from the column names. */
  source: 'recorded' | 'resolved';
}

/**
 * The predict signature a model version carries itself: `strata.feature_refs` and
 * `strata.request_fields` (written at training since issue 18), so the request fields and their
 * types are those the model was trained with, whatever the feature repo says today. Undefined
 * when either key is absent (then {@link resolvePredictSignature} reads the feature repo).
 * @throws InvalidArgumentError when the keys are malformed or the refs do not match the feature names.
 */
export function recordedPredictSignature(model: { name: string; version: number; metadata: Record<string, string> }): PredictSignature | undefined {
  const raw = model.metadata[REQUEST_FIELDS_METADATA_KEY];
  if (raw === undefined || model.metadata[FEATURE_REFS_METADATA_KEY] === undefined) return undefined;
  const where = `Model '${model.name}' v${model.version}`;
  const names = metadataStringArray(model.metadata, FEATURE_NAMES_METADATA_KEY, where) ?? [];
  const refs = metadataStringArray(model.metadata, FEATURE_REFS_METADATA_KEY, where) ?? [];
  if (names.length === 0 || refs.length !== names.length || !refs.every((r) => /^[^:]+:[^:]+$/.test(r))) {
    throw new InvalidArgumentError(`${where}: '${FEATURE_REFS_METADATA_KEY}' must hold one 'view:feature' per feature name (${names.length})`);
  }
  let fields: unknown;
  try {
    fields = JSON.parse(raw);
  } catch {
    fields = undefined;
  }
  if (!Array.isArray(fields) || !fields.every((f: unknown) => typeof (f as RequestField)?.name === 'string' && typeof (f as RequestField)?.dtype === 'string')) {
    throw new InvalidArgumentError(`${where}: ONNX metadata '${REQUEST_FIELDS_METADATA_KEY}' must be a JSON array of {name, dtype}`);
  }
  return { columns: names.map((name, i) => ({ name, ref: refs[i]! })), requestFields: (fields as RequestField[]).map((f) => ({ name: f.name, dtype: f.dtype })), source: 'recorded' };
}

/**
 * Resolves a model's predict signature.
 *
 * References: the ONNX metadata `strata.feature_refs` (recorded at training since issue 18) when
 * present; else each `strata.feature_names` column is resolved: `view__feature` → `view:feature`,
 * a bare `feature` → the one view of the feature repo that has a feature of that name (model
 * versions registered before refs were recorded). Request fields and their types come from the
 * feature repo's on-demand views (their one definition).
 *
 * @param model `name`, `version` and ONNX `metadata` of the model version.
 * @param views every feature view of the features service (`GET /feature-views`).
 * @throws InvalidArgumentError when the model has no feature names, the refs do not match the
 *   names, a reference names an unknown view/feature, or a bare name is ambiguous / unknown.
 */
export function resolvePredictSignature(model: { name: string; version: number; metadata: Record<string, string> }, views: readonly FeatureViewInfo[]): PredictSignature {
  const where = `Model '${model.name}' v${model.version}`;
  const names = metadataStringArray(model.metadata, FEATURE_NAMES_METADATA_KEY, where);
  if (!names || names.length === 0) throw new InvalidArgumentError(`${where} has no '${FEATURE_NAMES_METADATA_KEY}' metadata: use /v2/models/${model.name}/infer`);
  const recorded = metadataStringArray(model.metadata, FEATURE_REFS_METADATA_KEY, where);
  if (recorded && recorded.length !== names.length) {
    throw new InvalidArgumentError(`${where}: '${FEATURE_REFS_METADATA_KEY}' has ${recorded.length} references for ${names.length} feature names`);
  }
  const byName = new Map(views.map((v) => [v.name, v]));
  const columns = names.map((name, i) => {
    let ref = recorded?.[i];
    if (ref === undefined) {
      const sep = name.indexOf('__');
      if (sep > 0) ref = `${name.slice(0, sep)}:${name.slice(sep + 2)}`;
      else {
        const owners = views.filter((v) => v.features.some((f) => f.name === name)).map((v) => v.name);
        if (owners.length !== 1) {
          throw new InvalidArgumentError(
            owners.length === 0
              ? `${where}: feature '${name}' is in no feature view of the feature repo`
              : `${where}: feature '${name}' is in several feature views (${owners.join(', ')}); retrain so the version records its feature references`,
          );
        }
        ref = `${owners[0]}:${name}`;
      }
    }
    const [view, feature] = ref.split(':', 2) as [string, string | undefined];
    const fv = byName.get(view);
    if (!fv || feature === undefined || !fv.features.some((f) => f.name === feature)) {
      throw new InvalidArgumentError(`${where}: input '${name}' needs feature '${ref}', which the feature repo does not define`);
    }
    return { name, ref };
  });
  const requestFields: RequestField[] = [];
  const seen = new Set<string>();
  for (const viewName of new Set(columns.map((c) => c.ref.split(':', 1)[0]!))) {
    for (const f of byName.get(viewName)?.requestSchema ?? []) {
      if (seen.has(f.name)) continue;
      seen.add(f.name);
      requestFields.push({ name: f.name, dtype: f.dtype });
    }
  }
  return { columns, requestFields, source: recorded ? 'recorded' : 'resolved' };
}

/** A JSON scalar of a request. */
export type RequestValue = string | number | boolean | null;

const NUMERIC = new Set(['INT32', 'INT64', 'FLOAT32', 'FLOAT64']);

/**
 * Checks `request` against the model's request fields and returns the `request_data` to send to
 * the features service (one value per field; TIMESTAMP values normalized to ISO-8601 UTC, a time
 * without offset being UTC). A field may also come from `entities` (a join key the view reads).
 * `null` is a missing value (the view computes null from it).
 *
 * @throws InvalidArgumentError naming the field: `request.<f>: unknown field; model <m> v<n>
 *   takes request fields a, b` / `request.<f>: missing; ...` / `request.<f>: expected <TYPE>, got ...`.
 */
export function checkRequest(
  model: { name: string; version: number },
  fields: readonly RequestField[],
  request: Readonly<Record<string, RequestValue>>,
  entities: Readonly<Record<string, string | number>>,
): Record<string, RequestValue> {
  const takes = fields.length === 0 ? 'takes no request fields' : `takes request fields ${fields.map((f) => `${f.name} (${f.dtype})`).join(', ')}`;
  const suffix = `model ${model.name} v${model.version} ${takes}`;
  const known = new Set(fields.map((f) => f.name));
  for (const k of Object.keys(request)) if (!known.has(k)) throw new InvalidArgumentError(`request.${k}: unknown field; ${suffix}`, { details: { field: `request.${k}` } });
  const out: Record<string, RequestValue> = {};
  for (const f of fields) {
    if (!(f.name in request)) {
      if (f.name in entities) continue; // read from the entity row by the features service
      throw new InvalidArgumentError(`request.${f.name}: missing; ${suffix}`, { details: { field: `request.${f.name}` } });
    }
    const v = request[f.name]!;
    out[f.name] = v === null ? null : checkValue(f, v, suffix);
  }
  return out;
}

function checkValue(f: RequestField, v: string | number | boolean, suffix: string): RequestValue {
  const bad = (): never => {
    throw new InvalidArgumentError(`request.${f.name}: expected ${f.dtype}, got ${JSON.stringify(v)}; ${suffix}`, { details: { field: `request.${f.name}`, expected: f.dtype } });
  };
  if (NUMERIC.has(f.dtype)) {
    if (typeof v !== 'number' || !Number.isFinite(v)) return bad();
    if (f.dtype.startsWith('INT') && !Number.isInteger(v)) return bad();
    return v;
  }
  if (f.dtype === 'STRING') return typeof v === 'string' ? v : bad();
  if (f.dtype === 'BOOL') return typeof v === 'boolean' ? v : bad();
  if (f.dtype === 'TIMESTAMP') {
    if (typeof v !== 'string') return bad();
    return parseUtc(v, `request.${f.name}`).toISOString();
  }
  return v;
}

/**
 * Parses an ISO-8601 date-time; a value without `Z`/offset is taken as UTC.
 * @throws InvalidArgumentError naming `where`.
 */
export function parseUtc(value: string, where: string): Date {
  const hasZone = /(Z|[+-]\d{2}:?\d{2})$/i.test(value.trim());
  const iso = /^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?/.test(value.trim());
  const d = new Date(hasZone || !iso ? value : `${value.trim().replace(' ', 'T')}Z`);
  if (!iso || Number.isNaN(d.getTime())) throw new InvalidArgumentError(`${where}: '${value}' is not an ISO-8601 date-time`);
  return d;
}
