import { InvalidArgumentError } from '@strata/shared/util-errors';
import { onnx } from 'onnx-proto';
import type { LogisticRegressionModel } from './logistic-regression';
import { ONNX_METADATA_KEYS } from './onnx-export';

/**
 * Tensor data types named as in the Open Inference Protocol v2 (KServe/Triton), plus
 * `UNSUPPORTED` for non-tensor ONNX values (sequences/maps such as sklearn-onnx's ZipMap).
 */
export type OipDatatype =
  | 'BOOL' | 'UINT8' | 'UINT16' | 'UINT32' | 'UINT64' | 'INT8' | 'INT16' | 'INT32' | 'INT64'
  | 'FP16' | 'FP32' | 'FP64' | 'BYTES' | 'BF16' | 'UNSUPPORTED';

/** One input or output tensor: OIP v2 metadata (`/v2/models/{name}` `inputs[]`/`outputs[]`). */
export interface TensorSignature {
  name: string;
  datatype: OipDatatype;
  /** Dimensions; -1 for a dynamic dimension (e.g. the batch dim `N`). */
  shape: number[];
}

/** A model's I/O signature and metadata. JSON-serializable. */
export interface ModelSignature {
  inputs: TensorSignature[];
  outputs: TensorSignature[];
  /** ONNX metadata_props as a plain map (e.g. `strata.feature_names`). */
  metadata: Record<string, string>;
}

const DATATYPE_BY_ONNX: Record<number, OipDatatype> = {
  1: 'FP32', 2: 'UINT8', 3: 'INT8', 4: 'UINT16', 5: 'INT16', 6: 'INT32', 7: 'INT64', 8: 'BYTES',
  9: 'BOOL', 10: 'FP16', 11: 'FP64', 12: 'UINT32', 13: 'UINT64', 16: 'BF16',
};

function toLong(v: unknown): number {
  if (typeof v === 'number') return v;
  if (v && typeof v === 'object' && 'toNumber' in v) return (v as { toNumber(): number }).toNumber();
  return Number(v);
}

function tensorSignature(vi: onnx.IValueInfoProto): TensorSignature {
  const t = vi.type?.tensorType;
  if (!t) return { name: vi.name ?? '', datatype: 'UNSUPPORTED', shape: [] };
  const dims = t.shape?.dim ?? [];
  return {
    name: vi.name ?? '',
    datatype: DATATYPE_BY_ONNX[t.elemType ?? 0] ?? 'UNSUPPORTED',
    shape: dims.map((d) => (d.dimValue !== null && d.dimValue !== undefined && !d.dimParam ? toLong(d.dimValue) : -1)),
  };
}

/**
 * Reads the OIP v2 signature of any ONNX model: graph inputs that are not initializers, graph
 * outputs, ONNX element types mapped to OIP datatypes (FLOAT→FP32, INT64→INT64, DOUBLE→FP64,
 * STRING→BYTES, BOOL→BOOL, …), dynamic or symbolic dims as -1, and metadata_props.
 *
 * @param bytes a serialized ModelProto.
 * @throws InvalidArgumentError Thrown when the bytes do not decode as an ONNX ModelProto with a graph.
 */
export function onnxSignature(bytes: Uint8Array): ModelSignature {
  let model: onnx.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (err) {
    throw new InvalidArgumentError('Bytes are not an ONNX ModelProto', { cause: err });
  }
  const graph = model.graph;
  if (!graph) throw new InvalidArgumentError('ONNX model has no graph');
  const initializers = new Set((graph.initializer ?? []).map((t) => t.name));
  const metadata: Record<string, string> = {};
  for (const e of model.metadataProps ?? []) metadata[e.key ?? ''] = e.value ?? '';
  return {
    inputs: (graph.input ?? []).filter((i) => !initializers.has(i.name ?? '')).map(tensorSignature),
    outputs: (graph.output ?? []).map(tensorSignature),
    metadata,
  };
}

/**
 * The signature {@link exportLogisticRegressionToOnnx} produces for `model`, without exporting:
 * input `{ name: inputName, datatype: 'FP32', shape: [-1, F] }`, outputs
 * `probability` FP32 `[-1, 1]` and, with `includeLabel`, `label` INT64 `[-1]`; metadata holds
 * only the `strata.*` keys.
 */
export function logisticRegressionSignature(
  model: LogisticRegressionModel,
  options: { inputName?: string; includeLabel?: boolean; threshold?: number; featureRefs?: readonly string[] } = {},
): ModelSignature {
  const inputName = options.inputName ?? 'input';
  const outputs: TensorSignature[] = [{ name: 'probability', datatype: 'FP32', shape: [-1, 1] }];
  if (options.includeLabel) outputs.push({ name: 'label', datatype: 'INT64', shape: [-1] });
  const metadata: Record<string, string> = {
    [ONNX_METADATA_KEYS.featureNames]: JSON.stringify(model.featureNames),
    [ONNX_METADATA_KEYS.modelType]: model.type,
    [ONNX_METADATA_KEYS.inputName]: inputName,
    [ONNX_METADATA_KEYS.outputNames]: JSON.stringify(outputs.map((o) => o.name)),
    [ONNX_METADATA_KEYS.missingValue]: 'NaN',
  };
  if (options.includeLabel) metadata[ONNX_METADATA_KEYS.threshold] = String(options.threshold ?? 0.5);
  if (options.featureRefs !== undefined) metadata[ONNX_METADATA_KEYS.featureRefs] = JSON.stringify(options.featureRefs);
  return {
    inputs: [{ name: inputName, datatype: 'FP32', shape: [-1, model.featureNames.length] }],
    outputs,
    metadata,
  };
}
