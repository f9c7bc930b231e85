import { mapFeatureColumns } from './batch-scoring/batch-model-io';
import { inferRowFeatures } from './infer-row-features';
import { oipModelProperties } from './oip-model-properties';
import { assemblePredictRow, predictLayout } from './predict-input';
import { recordedPredictSignature } from './predict-signature';

const info = {
  inputs: [{ name: 'input', datatype: 'FP32' as const, shape: [-1, 2] }, { name: 'person__workclass', datatype: 'BYTES' as const, shape: [-1, 1] }],
  outputs: [{ name: 'probability', datatype: 'FP32' as const, shape: [-1, 1] }],
  metadata: {
    'strata.feature_names': '["person__age","applicant__log_gain","person__workclass"]',
    'strata.feature_refs': '["person:age","applicant:log_gain","person:workclass"]',
    'strata.request_fields': '[{"name":"capital_gain","dtype":"FLOAT64"}]',
    'strata.inputs': JSON.stringify([{ name: 'input', datatype: 'FP32', features: ['person__age', 'applicant__log_gain'] }, { name: 'person__workclass', datatype: 'BYTES', features: ['person__workclass'] }]),
  },
  featureNames: ['person__age', 'applicant__log_gain', 'person__workclass'],
};

describe('predict inputs of a model with a raw-category input', () => {
  it('uses the recorded refs and request fields, and assembles one tensor per input in signature order', () => {
    const sig = recordedPredictSignature({ name: 'adult', version: 2, metadata: info.metadata })!;
    expect(sig).toEqual({
      columns: [{ name: 'person__age', ref: 'person:age' }, { name: 'applicant__log_gain', ref: 'applicant:log_gain' }, { name: 'person__workclass', ref: 'person:workclass' }],
      requestFields: [{ name: 'capital_gain', dtype: 'FLOAT64' }],
      source: 'recorded',
    });
    const online = new Map([
      ['person__age', { value: 39, status: 'PRESENT' }],
      ['applicant__log_gain', { value: 7.685, status: 'PRESENT' }],
      ['person__workclass', { value: 'State-gov', status: 'PRESENT' }],
    ]);
    const row = assemblePredictRow(predictLayout(info, 'Model adult@2', '/v2/models/adult/infer'), sig.columns, online);
    expect(row.features).toEqual({ person__age: 39, applicant__log_gain: 7.685, person__workclass: 'State-gov' });
    expect(row.inputs).toEqual([
      { name: 'input', datatype: 'FP32', shape: [1, 2], data: Float32Array.from([39, 7.685]) },
      { name: 'person__workclass', datatype: 'BYTES', shape: [1, 1], data: ['State-gov'] },
    ]);
    // Not PRESENT → missing: NaN in the numeric input, '' (the missing category) in the string input.
    const missing = assemblePredictRow(predictLayout(info, 'Model adult@2', '/v2/models/adult/infer'), sig.columns, new Map([['person__workclass', { value: 'Private', status: 'OUTSIDE_AS_OF' }]]));
    expect(missing.features).toEqual({ person__age: null, applicant__log_gain: null, person__workclass: null });
    expect(missing.featureStatuses).toEqual({ person__age: 'NOT_FOUND', applicant__log_gain: 'NOT_FOUND', person__workclass: 'OUTSIDE_AS_OF' });
    expect(missing.inputs[1]!.data).toEqual(['']);
  });

  it('without recorded request fields the feature repo decides; a model that cannot be fed by name is a 400 naming /v2 inference', () => {
    const { ['strata.request_fields']: _omit, ...rest } = info.metadata;
    expect(recordedPredictSignature({ name: 'adult', version: 2, metadata: rest })).toBeUndefined();
    expect(() => predictLayout({ ...info, metadata: { 'strata.feature_names': info.metadata['strata.feature_names'] } }, 'Model adult@2', '/v2/models/adult/infer')).toThrow(
      /^Model adult@2 takes inputs .*: use \/v2\/models\/adult\/infer$/,
    );
  });

  it('batch scoring reads a categorical feature from a text column only', () => {
    const columns = [{ name: 'person__age', type: 'BIGINT' }, { name: 'person__workclass', type: 'VARCHAR' }, { name: 'n', type: 'INTEGER' }];
    expect(mapFeatureColumns(['person__age', 'person__workclass'], columns, new Set(['person__workclass']))).toEqual(['person__age', 'person__workclass']);
    expect(() => mapFeatureColumns(['person__workclass'], columns)).toThrow("column 'person__workclass' of feature 'person__workclass' is VARCHAR, not numeric");
    expect(() => mapFeatureColumns(['n'], columns, new Set(['n']))).toThrow("column 'n' of categorical feature 'n' is INTEGER, not text");
  });
});

describe(inferRowFeatures.name, () => {
  it('reads each row\'s features back from the OIP input tensors by the model\'s layout (monitored /v2 inference)', () => {
    const inputs = [
      { name: 'input', datatype: 'FP32' as const, shape: [2, 2], data: Float32Array.from([39, 7.5, NaN, 0]) },
      { name: 'person__workclass', datatype: 'BYTES' as const, shape: [2, 1], data: ['State-gov', ''] },
    ];
    expect(inferRowFeatures(info, inputs)).toEqual([
      { person__age: 39, applicant__log_gain: 7.5, person__workclass: 'State-gov' },
      { person__age: null, applicant__log_gain: 0, person__workclass: null },
    ]);
    expect(inferRowFeatures(info, [inputs[0]!])).toBeUndefined(); // a tensor of the layout is missing: not logged
    expect(inferRowFeatures({ ...info, featureNames: null }, inputs)).toBeUndefined();
  });
});

describe('OIP model metadata properties', () => {
  it("name each input's columns in signature order; undefined when the layout is unknown", () => {
    expect(oipModelProperties(info)).toEqual({
      'strata.feature_names': '["person__age","applicant__log_gain","person__workclass"]',
      'strata.input.input.columns': '["person__age","applicant__log_gain"]',
      'strata.input.person__workclass.columns': '["person__workclass"]',
    });
    const matrix = { ...info, inputs: [{ name: 'input', datatype: 'FP32' as const, shape: [-1, 2] }], metadata: { 'strata.feature_names': '["a","b"]' }, featureNames: ['a', 'b'] };
    expect(oipModelProperties(matrix)).toEqual({ 'strata.feature_names': '["a","b"]', 'strata.input.input.columns': '["a","b"]' });
    expect(oipModelProperties({ ...matrix, metadata: {} })).toBeUndefined();
  });
});
