import { InvalidArgumentError } from '@strata/shared/util-errors';
import { elementCount, flattenTensorData, toTensorBuffer, validateInferenceRequest } from './oip-validation';
import { InferRequestSchema } from '@strata/contracts/api';
import { type TensorMetadata } from './oip.types';

const model = {
  inputs: [{ name: 'input', datatype: 'FP32', shape: [-1, 3] }] as TensorMetadata[],
  outputs: [
    { name: 'probability', datatype: 'FP32', shape: [-1, 1] },
    { name: 'label', datatype: 'INT64', shape: [-1] },
  ] as TensorMetadata[],
};

function expectInvalid(fn: () => unknown, message: RegExp): void {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(InvalidArgumentError);
  expect((caught as Error).message).toMatch(message);
}

describe('validateInferenceRequest', () => {
  it('accepts flat data and returns a Float32Array with the shape', () => {
    const { inputs, outputNames } = validateInferenceRequest(
      { inputs: [{ name: 'input', datatype: 'FP32', shape: [2, 3], data: [1, 2, 3, 4, 5, 6.5] }] },
      model,
    );
    expect(inputs).toHaveLength(1);
    expect(inputs[0]!.shape).toEqual([2, 3]);
    expect(inputs[0]!.data).toBeInstanceOf(Float32Array);
    expect(Array.from(inputs[0]!.data as Float32Array)).toEqual([1, 2, 3, 4, 5, 6.5]);
    expect(outputNames).toEqual(['probability', 'label']);
  });

  it('accepts nested data that follows the shape, flattening row-major', () => {
    const { inputs } = validateInferenceRequest(
      { inputs: [{ name: 'input', datatype: 'FP32', shape: [2, 3], data: [[1, 2, 3], [4, 5, 6]] }] },
      model,
    );
    expect(Array.from(inputs[0]!.data as Float32Array)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('honours requested outputs, in request order', () => {
    const { outputNames } = validateInferenceRequest(
      { inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 3], data: [1, 2, 3] }], outputs: [{ name: 'label' }] },
      model,
    );
    expect(outputNames).toEqual(['label']);
  });

  const bad: Array<[string, unknown, RegExp]> = [
    ['element count below the shape', { inputs: [{ name: 'input', datatype: 'FP32', shape: [2, 3], data: [1, 2, 3, 4, 5] }] }, /Input 'input': shape \[2, 3\] needs 6 elements, data has 5/],
    ['element count above the shape', { inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 3], data: [1, 2, 3, 4] }] }, /Input 'input': shape \[1, 3\] needs 3 elements, data has 4/],
    ['wrong datatype for the model input', { inputs: [{ name: 'input', datatype: 'FP64', shape: [1, 3], data: [1, 2, 3] }] }, /Input 'input': datatype FP64 does not match the model input's datatype FP32/],
    ['unknown datatype', { inputs: [{ name: 'input', datatype: 'FLOAT', shape: [1, 3], data: [1, 2, 3] }] }, /Input 'input': unknown datatype 'FLOAT'/],
    ['fixed dimension mismatch', { inputs: [{ name: 'input', datatype: 'FP32', shape: [3, 2], data: [1, 2, 3, 4, 5, 6] }] }, /Input 'input': shape \[3, 2\] does not match the model's \[-1, 3\] at dimension 1/],
    ['rank mismatch', { inputs: [{ name: 'input', datatype: 'FP32', shape: [3], data: [1, 2, 3] }] }, /Input 'input': shape \[3\] has rank 1/],
    ['nested data disagreeing with the shape', { inputs: [{ name: 'input', datatype: 'FP32', shape: [2, 3], data: [[1, 2], [3, 4], [5, 6]] }] }, /Input 'input': data has 3 elements, shape \[2, 3\] expects 2 at dimension 0/],
    ['ragged nested data', { inputs: [{ name: 'input', datatype: 'FP32', shape: [2, 3], data: [[1, 2, 3], [4, 5]] }] }, /Input 'input': data\[1\] has 2 elements/],
    ['a string in FP32 data', { inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 3], data: [1, '2', 3] }] }, /Input 'input': element 1 is "2", expected a number \(or "NaN", "Infinity", "-Infinity"\) for datatype FP32/],
    ['unknown input name', { inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 3], data: [1, 2, 3] }] }, /Unexpected input 'x': the model's inputs are 'input'/],
    ['duplicate input', { inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 3], data: [1, 2, 3] }, { name: 'input', datatype: 'FP32', shape: [1, 3], data: [1, 2, 3] }] }, /Input 'input' is given more than once/],
    ['unknown requested output', { inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 3], data: [1, 2, 3] }], outputs: [{ name: 'logits' }] }, /Unknown output 'logits'/],
  ];
  it.each(bad)('rejects %s with a 400 naming the tensor', (_what, body, message) => {
    expectInvalid(() => validateInferenceRequest(InferRequestSchema.parse(body), model), message);
  });

  it('rejects a request missing a model input', () => {
    const two = { inputs: [...model.inputs, { name: 'mask', datatype: 'BOOL', shape: [-1] }] as TensorMetadata[], outputs: model.outputs };
    expectInvalid(() => validateInferenceRequest({ inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 3], data: [1, 2, 3] }] }, two), /Missing input 'mask'/);
  });

  it('rejects malformed bodies at the schema (negative dims, missing inputs)', () => {
    expect(InferRequestSchema.safeParse({ inputs: [] }).success).toBe(false);
    expect(InferRequestSchema.safeParse({ inputs: [{ name: 'input', datatype: 'FP32', shape: [-1, 3], data: [] }] }).success).toBe(false);
    expect(InferRequestSchema.safeParse({ inputs: [{ name: 'input', datatype: 'FP32', shape: [1], data: [null] }] }).success).toBe(false);
  });
});

