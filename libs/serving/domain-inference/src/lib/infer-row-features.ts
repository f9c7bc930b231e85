import { modelInputLayout } from '@strata/shared/util-model-evaluation';
import type { ValidatedTensor } from './oip-validation';
import type { OnnxModelInfo } from './onnx-metadata';
import type { FeatureValue } from './predict-input';

/** The input layout of a model, computed once per loaded model (its info never changes); null when it has none. */
const layouts = new WeakMap<OnnxModelInfo, ReturnType<typeof modelInputLayout> | null>();
function layoutOf(info: OnnxModelInfo): ReturnType<typeof modelInputLayout> | null {
  let layout = layouts.get(info);
  if (layout === undefined) {
    try {
      layout = modelInputLayout(info.inputs, info.metadata);
    } catch {
      layout = null;
    }
    layouts.set(info, layout);
  }
  return layout;
}

/**
 * The features of each row of a monitored OIP inference request (`parameters.prediction_id`), by
 * the model's feature names, read back from its input tensors through the model's input layout
 * (`strata.inputs`, one `[N, F]` matrix, or one input per feature): numbers from numeric inputs
 * (non-finite → null), strings from string inputs (`""` → null, the missing category).
 * @returns one record per row, or undefined when the model has no feature names or the request's
 *   tensors do not follow its layout (the rows are then not logged).
 */
export function inferRowFeatures(info: OnnxModelInfo, inputs: readonly ValidatedTensor[]): Array<Record<string, FeatureValue>> | undefined {
  if (!info.featureNames || info.featureNames.length === 0) return undefined;
  const layout = layoutOf(info);
  if (!layout) return undefined;
  const rows = inputs[0]?.shape[0] ?? 0;
  const byName = new Map(inputs.map((t) => [t.name, t]));
  const out: Array<Record<string, FeatureValue>> = Array.from({ length: rows }, () => ({}));
  for (const b of layout) {
    const t = byName.get(b.name);
    const width = b.features.length;
    if (!t || t.shape[0] !== rows || t.data.length !== rows * width) return undefined;
    for (let r = 0; r < rows; r++) {
      b.features.forEach((f, j) => {
        const v = t.data[r * width + j];
        if (b.datatype === 'BYTES') out[r]![f] = typeof v === 'string' && v !== '' ? v : null;
        else {
          const n = Number(v);
          out[r]![f] = Number.isFinite(n) ? n : null;
        }
      });
    }
  }
  return out;
}
