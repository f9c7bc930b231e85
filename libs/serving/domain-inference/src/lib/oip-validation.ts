import { InvalidArgumentError } from '@strata/shared/util-errors';
import type { InferRequest } from '@strata/contracts/api';
import { OIP_DATATYPES, type OipDatatype, type TensorData, type TensorMetadata } from './oip.types';

/** Typed element buffer of one validated tensor, ready for onnxruntime. */
export type TensorBuffer = Float32Array | Float64Array | Int8Array | Int16Array | Int32Array | BigInt64Array | Uint8Array | Uint16Array | Uint32Array | BigUint64Array | string[];

/** A validated input tensor. */
export interface ValidatedTensor {
  name: string;
  datatype: OipDatatype;
  shape: number[];
  data: TensorBuffer;
}

const INT_RANGES: Partial<Record<OipDatatype, [number, number]>> = {
  INT8: [-128, 127],
  INT16: [-32768, 32767],
  INT32: [-2147483648, 2147483647],
  INT64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  UINT8: [0, 255],
  UINT16: [0, 65535],
  UINT32: [0, 4294967295],
  UINT64: [0, Number.MAX_SAFE_INTEGER],
};

/** Number of elements of a shape (product of dims; 1 for a scalar `[]`). */
export function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * Flattens OIP `data` in row-major order. Flat data (no nested arrays) is accepted for any
 * shape; nested data must follow the shape exactly (each level's length equals that dim).
 *
 * @throws InvalidArgumentError naming the tensor when the nesting disagrees with the shape.
 */
export function flattenTensorData(name: string, data: TensorData, shape: readonly number[]): Array<number | string | boolean> {
  const isNested = data.some((d) => Array.isArray(d));
  if (!isNested) return data as Array<number | string | boolean>;
  const out: Array<number | string | boolean> = [];
  const walk = (node: TensorData | number | string | boolean, depth: number, path: string): void => {
    if (depth === shape.length) {
      if (Array.isArray(node)) throw new InvalidArgumentError(`Input '${name}': data${path} is nested deeper than shape [${shape.join(', ')}]`);
      out.push(node);
      return;
    }
    if (!Array.isArray(node)) throw new InvalidArgumentError(`Input '${name}': data${path} is a scalar where shape [${shape.join(', ')}] expects an array of ${shape[depth]}`);
    if (node.length !== shape[depth]) {
      throw new InvalidArgumentError(`Input '${name}': data${path} has ${node.length} elements, shape [${shape.join(', ')}] expects ${shape[depth]} at dimension ${depth}`);
    }
    node.forEach((child, i) => walk(child, depth + 1, `${path}[${i}]`));
  };
  walk(data, 0, '');
  return out;
}

const NON_FINITE: Record<string, number> = { NaN: Number.NaN, Infinity: Number.POSITIVE_INFINITY, '-Infinity': Number.NEGATIVE_INFINITY };

/**
 * Converts flat JSON elements to the typed buffer of `datatype`, checking each element:
 * FP32/FP64 numbers (or the strings "NaN", "Infinity", "-Infinity"); FP16 refused; integer
 * types integers within range; BOOL booleans; BYTES strings.
 *
 * @throws InvalidArgumentError naming the tensor and the first bad element's index.
 */
export function toTensorBuffer(name: string, datatype: OipDatatype, values: ReadonlyArray<number | string | boolean>): TensorBuffer {
  const bad = (i: number, expected: string): never => {
    throw new InvalidArgumentError(`Input '${name}': element ${i} is ${JSON.stringify(values[i])}, expected ${expected} for datatype ${datatype}`);
  };
  const n = values.length;
  switch (datatype) {
    case 'BYTES': {
      const out: string[] = new Array<string>(n);
      for (let i = 0; i < n; i++) {
        const v = values[i];
        if (typeof v !== 'string') bad(i, 'a string');
        out[i] = v as string;
      }
      return out;
    }
    case 'BOOL': {
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) {
        const v = values[i];
        if (typeof v !== 'boolean') bad(i, 'a boolean');
        out[i] = v ? 1 : 0;
      }
      return out;
    }
    case 'FP16':
    case 'FP32':
    case 'FP64': {
      if (datatype === 'FP16') throw new InvalidArgumentError(`Input '${name}': datatype FP16 is not supported by this server`);
      const out = datatype === 'FP64' ? new Float64Array(n) : new Float32Array(n);
      for (let i = 0; i < n; i++) {
        const v = values[i];
        // JSON has no NaN/Infinity: like Python's json module, the strings "NaN", "Infinity"
        // and "-Infinity" stand for them (NaN = a missing feature for Strata's models).
        if (typeof v === 'string' && NON_FINITE[v] !== undefined) out[i] = NON_FINITE[v];
        else if (typeof v !== 'number') bad(i, 'a number (or "NaN", "Infinity", "-Infinity")');
        else out[i] = v;
      }
      return out;
    }
    default: {
      const range = INT_RANGES[datatype] as [number, number];
      const out =
        datatype === 'INT8' ? new Int8Array(n) : datatype === 'INT16' ? new Int16Array(n) : datatype === 'INT32' ? new Int32Array(n)
        : datatype === 'INT64' ? new BigInt64Array(n) : datatype === 'UINT8' ? new Uint8Array(n) : datatype === 'UINT16' ? new Uint16Array(n)
        : datatype === 'UINT32' ? new Uint32Array(n) : new BigUint64Array(n);
      for (let i = 0; i < n; i++) {
        const v = values[i];
        if (typeof v !== 'number' || !Number.isInteger(v) || v < range[0] || v > range[1]) bad(i, `an integer in [${range[0]}, ${range[1]}]`);
        if (out instanceof BigInt64Array || out instanceof BigUint64Array) out[i] = BigInt(v as number);
        else out[i] = v as number;
      }
      return out;
    }
  }
}