describe('toTensorBuffer', () => {
  it('converts every supported datatype exactly', () => {
    expect(Array.from(toTensorBuffer('t', 'FP64', [0.1, -2]) as Float64Array)).toEqual([0.1, -2]);
    expect(toTensorBuffer('t', 'FP32', [0.1])).toEqual(new Float32Array([0.1]));
    expect(Array.from(toTensorBuffer('t', 'INT32', [-5, 7]) as Int32Array)).toEqual([-5, 7]);
    expect(Array.from(toTensorBuffer('t', 'INT64', [2 ** 40, -3]) as BigInt64Array)).toEqual([BigInt(2 ** 40), -3n]);
    expect(Array.from(toTensorBuffer('t', 'BOOL', [true, false]) as Uint8Array)).toEqual([1, 0]);
    expect(toTensorBuffer('t', 'BYTES', ['a', ''])).toEqual(['a', '']);
    expect(Array.from(toTensorBuffer('t', 'UINT8', [0, 255]) as Uint8Array)).toEqual([0, 255]);
  });

  const bad: Array<[string, Parameters<typeof toTensorBuffer>[1], Array<number | string | boolean>, RegExp]> = [
    ['a fraction for INT32', 'INT32', [1.5], /element 0 is 1.5, expected an integer in \[-2147483648, 2147483647\] for datatype INT32/],
    ['an out-of-range INT32', 'INT32', [2 ** 31], /element 0 is 2147483648/],
    ['an unsafe INT64', 'INT64', [2 ** 60], /expected an integer .* for datatype INT64/],
    ['a number for BOOL', 'BOOL', [1], /element 0 is 1, expected a boolean for datatype BOOL/],
    ['a number for BYTES', 'BYTES', ['a', 3], /element 1 is 3, expected a string for datatype BYTES/],
    ['a boolean for FP64', 'FP64', [true], /element 0 is true, expected a number \(or "NaN", "Infinity", "-Infinity"\) for datatype FP64/],
    ['a negative UINT8', 'UINT8', [-1], /expected an integer in \[0, 255\]/],
    ['FP16 (unsupported)', 'FP16', [1], /FP16 is not supported/],
  ];
  it.each(bad)('rejects %s', (_what, datatype, values, message) => {
    expectInvalid(() => toTensorBuffer('t', datatype, values), message);
  });
});

describe('flattenTensorData / elementCount', () => {
  it('flattens three-level nesting and counts elements', () => {
    expect(flattenTensorData('t', [[[1, 2], [3, 4]], [[5, 6], [7, 8]]], [2, 2, 2])).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(elementCount([2, 2, 2])).toBe(8);
    expect(elementCount([])).toBe(1);
    expect(elementCount([0, 3])).toBe(0);
  });

  it('rejects nesting deeper than the shape', () => {
    expectInvalid(() => flattenTensorData('t', [[[1]], [[2]]], [2, 1]), /nested deeper than shape \[2, 1\]/);
  });
});

describe('NaN strings in floating-point tensors', () => {
  it('reads "NaN", "Infinity" and "-Infinity" as the IEEE values (JSON cannot carry them)', () => {
    const out = toTensorBuffer('input', 'FP32', [1.5, 'NaN', 'Infinity', '-Infinity']) as Float32Array;
    expect(Array.from(out)).toEqual([1.5, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]);
  });
  it('still rejects other strings', () => {
    expect(() => toTensorBuffer('input', 'FP64', ['nan'])).toThrow(/element 0 is "nan"/);
  });
});
