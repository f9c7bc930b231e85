import { InvalidArgumentError } from '@strata/shared/util-errors';
import { onnx } from 'onnx-proto';
import type { LogisticRegressionModel } from './logistic-regression';

/** ONNX opset of the default domain used by the exported graphs. */
export const ONNX_OPSET = 13;
/** ONNX IR version written into exported models. */
export const ONNX_IR_VERSION = 8;

/** Reserved `metadata_props` keys written by {@link exportLogisticRegressionToOnnx}. */
export const ONNX_METADATA_KEYS = {
  /** JSON array of feature names: the column order of the input tensor. */
  featureNames: 'strata.feature_names',
  /** JSON array of feature references `view:feature`, one per input column (when the trainer knows them). */
  featureRefs: 'strata.feature_refs',
  /** Model family, e.g. `logistic_regression`. */
  modelType: 'strata.model_type',
  /** Name of the single input tensor. */
  inputName: 'strata.input_name',
  /** JSON array of output tensor names. */
  outputNames: 'strata.output_names',
  /** How a missing value is encoded in the input: always `NaN`. */
  missingValue: 'strata.missing_value',
  /** Decision threshold of the `label` output (only when it is exported). */
  threshold: 'strata.threshold',
  /** JSON `[{name, dtype}]`: the request fields of the model's on-demand views when it was trained (when the trainer knows them). */
  requestFields: 'strata.request_fields',
} as const;

/** Options of {@link exportLogisticRegressionToOnnx}. */
export interface OnnxExportOptions {
  /** Name of the float32 `[N, F]` input tensor. Default `input`. */
  inputName?: string;
  /** ModelProto.producer_name. Default `strata`. */
  producerName?: string;
  /** ModelProto.producer_version. Default `0.1.0`. */
  producerVersion?: string;
  /** ModelProto.model_version, a non-negative integer. Default 1. */
  modelVersion?: number;
  /** ModelProto.doc_string. */
  docString?: string;
  /** Extra metadata_props; keys starting with `strata.` are reserved and rejected. */
  metadata?: Record<string, string>;
  /**
   * Feature reference (`view:feature`) of each input column, in column order: written as
   * `strata.feature_refs` (serving's `/predict` fetches exactly these). Must have one per feature.
   */
  featureRefs?: readonly string[];
  /**
   * Request fields the model's on-demand views take (`{name, dtype}` as the feature repo defines
   * them at training): written as `strata.request_fields`, so serving checks `/predict` requests
   * against what the model was trained with. Only with `featureRefs`.
   */
  requestFields?: ReadonlyArray<{ name: string; dtype: string }>;
  /** Also output `label` int64 `[N]` = 1 iff probability ≥ `threshold`. Default false. */
  includeLabel?: boolean;
  /** Threshold of the `label` output, in [0, 1]. Default 0.5. */
  threshold?: number;
  /** GraphProto.name. Default `strata_logistic_regression`. */
  graphName?: string;
}

const FLOAT = onnx.TensorProto.DataType.FLOAT;
const INT64 = onnx.TensorProto.DataType.INT64;

function floatTensor(name: string, dims: number[], values: ArrayLike<number>): onnx.ITensorProto {
  return { name, dataType: FLOAT, dims, floatData: Array.from(values) };
}

function node(opType: string, inputs: string[], outputs: string[], name: string): onnx.INodeProto {
  return { opType, input: inputs, output: outputs, name, domain: '' };
}

function valueInfo(name: string, elemType: number, dims: Array<number | string>): onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) },
      },
    },
  };
}

/**
 * Exports a logistic regression as a self-contained ONNX model (IR 8, default-domain opset 13)
 * that onnxruntime runs directly. Graph, with x the float32 input `[N, F]` (N dynamic, dim
 * param `"N"`; columns in `model.featureNames` order):
 *
 *   imputed     = Where(IsNaN(x), imputeValues[F], x)      NaN means "missing"
 *   z           = Div(Sub(imputed, means[F]), scales[F])
 *   logit       = Add(MatMul(z, coefficients[F,1]), intercept[1])          [N, 1]
 *   probability = Sigmoid(logit)                                            float32 [N, 1]
 *   label       = Reshape(Cast<int64>(GreaterOrEqual(probability, t)), [-1])  int64 [N] (opt-in)
 *
 * i.e. exactly {@link predictProba} but in float32 (agreement within ~1e-6). ±Infinity inputs
 * are not missing and saturate the sigmoid. metadata_props carry the keys of
 * {@link ONNX_METADATA_KEYS} (feature names as a JSON array) plus `options.metadata`.
 *
 * @returns the serialized ModelProto bytes (write them as `model.onnx`).
 * @throws InvalidArgumentError Thrown when the model's arrays disagree in length or hold
 *   non-finite numbers, a scale is 0, `modelVersion`/`threshold` are out of range, or
 *   `metadata` uses a reserved `strata.` key.
 */
