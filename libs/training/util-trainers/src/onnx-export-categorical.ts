import { InvalidArgumentError } from '@strata/shared/util-errors';
import { onnx } from 'onnx-proto';
import type { CategoricalLogisticRegressionModel } from './categorical';
import { exportLogisticRegressionToOnnx, ONNX_METADATA_KEYS, type OnnxExportOptions } from './onnx-export';

/** Version of the `ai.onnx.ml` operator set imported by {@link exportCategoricalLogisticRegressionToOnnx} (OneHotEncoder-1). */
export const ONNX_ML_OPSET = 1;

/** Extra `metadata_props` keys of a model with categorical inputs. */
export const ONNX_CATEGORICAL_METADATA_KEYS = {
  /** JSON `[{name, datatype: FP32|BYTES, features}]`: which raw features each graph input carries. */
  inputs: 'strata.inputs',
  /** JSON `{ feature: [category, ...] }`: the categories that have a one-hot column, per feature. */
  categories: 'strata.categories',
  /** How a category without a column (unseen, rare, or beyond maxCategories) is encoded. */
  unknownCategory: 'strata.unknown_category',
  /** JSON array of the linear model's columns: numeric features then `feature=category`. */
  encodedFeatureNames: 'strata.encoded_feature_names',
} as const;

/** Name of the internal tensor holding the encoded rows (the linear model's input). */
const ENCODED = 'strata_encoded';
/** Names the base graph uses internally; a categorical feature may not be called so. */
const RESERVED = new Set([
  ENCODED, 'input', 'is_missing', 'imputed', 'centered', 'standardized', 'linear', 'logit', 'probability', 'label',
  'impute_values', 'means', 'scales', 'coefficients', 'intercept', 'threshold', 'label_shape', 'is_positive', 'label_2d',
]);

const STRING = onnx.TensorProto.DataType.STRING;
const FLOAT = onnx.TensorProto.DataType.FLOAT;
const INT64 = onnx.TensorProto.DataType.INT64;

function valueInfo(name: string, elemType: number, dims: Array<number | string>): onnx.IValueInfoProto {
  return { name, type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) } } } };
}

/**
 * Exports a {@link CategoricalLogisticRegressionModel} as ONNX (IR 8, opsets: default 13 and
 * `ai.onnx.ml` 1) that takes RAW categories, so serving feeds strings as they come:
 *
 * - input `input` float32 `[N, numericFeatures]` (only when there are numeric features; NaN = missing),
 * - one input per categorical feature, named as the feature, string `[N, 1]` (missing = `""`),
 *
 *   onehotⱼ   = Cast<float>(Reshape(ai.onnx.ml.OneHotEncoder(catⱼ; cats_strings, zeros=1), [-1, Kⱼ]))
 *   encoded   = Concat(axis=1)(input, onehot₁, …)                     [N, numeric + ΣKⱼ]
 *   probability = the graph of {@link exportLogisticRegressionToOnnx} over `encoded`.
 *
 * A category that has no column (unseen in training, rarer than `minFrequency`, beyond
 * `maxCategories`) encodes as all zeros (OneHotEncoder `zeros=1`), as scikit-learn's
 * `handle_unknown='ignore'`. metadata_props: `strata.feature_names` = numeric then categorical
 * features (the raw features), `strata.feature_refs` (when given, one per raw feature; `strata.request_fields` with them),
 * `strata.inputs`, `strata.categories`, `strata.unknown_category` = `zeros`,
 * `strata.encoded_feature_names`, plus the keys of the base export.
 *
 * Without categorical features this is exactly {@link exportLogisticRegressionToOnnx} of `model.linear`.
 * @throws InvalidArgumentError as the base export, when a categorical feature's name is reserved,
 *   or `featureRefs` does not have one `view:feature` per raw feature.
 */
