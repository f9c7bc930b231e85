import { InvalidArgumentError } from '@strata/shared/util-errors';

/** ONNX metadata key listing the model's input tensors and the features each carries (JSON, see {@link InputBinding}). */
export const INPUTS_METADATA_KEY = 'strata.inputs';
/** ONNX metadata key of the model's raw feature names, in {@link modelInputLayout} order. */
export const FEATURE_NAMES_KEY = 'strata.feature_names';
/**
 * The value a missing categorical (string) feature is fed as: the empty string. A model whose
 * training data had missing categories learned this value as a category of its own; otherwise it
 * is an unseen category (see the trainer's encoding).
 */
export const MISSING_CATEGORY = '';

/** Tensor datatypes (Open Inference Protocol v2 names) a raw-feature input may have. */
export type FeatureTensorDatatype = 'FP32' | 'FP64' | 'BYTES';

/** One ONNX input tensor of a model and the raw features it carries, as columns in order. */
export interface InputBinding {
  /** ONNX graph input name. */
  name: string;
  /** `FP32`/`FP64`: numbers, a missing value is NaN; `BYTES`: strings, a missing value is {@link MISSING_CATEGORY}. */
  datatype: FeatureTensorDatatype;
  /** Features carried by the tensor, its columns in order (shape `[N, features.length]`). */
  features: string[];
}

/** A graph input as the ONNX signature describes it (OIP names; -1 = dynamic dim). */
export interface InputTensorInfo {
  name: string;
  datatype: string;
  shape: readonly number[];
}

/** A model input tensor ready to feed: row-major data of shape `[rows, width]`. */
export interface AssembledInput {
  name: string;
  datatype: FeatureTensorDatatype;
  shape: [number, number];
  data: Float32Array | Float64Array | string[];
}

const FEATURE_TYPES = new Set(['FP32', 'FP64', 'BYTES']);

/**
 * The JSON array of strings an ONNX metadata entry holds (e.g. `strata.feature_names`), or
 * undefined when `metadata` has no `key`.
 * @param where prefixes the error message (e.g. `Model 'm' version 3`), when given.
 * @throws InvalidArgumentError `[<where>: ]ONNX metadata '<key>' must be a JSON array of strings, got <the first 200 characters>`
 */
export function metadataStringArray(metadata: Readonly<Record<string, string>>, key: string, where?: string): string[] | undefined {
  const raw = metadata[key];
  if (raw === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(raw);
    if (Array.isArray(parsed) && parsed.every((x) => typeof x === 'string')) return parsed as string[];
  } catch {
    // reported below
  }
  throw new InvalidArgumentError(`${where === undefined ? '' : `${where}: `}ONNX metadata '${key}' must be a JSON array of strings, got ${raw.slice(0, 200)}`);
}

/**
 * How a model takes its raw features, from its ONNX signature and metadata_props, in this order:
 *
 * 1. `strata.inputs` (written by the built-in trainer when a model has categorical features, and
 *    by any trainer that wants to): JSON `[{ "name", "datatype": "FP32"|"FP64"|"BYTES",
 *    "features": [...] }]`; every graph input must be listed exactly once, with that datatype and
 *    rank 2 of width `features.length` (or dynamic).
 * 2. One FP32/FP64 input `[N, F]` and `strata.feature_names` (F names): the classic single
 *    feature matrix (numeric models, e.g. a numeric-only built-in logistic regression).
 * 3. Several inputs, each `[N, 1]` or `[N]` of FP32/FP64/BYTES and named after one feature of
 *    `strata.feature_names` (e.g. an sklearn pipeline exported with one initial type per column).
 *
 * The features of all bindings, concatenated, are the model's raw features.
 * @throws InvalidArgumentError naming the input or key that does not fit (the model cannot be fed
 *   from named features: use raw OIP inference).
 */
