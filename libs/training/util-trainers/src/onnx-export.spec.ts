/**
 * @jest-environment ../../../libs/shared/testing/src/onnxruntime-environment.cjs
 */
import * as ort from 'onnxruntime-node';
import { onnx } from 'onnx-proto';
import {
  exportLogisticRegressionToOnnx,
  logisticRegressionSignature,
  onnxSignature,
  predictProba,
  trainLogisticRegression,
} from './index';
import { syntheticTaxi } from './test-data';

describe('exportLogisticRegressionToOnnx', () => {
  const train = syntheticTaxi(5_000, 3, 0.1);
  const model = trainLogisticRegression(train);
  const test = syntheticTaxi(1_000, 99, 0.2);
  // a few rows that are entirely missing, and extreme values
  test.rows.push(new Array(10).fill(null), [0, 0, 0, 0, 0, 0, 0, 0, 0, 0], [100, 400, 6, 23, 6, 5000, 90, 1, 1, 1]);
  const f = train.features.length;
  const flat = Float32Array.from(test.rows.flat(), (v) => (v === null ? NaN : v));

  it('runs in onnxruntime and matches predictProba within 1e-5, NaN = missing', async () => {
    const bytes = exportLogisticRegressionToOnnx(model, { modelVersion: 3, metadata: { run_id: 'r-1' } });
    const session = await ort.InferenceSession.create(bytes);
    expect(session.inputNames).toEqual(['input']);
    expect(session.outputNames).toEqual(['probability']);
    const out = await session.run({ input: new ort.Tensor('float32', flat, [test.rows.length, f]) });
    const prob = out['probability']!;
    expect(prob.dims).toEqual([test.rows.length, 1]);
    // predictProba on the same float32-rounded inputs
    const rows32 = test.rows.map((r) => r.map((v) => (v === null ? null : Math.fround(v))));
    const expected = predictProba(model, rows32);
    const got = prob.data as Float32Array;
    let maxDiff = 0;
    for (let i = 0; i < expected.length; i++) maxDiff = Math.max(maxDiff, Math.abs(got[i]! - expected[i]!));
    expect(maxDiff).toBeLessThan(1e-5);
    await session.release();
  });

  it('optionally outputs an int64 label [N] with p >= threshold', async () => {
    const bytes = exportLogisticRegressionToOnnx(model, { includeLabel: true, threshold: 0.3, inputName: 'features' });
    const session = await ort.InferenceSession.create(bytes);
    expect(session.inputNames).toEqual(['features']);
    expect(session.outputNames).toEqual(['probability', 'label']);
    const out = await session.run({ features: new ort.Tensor('float32', flat, [test.rows.length, f]) });
    const prob = out['probability']!.data as Float32Array;
    const label = out['label']!;
    expect(label.type).toBe('int64');
    expect(label.dims).toEqual([test.rows.length]);
    const labels = label.data as BigInt64Array;
    for (let i = 0; i < prob.length; i++) expect(labels[i]).toBe(prob[i]! >= Math.fround(0.3) ? 1n : 0n);
    await session.release();
  });

  it('writes ir_version 8, opset 13 and the feature names into metadata_props', () => {
    const bytes = exportLogisticRegressionToOnnx(model, { producerName: 'strata-test', docString: 'taxi tips', metadata: { dataset: 'd@1' } });
    const proto = onnx.ModelProto.decode(bytes);
    expect(Number(proto.irVersion)).toBe(8);
    expect(proto.opsetImport.map((o) => [o.domain, Number(o.version)])).toEqual([['', 13]]);
    expect(proto.producerName).toBe('strata-test');
    expect(proto.docString).toBe('taxi tips');
    const sig = onnxSignature(bytes);
    expect(JSON.parse(sig.metadata['strata.feature_names']!)).toEqual(train.features);
    expect(sig.metadata['dataset']).toBe('d@1');
    expect(sig.inputs).toEqual([{ name: 'input', datatype: 'FP32', shape: [-1, 10] }]);
    expect(sig.outputs).toEqual([{ name: 'probability', datatype: 'FP32', shape: [-1, 1] }]);
  });

  it('logisticRegressionSignature matches what onnxSignature reads back', () => {
    const opts = { includeLabel: true, threshold: 0.4, inputName: 'x' };
    const sig = onnxSignature(exportLogisticRegressionToOnnx(model, opts));
    expect(logisticRegressionSignature(model, opts)).toEqual(sig);
    expect(sig.outputs[1]).toEqual({ name: 'label', datatype: 'INT64', shape: [-1] });
  });

  it('records one feature reference per input column as strata.feature_refs; refuses a count or shape that does not fit', () => {
    const featureRefs = train.features.map((f) => `v:${f}`);
    const sig = onnxSignature(exportLogisticRegressionToOnnx(model, { featureRefs }));
    expect(JSON.parse(sig.metadata['strata.feature_refs']!)).toEqual(featureRefs);
    expect(logisticRegressionSignature(model, { featureRefs })).toEqual(sig);
    expect(onnxSignature(exportLogisticRegressionToOnnx(model)).metadata['strata.feature_refs']).toBeUndefined();
    expect(() => exportLogisticRegressionToOnnx(model, { featureRefs: featureRefs.slice(1) })).toThrow(/featureRefs must be 10 'view:feature' references/);
    expect(() => exportLogisticRegressionToOnnx(model, { featureRefs: featureRefs.map((r) => r.replace(':', '')) })).toThrow(/featureRefs/);
  });

  it('rejects reserved metadata keys, bad thresholds and broken models', () => {
    expect(() => exportLogisticRegressionToOnnx(model, { metadata: { 'strata.feature_names': 'x' } })).toThrow(/reserved/);
    expect(() => exportLogisticRegressionToOnnx(model, { threshold: 2 })).toThrow(/threshold/);
    expect(() => exportLogisticRegressionToOnnx({ ...model, means: [1] })).toThrow(/means has 1 values/);
    expect(() => onnxSignature(new Uint8Array([0xff, 0xff, 0xff]))).toThrow(/ONNX/);
  });
});
