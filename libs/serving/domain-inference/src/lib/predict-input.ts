import { assembleModelInputs, layoutFeatures, modelInputLayout, type InputBinding } from '@strata/shared/util-model-evaluation';
import { InvalidArgumentError } from '@strata/shared/util-errors';
import type { FeatureStatus, OnlineValue } from './features.client';
import type { ValidatedTensor } from './oip-validation';
import type { OnnxModelInfo } from './onnx-metadata';

/** A feature value as `/predict` reports and logs it: a number, a category, or null (missing). */
export type FeatureValue = number | string | null;

/** The model inputs of one `/predict` row, and the features they were built from. */
export interface AssembledPredictRow {
  /** One tensor per model input, `[1, width]`, in the model's input order. */
  inputs: ValidatedTensor[];
  /** Raw features by the model's feature names (numbers for numeric inputs, strings for BYTES inputs; null = missing). */
  features: Record<string, FeatureValue>;
  featureStatuses: Record<string, FeatureStatus>;
}

/**
 * How `/predict` and batch scoring feed a model: its input layout (`strata.inputs`, one FP32/FP64
 * `[N, F]` matrix, or one input per feature; see `modelInputLayout`), whose features must be the
 * model's `strata.feature_names`.
 * @throws InvalidArgumentError naming the model when it cannot be fed from named features (use
 *   `/v2/models/{m}/infer`).
 */
export function predictLayout(info: OnnxModelInfo, what: string, inferPath: string): InputBinding[] {
  let layout: InputBinding[];
  try {
    layout = modelInputLayout(info.inputs, info.metadata, what);
  } catch (e) {
    throw new InvalidArgumentError(`${e instanceof Error ? e.message : String(e)}: use ${inferPath}`, { cause: e });
  }
  const names = info.featureNames ?? [];
  const fed = layoutFeatures(layout);
  const unnamed = fed.filter((f) => !names.includes(f));
  if (unnamed.length > 0) throw new InvalidArgumentError(`${what}: inputs take features ${unnamed.join(', ')} that are not in 'strata.feature_names'`);
  return layout;
}

function isNumeric(raw: unknown): number | null {
  const num = typeof raw === 'number' ? raw : typeof raw === 'boolean' ? Number(raw) : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
  return Number.isFinite(num) ? num : null;
}

/**
 * Builds the inputs of one row from online values: `columns` maps each model feature to its
 * `view:feature` reference; the online answer is keyed by `view__feature`. A value that is not
 * PRESENT is missing (NaN in a numeric input, `""` in a string input: the model imputes / treats
 * it as the missing category). Numeric inputs take numbers (booleans as 0/1, numeric strings
 * parsed); string inputs take the value's text.
 */
export function assemblePredictRow(layout: readonly InputBinding[], columns: ReadonlyArray<{ name: string; ref: string }>, online: ReadonlyMap<string, OnlineValue>): AssembledPredictRow {
  const refOf = new Map(columns.map((c) => [c.name, c.ref]));
  const stringFeatures = new Set(layout.filter((b) => b.datatype === 'BYTES').flatMap((b) => b.features));
  const features: Record<string, FeatureValue> = {};
  const featureStatuses: Record<string, FeatureStatus> = {};
  for (const c of columns) {
    const v = online.get((refOf.get(c.name) ?? c.name).replace(':', '__'));
    const status: FeatureStatus = v?.status ?? 'NOT_FOUND';
    const raw = status === 'PRESENT' ? v?.value : null;
    features[c.name] = stringFeatures.has(c.name) ? (raw === null || raw === undefined ? null : String(raw)) : isNumeric(raw);
    featureStatuses[c.name] = status;
  }
  const inputs = assembleModelInputs(layout, 1, (_row, f) => features[f]).map((t) => ({ name: t.name, datatype: t.datatype, shape: [...t.shape], data: t.data }));
  return { inputs, features, featureStatuses };
}
