import { layoutFeatures, modelInputLayout } from '@strata/shared/util-model-evaluation';
import type { OnnxModelInfo } from './onnx-metadata';

/**
 * The columns a model's inputs take, for the OIP model metadata's `properties` (Open Inference
 * Protocol REST spec, `metadata_model_response.properties`: an optional object of string values;
 * `metadata_tensor` has no room for them). Keys:
 * - `strata.feature_names`: JSON array of every feature, in signature order (the concatenation of
 *   the inputs' columns);
 * - `strata.input.<input>.columns`: JSON array of the columns of input `<input>`, in order (e.g.
 *   `input` of shape `[-1, 2]` → `["person_profile__age","person_profile__hours_per_week"]`).
 * Undefined when the model cannot be fed from named features (its metadata does not say which
 * feature goes where; raw OIP inference only).
 */
export function oipModelProperties(info: OnnxModelInfo): Record<string, string> | undefined {
  let layout;
  try {
    layout = modelInputLayout(info.inputs, info.metadata);
  } catch {
    return undefined;
  }
  const properties: Record<string, string> = { 'strata.feature_names': JSON.stringify(layoutFeatures(layout)) };
  for (const b of layout) properties[`strata.input.${b.name}.columns`] = JSON.stringify(b.features);
  return properties;
}
