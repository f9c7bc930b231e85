import { InvalidArgumentError } from '@strata/shared/util-errors';
import { FEATURE_NAMES_KEY, metadataStringArray } from '@strata/shared/util-model-evaluation';
import { onnx } from 'onnx-proto';
import type { OipDatatype, TensorMetadata } from './oip.types';

/** I/O signature and metadata_props of an ONNX model. */
export interface OnnxModelInfo {
  inputs: TensorMetadata[];
  outputs: TensorMetadata[];
  /** ONNX `metadata_props` (e.g. `strata.feature_names`). */
  metadata: Record<string, string>;
  /** Feature names of the model's single row input (`strata.feature_names`), when present. */
  featureNames: string[] | null;
}

const DATATYPE_BY_ONNX: Record<number, OipDatatype> = {
  1: 'FP32', 2: 'UINT8', 3: 'INT8', 4: 'UINT16', 5: 'INT16', 6: 'INT32', 7: 'INT64', 8: 'BYTES',
  9: 'BOOL', 10: 'FP16', 11: 'FP64', 12: 'UINT32', 13: 'UINT64',
};

function toNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (v && typeof v === 'object' && 'toNumber' in v) return (v as { toNumber(): number }).toNumber();
  return Number(v);
}

function tensorMetadata(vi: onnx.IValueInfoProto): TensorMetadata {
  const t = vi.type?.tensorType;
  if (!t) return { name: vi.name ?? '', datatype: 'UNSUPPORTED', shape: [] };
  return {
    name: vi.name ?? '',
    datatype: DATATYPE_BY_ONNX[t.elemType ?? 0] ?? 'UNSUPPORTED',
    shape: (t.shape?.dim ?? []).map((d) => (d.dimValue !== null && d.dimValue !== undefined && !d.dimParam ? toNumber(d.dimValue) : -1)),
  };
}

/**
 * Reads inputs (graph inputs that are not initializers), outputs (OIP datatypes, -1 for
 * dynamic dims) and metadata_props from serialized ONNX bytes.
 *
 * @throws InvalidArgumentError when the bytes are not an ONNX ModelProto with a graph, or
 *   `strata.feature_names` is present but not a JSON array of strings.
 */
export function readOnnxModelInfo(bytes: Uint8Array): OnnxModelInfo {
  let model: onnx.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (err) {
    throw new InvalidArgumentError('Artifact is not an ONNX ModelProto', { cause: err });
  }
  const graph = model.graph;
  if (!graph) throw new InvalidArgumentError('ONNX model has no graph');
  const initializers = new Set((graph.initializer ?? []).map((t) => t.name));
  const metadata: Record<string, string> = {};
  for (const e of model.metadataProps ?? []) metadata[e.key ?? ''] = e.value ?? '';
  const featureNames = metadataStringArray(metadata, FEATURE_NAMES_KEY) ?? null;
  return {
    inputs: (graph.input ?? []).filter((i) => !initializers.has(i.name ?? '')).map(tensorMetadata),
    outputs: (graph.output ?? []).map(tensorMetadata),
    metadata,
    featureNames,
  };
}