export function modelInputLayout(inputs: readonly InputTensorInfo[], metadata: Readonly<Record<string, string>>, what = 'Model'): InputBinding[] {
  const byName = new Map(inputs.map((i) => [i.name, i]));
  const raw = metadata[INPUTS_METADATA_KEY];
  if (raw !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      parsed = undefined;
    }
    const ok =
      Array.isArray(parsed) &&
      parsed.every(
        (b: unknown) =>
          typeof b === 'object' && b !== null && typeof (b as InputBinding).name === 'string' && FEATURE_TYPES.has((b as InputBinding).datatype) &&
          Array.isArray((b as InputBinding).features) && (b as InputBinding).features.length > 0 && (b as InputBinding).features.every((f) => typeof f === 'string'),
      );
    if (!ok) throw new InvalidArgumentError(`${what}: ONNX metadata '${INPUTS_METADATA_KEY}' must be a JSON array of {name, datatype: FP32|FP64|BYTES, features: [string, ...]}`);
    const bindings = (parsed as InputBinding[]).map((b) => ({ name: b.name, datatype: b.datatype, features: [...b.features] }));
    const listed = new Set<string>();
    for (const b of bindings) {
      const t = byName.get(b.name);
      if (!t) throw new InvalidArgumentError(`${what}: '${INPUTS_METADATA_KEY}' names input '${b.name}', which the graph does not have (inputs: ${inputs.map((i) => i.name).join(', ')})`);
      if (listed.has(b.name)) throw new InvalidArgumentError(`${what}: '${INPUTS_METADATA_KEY}' lists input '${b.name}' twice`);
      listed.add(b.name);
      if (t.datatype !== b.datatype) throw new InvalidArgumentError(`${what}: input '${b.name}' is ${t.datatype} but '${INPUTS_METADATA_KEY}' says ${b.datatype}`);
      if (t.shape.length !== 2 || (t.shape[1] !== -1 && t.shape[1] !== b.features.length)) {
        throw new InvalidArgumentError(`${what}: input '${b.name}' has shape ${JSON.stringify(t.shape)}, expected [N, ${b.features.length}]`);
      }
    }
    const unlisted = inputs.filter((i) => !listed.has(i.name)).map((i) => i.name);
    if (unlisted.length > 0) throw new InvalidArgumentError(`${what}: graph inputs ${unlisted.join(', ')} are not in '${INPUTS_METADATA_KEY}'`);
    const all = bindings.flatMap((b) => b.features);
    if (new Set(all).size !== all.length) throw new InvalidArgumentError(`${what}: '${INPUTS_METADATA_KEY}' lists a feature twice`);
    return bindings;
  }
  const names = metadataStringArray(metadata, FEATURE_NAMES_KEY);
  if (!names || names.length === 0) throw new InvalidArgumentError(`${what} has no '${FEATURE_NAMES_KEY}' metadata: the order of its features is unknown`);
  const [only] = inputs;
  if (inputs.length === 1 && only && (only.datatype === 'FP32' || only.datatype === 'FP64') && only.shape.length === 2) {
    if (only.shape[1] !== -1 && only.shape[1] !== names.length) {
      throw new InvalidArgumentError(`${what}: input '${only.name}' has ${only.shape[1]} columns but ${names.length} feature names`);
    }
    return [{ name: only.name, datatype: only.datatype, features: names }];
  }
  const perFeature = inputs.every((i) => FEATURE_TYPES.has(i.datatype) && names.includes(i.name) && (i.shape.length === 1 || (i.shape.length === 2 && (i.shape[1] === 1 || i.shape[1] === -1))));
  if (perFeature && inputs.length === names.length) return names.map((n) => ({ name: n, datatype: byName.get(n)!.datatype as FeatureTensorDatatype, features: [n] }));
  throw new InvalidArgumentError(
    `${what} takes inputs ${JSON.stringify(inputs)}: not one FP32/FP64 [N, F] matrix, not one input per feature, and no '${INPUTS_METADATA_KEY}' metadata saying which feature goes where`,
  );
}

/** The raw features of a layout, in order (the concatenation of each binding's features). */
export function layoutFeatures(layout: readonly InputBinding[]): string[] {
  return layout.flatMap((b) => b.features);
}

/**
 * Builds the input tensors of `rows` rows. `value(row, feature)` gives a raw value; numbers go to
 * FP32/FP64 tensors (null/undefined/non-numeric → NaN, booleans → 0/1, numeric strings parsed),
 * anything to BYTES tensors as a string (null/undefined → {@link MISSING_CATEGORY}, numbers as
 * their decimal text, booleans as `true`/`false`).
 */
export function assembleModelInputs(layout: readonly InputBinding[], rows: number, value: (row: number, feature: string) => unknown): AssembledInput[] {
  return layout.map((b) => {
    const width = b.features.length;
    if (b.datatype === 'BYTES') {
      const data: string[] = new Array(rows * width);
      for (let i = 0; i < rows; i++) for (let j = 0; j < width; j++) data[i * width + j] = toCategory(value(i, b.features[j]!));
      return { name: b.name, datatype: b.datatype, shape: [rows, width], data };
    }
    const data = b.datatype === 'FP64' ? new Float64Array(rows * width) : new Float32Array(rows * width);
    for (let i = 0; i < rows; i++) for (let j = 0; j < width; j++) data[i * width + j] = toNumber(value(i, b.features[j]!));
    return { name: b.name, datatype: b.datatype, shape: [rows, width], data };
  });
}

/** A raw value as a number for a numeric tensor (NaN = missing). */
export function toNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string' && v.trim() !== '') return Number(v);
  return Number.NaN;
}

/** A raw value as a category for a string tensor ({@link MISSING_CATEGORY} = missing). */
export function toCategory(v: unknown): string {
  if (v === null || v === undefined) return MISSING_CATEGORY;
  if (typeof v === 'number' && Number.isNaN(v)) return MISSING_CATEGORY;
  return String(v);
}