/**
 * Validates an OIP v2 inference request against a model's input/output metadata and returns
 * typed input tensors and the names of the outputs to return.
 *
 * Checks, each failure an InvalidArgumentError (HTTP 400) naming the tensor:
 * - every model input is given exactly once, no unknown input names;
 * - `datatype` is an OIP datatype and equals the model input's datatype;
 * - the shape has the model's rank and matches its fixed dimensions (-1 = any);
 * - the element count (flat, or nested following the shape) equals the product of the shape;
 * - each element fits the datatype (see {@link toTensorBuffer});
 * - requested `outputs` exist (default: all model outputs), without repetition.
 */
export function validateInferenceRequest(
  request: InferRequest,
  model: { inputs: readonly TensorMetadata[]; outputs: readonly TensorMetadata[] },
): { inputs: ValidatedTensor[]; outputNames: string[] } {
  const byName = new Map(model.inputs.map((i) => [i.name, i]));
  const seen = new Set<string>();
  const inputs: ValidatedTensor[] = [];
  for (const input of request.inputs) {
    const meta = byName.get(input.name);
    if (!meta) {
      throw new InvalidArgumentError(`Unexpected input '${input.name}': the model's inputs are ${model.inputs.map((i) => `'${i.name}'`).join(', ')}`);
    }
    if (seen.has(input.name)) throw new InvalidArgumentError(`Input '${input.name}' is given more than once`);
    seen.add(input.name);
    if (!(OIP_DATATYPES as readonly string[]).includes(input.datatype)) {
      throw new InvalidArgumentError(`Input '${input.name}': unknown datatype '${input.datatype}' (expected one of ${OIP_DATATYPES.join(', ')})`);
    }
    const datatype = input.datatype as OipDatatype;
    if (datatype !== meta.datatype) {
      throw new InvalidArgumentError(`Input '${input.name}': datatype ${datatype} does not match the model input's datatype ${meta.datatype}`);
    }
    if (input.shape.length !== meta.shape.length) {
      throw new InvalidArgumentError(`Input '${input.name}': shape [${input.shape.join(', ')}] has rank ${input.shape.length}, the model expects [${meta.shape.join(', ')}]`);
    }
    meta.shape.forEach((d, i) => {
      if (d >= 0 && input.shape[i] !== d) {
        throw new InvalidArgumentError(`Input '${input.name}': shape [${input.shape.join(', ')}] does not match the model's [${meta.shape.join(', ')}] at dimension ${i}`);
      }
    });
    const flat = flattenTensorData(input.name, input.data, input.shape);
    const expected = elementCount(input.shape);
    if (flat.length !== expected) {
      throw new InvalidArgumentError(`Input '${input.name}': shape [${input.shape.join(', ')}] needs ${expected} elements, data has ${flat.length}`);
    }
    inputs.push({ name: input.name, datatype, shape: [...input.shape], data: toTensorBuffer(input.name, datatype, flat) });
  }
  const missing = model.inputs.filter((i) => !seen.has(i.name)).map((i) => `'${i.name}'`);
  if (missing.length > 0) throw new InvalidArgumentError(`Missing input ${missing.join(', ')}`);
  let outputNames = model.outputs.map((o) => o.name);
  if (request.outputs && request.outputs.length > 0) {
    const known = new Set(outputNames);
    const requested: string[] = [];
    for (const o of request.outputs) {
      if (!known.has(o.name)) throw new InvalidArgumentError(`Unknown output '${o.name}': the model's outputs are ${outputNames.map((n) => `'${n}'`).join(', ')}`);
      if (requested.includes(o.name)) throw new InvalidArgumentError(`Output '${o.name}' is requested more than once`);
      requested.push(o.name);
    }
    outputNames = requested;
  }
  return { inputs, outputNames };
}
