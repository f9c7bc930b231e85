import { assembleModelInputs, metadataStringArray, modelInputLayout } from './model-inputs';

describe(modelInputLayout.name, () => {
  it('reads strata.inputs, a single [N, F] matrix, or one input per feature', () => {
    const inputs = [
      { name: 'input', datatype: 'FP32', shape: [-1, 2] },
      { name: 'workclass', datatype: 'BYTES', shape: [-1, 1] },
    ];
    const metadata = { 'strata.inputs': JSON.stringify([{ name: 'input', datatype: 'FP32', features: ['age', 'hours'] }, { name: 'workclass', datatype: 'BYTES', features: ['workclass'] }]) };
    expect(modelInputLayout(inputs, metadata)).toEqual([
      { name: 'input', datatype: 'FP32', features: ['age', 'hours'] },
      { name: 'workclass', datatype: 'BYTES', features: ['workclass'] },
    ]);
    expect(modelInputLayout([{ name: 'x', datatype: 'FP64', shape: [-1, 2] }], { 'strata.feature_names': '["a","b"]' })).toEqual([{ name: 'x', datatype: 'FP64', features: ['a', 'b'] }]);
    expect(modelInputLayout([{ name: 'b', datatype: 'BYTES', shape: [-1, 1] }, { name: 'a', datatype: 'FP32', shape: [-1] }], { 'strata.feature_names': '["a","b"]' })).toEqual([
      { name: 'a', datatype: 'FP32', features: ['a'] },
      { name: 'b', datatype: 'BYTES', features: ['b'] },
    ]);
  });

  it('names what does not fit', () => {
    const inputs = [{ name: 'input', datatype: 'FP32', shape: [-1, 2] }, { name: 'c', datatype: 'BYTES', shape: [-1, 1] }];
    expect(() => modelInputLayout(inputs, { 'strata.inputs': JSON.stringify([{ name: 'input', datatype: 'FP32', features: ['a', 'b'] }]) }, 'Model m@1')).toThrow('Model m@1: graph inputs c are not in \'strata.inputs\'');
    expect(() => modelInputLayout(inputs, { 'strata.inputs': JSON.stringify([{ name: 'input', datatype: 'FP32', features: ['a'] }, { name: 'c', datatype: 'BYTES', features: ['c'] }]) }, 'Model m@1')).toThrow("Model m@1: input 'input' has shape [-1,2], expected [N, 1]");
    expect(() => modelInputLayout(inputs, { 'strata.inputs': JSON.stringify([{ name: 'input', datatype: 'FP32', features: ['a', 'b'] }, { name: 'c', datatype: 'FP32', features: ['c'] }]) }, 'Model m@1')).toThrow("Model m@1: input 'c' is BYTES but 'strata.inputs' says FP32");
    expect(() => modelInputLayout([{ name: 'input', datatype: 'FP32', shape: [-1, 3] }], { 'strata.feature_names': '["a","b"]' }, 'Model m@1')).toThrow("Model m@1: input 'input' has 3 columns but 2 feature names");
    expect(() => modelInputLayout(inputs, {}, 'Model m@1')).toThrow("Model m@1 has no 'strata.feature_names' metadata");
    expect(() => modelInputLayout(inputs, { 'strata.inputs': '{}' }, 'Model m@1')).toThrow("Model m@1: ONNX metadata 'strata.inputs' must be a JSON array");
  });
});

describe(assembleModelInputs.name, () => {
  it('builds row-major tensors: numbers (missing → NaN), strings (missing → "")', () => {
    const rows = [
      { age: 39, hours: null, workclass: 'State-gov' },
      { age: '50', hours: true, workclass: null },
    ] as Array<Record<string, unknown>>;
    const [num, cat] = assembleModelInputs(
      [{ name: 'input', datatype: 'FP32', features: ['age', 'hours'] }, { name: 'workclass', datatype: 'BYTES', features: ['workclass'] }],
      2,
      (i, f) => rows[i]![f],
    );
    expect(num).toEqual({ name: 'input', datatype: 'FP32', shape: [2, 2], data: Float32Array.from([39, NaN, 50, 1]) });
    expect(cat).toEqual({ name: 'workclass', datatype: 'BYTES', shape: [2, 1], data: ['State-gov', ''] });
  });
});

describe(metadataStringArray.name, () => {
  it('reads a JSON array of strings, undefined when the key is absent', () => {
    expect(metadataStringArray({ 'strata.feature_names': '["a","b"]' }, 'strata.feature_names')).toEqual(['a', 'b']);
    expect(metadataStringArray({}, 'strata.feature_names')).toBeUndefined();
  });

  it('refuses anything else, naming where, the key and the value', () => {
    expect(() => metadataStringArray({ k: '[1,2]' }, 'k', "Model 'm' version 3")).toThrow("Model 'm' version 3: ONNX metadata 'k' must be a JSON array of strings, got [1,2]");
    expect(() => metadataStringArray({ k: 'not json' }, 'k')).toThrow(/^ONNX metadata 'k' must be a JSON array of strings, got not json$/);
  });
});