export function exportCategoricalLogisticRegressionToOnnx(model: CategoricalLogisticRegressionModel, options: OnnxExportOptions = {}): Uint8Array {
  const encodings = model.encodings.filter((e) => e.categories.length > 0);
  if (encodings.length === 0) return exportLogisticRegressionToOnnx(model.linear, options);
  const rawFeatures = [...model.numericFeatures, ...encodings.map((e) => e.feature)];
  for (const e of encodings) {
    if (RESERVED.has(e.feature) || e.feature.startsWith('strata_')) throw new InvalidArgumentError(`Categorical feature name '${e.feature}' is reserved in the exported graph`);
  }
  if (options.featureRefs !== undefined && (options.featureRefs.length !== rawFeatures.length || !options.featureRefs.every((r) => /^[^:]+:[^:]+$/.test(r)))) {
    throw new InvalidArgumentError(`featureRefs must be ${rawFeatures.length} 'view:feature' references (one per raw feature), got ${JSON.stringify(options.featureRefs)}`);
  }
  const { featureRefs, requestFields, inputName, ...rest } = options;
  const numericInput = inputName ?? 'input';
  const base = onnx.ModelProto.decode(exportLogisticRegressionToOnnx(model.linear, { ...rest, inputName: ENCODED }));
  const graph = base.graph;
  if (!graph) throw new InvalidArgumentError('Base export has no graph');

  const nodes: onnx.INodeProto[] = [];
  const initializer: onnx.ITensorProto[] = [];
  const concatInputs: string[] = model.numericFeatures.length > 0 ? [numericInput] : [];
  encodings.forEach((e, j) => {
    const p = `strata_onehot_${j}`;
    nodes.push(
      {
        opType: 'OneHotEncoder', domain: 'ai.onnx.ml', name: p, input: [e.feature], output: [`${p}_3d`],
        attribute: [
          { name: 'cats_strings', type: onnx.AttributeProto.AttributeType.STRINGS, strings: e.categories.map((c) => Buffer.from(c, 'utf8')) },
          { name: 'zeros', type: onnx.AttributeProto.AttributeType.INT, i: 1 },
        ],
      },
      { opType: 'Reshape', domain: '', name: `${p}_reshape`, input: [`${p}_3d`, `${p}_shape`], output: [`${p}_2d`] },
      { opType: 'Cast', domain: '', name: `${p}_cast`, input: [`${p}_2d`], output: [`${p}_f`], attribute: [{ name: 'to', type: onnx.AttributeProto.AttributeType.INT, i: FLOAT }] },
    );
    initializer.push({ name: `${p}_shape`, dataType: INT64, dims: [2], int64Data: [-1, e.categories.length] });
    concatInputs.push(`${p}_f`);
  });
  nodes.push({ opType: 'Concat', domain: '', name: 'strata_concat', input: concatInputs, output: [ENCODED], attribute: [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 1 }] });

  graph.node = [...nodes, ...(graph.node ?? [])];
  graph.initializer = [...initializer, ...(graph.initializer ?? [])];
  graph.input = [
    ...(model.numericFeatures.length > 0 ? [valueInfo(numericInput, FLOAT, ['N', model.numericFeatures.length])] : []),
    ...encodings.map((e) => valueInfo(e.feature, STRING, ['N', 1])),
  ];
  base.opsetImport = [...(base.opsetImport ?? []), { domain: 'ai.onnx.ml', version: ONNX_ML_OPSET }];

  const metadata = new Map((base.metadataProps ?? []).map((m) => [m.key ?? '', m.value ?? '']));
  metadata.set(ONNX_METADATA_KEYS.featureNames, JSON.stringify(rawFeatures));
  metadata.delete(ONNX_METADATA_KEYS.inputName); // several inputs: see strata.inputs
  if (featureRefs !== undefined) {
    metadata.set(ONNX_METADATA_KEYS.featureRefs, JSON.stringify(featureRefs));
    if (requestFields !== undefined) metadata.set(ONNX_METADATA_KEYS.requestFields, JSON.stringify(requestFields.map((f) => ({ name: f.name, dtype: f.dtype }))));
  }
  metadata.set(
    ONNX_CATEGORICAL_METADATA_KEYS.inputs,
    JSON.stringify([
      ...(model.numericFeatures.length > 0 ? [{ name: numericInput, datatype: 'FP32', features: model.numericFeatures }] : []),
      ...encodings.map((e) => ({ name: e.feature, datatype: 'BYTES', features: [e.feature] })),
    ]),
  );
  metadata.set(ONNX_CATEGORICAL_METADATA_KEYS.categories, JSON.stringify(Object.fromEntries(encodings.map((e) => [e.feature, e.categories]))));
  metadata.set(ONNX_CATEGORICAL_METADATA_KEYS.unknownCategory, 'zeros');
  metadata.set(ONNX_CATEGORICAL_METADATA_KEYS.encodedFeatureNames, JSON.stringify(model.linear.featureNames));
  base.metadataProps = [...metadata.entries()].map(([key, value]) => ({ key, value }));
  return onnx.ModelProto.encode(base).finish();
}
