import * as ort from 'onnxruntime-node';
import { assembleModelInputs, modelInputLayout, type InputBinding } from '@strata/shared/util-model-evaluation';
import { InvalidArgumentError } from '@strata/shared/util-errors';
import type { MixedTrainingData, ModelSignature } from '@strata/training/util-trainers';
import type { TrainingSlice } from './training-set-reader';

/**
 * Numeric and categorical (string) features of a training slice, for the built-in trainer, the
 * evaluation and the reference profile. A slice read from a numeric-only training set has no
 * categorical features and everything is as before categorical support.
 */

/** Rows scored per onnxruntime call. */
const SCORE_BATCH = 8192;

/** The slice as the categorical-aware trainer's input. */
export function mixedTrainingData(slice: TrainingSlice): MixedTrainingData {
  return {
    numericFeatures: slice.features,
    numericRows: slice.rows,
    categoricalFeatures: slice.categoricalFeatures,
    categoricalRows: slice.categoricalRows,
    labels: slice.labels,
  };
}

/** The model's raw features in its input order: numeric then categorical (as the exported ONNX `strata.feature_names`). */
export function modelFeatureOrder(slice: TrainingSlice): string[] {
  return [...slice.features, ...slice.categoricalFeatures];
}

/** Column-major values of every feature of the slice (numbers, or strings with null = missing), for `buildReferenceProfile`. */
export function sliceColumns(slice: TrainingSlice): Record<string, Float64Array | Array<string | null>> {
  const out: Record<string, Float64Array | Array<string | null>> = {};
  slice.features.forEach((f, j) => {
    const col = new Float64Array(slice.rows.length);
    for (let i = 0; i < slice.rows.length; i++) col[i] = slice.rows[i]![j]!;
    out[f] = col;
  });
  slice.categoricalFeatures.forEach((f, j) => {
    out[f] = slice.categoricalRows.map((r) => r[j] ?? null);
  });
  return out;
}

/** A getter of a slice's raw value by row and feature name. @throws InvalidArgumentError when the slice lacks a feature. */
function valueGetter(slice: TrainingSlice, layout: readonly InputBinding[]): (row: number, feature: string) => unknown {
  const numeric = new Map(slice.features.map((f, j) => [f, j]));
  const categorical = new Map(slice.categoricalFeatures.map((f, j) => [f, j]));
  for (const f of layout.flatMap((b) => b.features)) {
    if (!numeric.has(f) && !categorical.has(f)) throw new InvalidArgumentError(`The model takes feature '${f}', which the training set slice does not have`);
  }
  return (row, feature) => {
    const j = numeric.get(feature);
    if (j !== undefined) return slice.rows[row]![j];
    return slice.categoricalRows[row]![categorical.get(feature)!];
  };
}

/**
 * Scores a slice with an ONNX model: inputs assembled by the model's layout (`strata.inputs`,
 * one `[N, F]` matrix, or one input per feature: see `modelInputLayout`), output `probability`
 * (else the first output; `[N, 2]` → the second column). Returns P(y = 1) per row.
 */
export async function scoreSlice(session: ort.InferenceSession, signature: Pick<ModelSignature, 'inputs' | 'metadata'>, slice: TrainingSlice, features: readonly string[]): Promise<Float64Array> {
  const layout = modelInputLayout(signature.inputs, withFeatureNames(signature.metadata, features), 'Model artifact');
  const get = valueGetter(slice, layout);
  const n = slice.labels.length;
  const out = new Float64Array(n);
  const outputName = session.outputNames.includes('probability') ? 'probability' : (session.outputNames[0] ?? 'probability');
  for (let start = 0; start < n; start += SCORE_BATCH) {
    const end = Math.min(n, start + SCORE_BATCH);
    const feeds: Record<string, ort.Tensor> = {};
    for (const t of assembleModelInputs(layout, end - start, (i, f) => get(start + i, f))) {
      feeds[t.name] = t.datatype === 'BYTES' ? new ort.Tensor('string', t.data as string[], t.shape) : new ort.Tensor(t.datatype === 'FP64' ? 'float64' : 'float32', t.data as Float32Array, t.shape);
    }
    const result = await session.run(feeds, [outputName]);
    const probs = result[outputName]!.data as Float32Array;
    const per = probs.length / (end - start);
    for (let i = 0; i < end - start; i++) out[start + i] = probs[i * per + per - 1]!;
  }
  return out;
}

/** metadata_props, with `strata.feature_names` = `features` when the model names neither its features nor its inputs (an external trainer's plain `[N, F]` model). */
function withFeatureNames(metadata: Record<string, string>, features: readonly string[]): Record<string, string> {
  return metadata['strata.feature_names'] === undefined && metadata['strata.inputs'] === undefined ? { ...metadata, 'strata.feature_names': JSON.stringify(features) } : metadata;
}

/**
 * Checks an external trainer's model can be fed the chosen features: its input layout (see
 * `modelInputLayout`; a single FP32 `[N, F]` input without metadata is taken as all features in
 * order) must carry exactly `features`, the `categorical` ones in BYTES (string) inputs.
 * @returns null when it fits, else what is wrong.
 */
export function externalModelInputProblem(signature: Pick<ModelSignature, 'inputs' | 'metadata'>, features: readonly string[], categorical: readonly string[]): string | null {
  try {
    const layout = modelInputLayout(signature.inputs, withFeatureNames(signature.metadata, features), 'model.onnx');
    const fed = layout.flatMap((b) => b.features);
    const missing = fed.filter((f) => !features.includes(f));
    if (missing.length > 0) return `it takes features ${missing.join(', ')} that the training set does not have`;
    const unfed = features.filter((f) => !fed.includes(f));
    if (unfed.length > 0) return `it does not take features ${unfed.join(', ')}`;
    const numericStrings = layout.filter((b) => b.datatype !== 'BYTES').flatMap((b) => b.features.filter((f) => categorical.includes(f)));
    if (numericStrings.length > 0) return `it takes the string (categorical) features ${numericStrings.join(', ')} in a numeric input: give each a BYTES input (see strata.inputs)`;
    return null;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}