export function exportLogisticRegressionToOnnx(model: LogisticRegressionModel, options: OnnxExportOptions = {}): Uint8Array {
  const f = model.featureNames.length;
  const inputName = options.inputName ?? 'input';
  const threshold = options.threshold ?? 0.5;
  const modelVersion = options.modelVersion ?? 1;
  if (f === 0) throw new InvalidArgumentError('Model has no features');
  for (const [key, arr] of [
    ['means', model.means],
    ['scales', model.scales],
    ['imputeValues', model.imputeValues],
    ['coefficients', model.coefficients],
  ] as const) {
    if (arr.length !== f) throw new InvalidArgumentError(`Model ${key} has ${arr.length} values, expected ${f}`);
    if (!arr.every((v) => Number.isFinite(v))) throw new InvalidArgumentError(`Model ${key} holds a non-finite value`);
  }
  if (model.scales.some((s) => s === 0)) throw new InvalidArgumentError('Model scales hold a 0');
  if (!Number.isFinite(model.intercept)) throw new InvalidArgumentError('Model intercept is not finite');
  if (!(Number.isInteger(modelVersion) && modelVersion >= 0)) {
    throw new InvalidArgumentError(`modelVersion must be a non-negative integer, got ${modelVersion}`);
  }
  if (!(threshold >= 0 && threshold <= 1)) throw new InvalidArgumentError(`threshold must be in [0, 1], got ${threshold}`);
  if (inputName.length === 0) throw new InvalidArgumentError('inputName must not be empty');

  const nodes: onnx.INodeProto[] = [
    node('IsNaN', [inputName], ['is_missing'], 'is_missing'),
    node('Where', ['is_missing', 'impute_values', inputName], ['imputed'], 'impute'),
    node('Sub', ['imputed', 'means'], ['centered'], 'center'),
    node('Div', ['centered', 'scales'], ['standardized'], 'scale'),
    node('MatMul', ['standardized', 'coefficients'], ['linear'], 'linear'),
    node('Add', ['linear', 'intercept'], ['logit'], 'add_intercept'),
    node('Sigmoid', ['logit'], ['probability'], 'sigmoid'),
  ];
  const initializer: onnx.ITensorProto[] = [
    floatTensor('impute_values', [f], model.imputeValues),
    floatTensor('means', [f], model.means),
    floatTensor('scales', [f], model.scales),
    floatTensor('coefficients', [f, 1], model.coefficients),
    floatTensor('intercept', [1], [model.intercept]),
  ];
  const outputs: onnx.IValueInfoProto[] = [valueInfo('probability', FLOAT, ['N', 1])];
  if (options.includeLabel) {
    nodes.push(
      node('GreaterOrEqual', ['probability', 'threshold'], ['is_positive'], 'threshold'),
      node('Cast', ['is_positive'], ['label_2d'], 'to_int64'),
      node('Reshape', ['label_2d', 'label_shape'], ['label'], 'flatten_label'),
    );
    const cast = nodes[nodes.length - 2] as onnx.INodeProto;
    cast.attribute = [{ name: 'to', type: onnx.AttributeProto.AttributeType.INT, i: INT64 }];
    initializer.push(floatTensor('threshold', [], [threshold]), { name: 'label_shape', dataType: INT64, dims: [1], int64Data: [-1] });
    outputs.push(valueInfo('label', INT64, ['N']));
  }

  const metadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(options.metadata ?? {})) {
    if (k.startsWith('strata.')) throw new InvalidArgumentError(`metadata key '${k}' is reserved`);
    metadata[k] = String(v);
  }
  metadata[ONNX_METADATA_KEYS.featureNames] = JSON.stringify(model.featureNames);
  if (options.featureRefs !== undefined) {
    if (options.featureRefs.length !== model.featureNames.length || !options.featureRefs.every((r) => /^[^:]+:[^:]+$/.test(r))) {
      throw new InvalidArgumentError(`featureRefs must be ${model.featureNames.length} 'view:feature' references (one per feature), got ${JSON.stringify(options.featureRefs)}`);
    }
    metadata[ONNX_METADATA_KEYS.featureRefs] = JSON.stringify(options.featureRefs);
    if (options.requestFields !== undefined) metadata[ONNX_METADATA_KEYS.requestFields] = JSON.stringify(options.requestFields.map((f) => ({ name: f.name, dtype: f.dtype })));
  }
  metadata[ONNX_METADATA_KEYS.modelType] = model.type;
  metadata[ONNX_METADATA_KEYS.inputName] = inputName;
  metadata[ONNX_METADATA_KEYS.outputNames] = JSON.stringify(outputs.map((o) => o.name));
  metadata[ONNX_METADATA_KEYS.missingValue] = 'NaN';
  if (options.includeLabel) metadata[ONNX_METADATA_KEYS.threshold] = String(threshold);

  const proto = onnx.ModelProto.create({
    irVersion: ONNX_IR_VERSION,
    opsetImport: [{ domain: '', version: ONNX_OPSET }],
    producerName: options.producerName ?? 'strata',
    producerVersion: options.producerVersion ?? '0.1.0',
    modelVersion,
    docString: options.docString ?? '',
    metadataProps: Object.entries(metadata).map(([key, value]) => ({ key, value })),
    graph: {
      name: options.graphName ?? 'strata_logistic_regression',
      node: nodes,
      initializer,
      input: [valueInfo(inputName, FLOAT, ['N', f])],
      output: outputs,
    },
  });
  return onnx.ModelProto.encode(proto).finish();
}
