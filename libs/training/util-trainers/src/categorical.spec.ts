/**
 * @jest-environment ../../../libs/shared/testing/src/onnxruntime-environment.cjs
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { evaluateBinaryClassifier, modelInputLayout } from '@strata/shared/util-model-evaluation';
import {
  encodeRows,
  exportCategoricalLogisticRegressionToOnnx,
  exportLogisticRegressionToOnnx,
  fitOneHotEncodings,
  onnxSignature,
  predictProbaCategorical,
  trainCategoricalLogisticRegression,
} from './index';

/** The first 600 rows of ../shared/datasets/uci-adult/adult.data.csv, with a header (", " → ","). */
const FIXTURE = path.join(__dirname, '__fixtures__/adult-600.csv');
const NUMERIC = ['age', 'education_num', 'capital_gain', 'hours_per_week'];
const CATEGORICAL = ['workclass', 'marital_status', 'occupation', 'sex'];

function load(): { numeric: number[][]; categorical: Array<Array<string | null>>; labels: number[] } {
  const [header, ...lines] = readFileSync(FIXTURE, 'utf8').trim().split('\n');
  const cols = header!.split(',');
  const idx = (c: string) => cols.indexOf(c);
  const rows = lines.map((l) => l.split(','));
  return {
    numeric: rows.map((r) => NUMERIC.map((c) => Number(r[idx(c)]))),
    // '?' is how the census file writes a missing value
    categorical: rows.map((r) => CATEGORICAL.map((c) => (r[idx(c)] === '?' ? null : r[idx(c)]!))),
    labels: rows.map((r) => (r[idx('income')] === '>50K' ? 1 : 0)),
  };
}

async function runOnnx(bytes: Uint8Array, numeric: number[][], categorical: Array<Array<string | null>>): Promise<number[]> {
  const session = await ort.InferenceSession.create(bytes);
  const n = numeric.length;
  const feeds: Record<string, ort.Tensor> = { input: new ort.Tensor('float32', Float32Array.from(numeric.flat()), [n, NUMERIC.length]) };
  CATEGORICAL.forEach((c, j) => (feeds[c] = new ort.Tensor('string', categorical.map((r) => r[j] ?? ''), [n, 1])));
  const out = await session.run(feeds);
  await session.release();
  return Array.from(out['probability']!.data as Float32Array);
}

describe('categorical features: one-hot encoding inside the ONNX graph (UCI Adult)', () => {
  const data = load();
  const train = { numeric: data.numeric.slice(0, 500), categorical: data.categorical.slice(0, 500), labels: data.labels.slice(0, 500) };
  const heldOut = { numeric: data.numeric.slice(500), categorical: data.categorical.slice(500), labels: data.labels.slice(500) };
  const model = trainCategoricalLogisticRegression(
    { numericFeatures: NUMERIC, numericRows: train.numeric, categoricalFeatures: CATEGORICAL, categoricalRows: train.categorical, labels: train.labels },
    { l2: 0.01 },
  );

  it('learns the categories by frequency, missing as its own category', () => {
    const enc = Object.fromEntries(model.encodings.map((e) => [e.feature, e.categories]));
    expect(enc['sex']).toEqual(['Male', 'Female']);
    expect(enc['workclass']![0]).toBe('Private');
    // 31 of the first 500 rows have workclass '?' (missing): it is a learned category ''
    expect(enc['workclass']).toContain('');
    expect(train.categorical.filter((r) => r[0] === null)).toHaveLength(31);
    expect(model.linear.featureNames.slice(0, 6)).toEqual([...NUMERIC, 'workclass=Private', `workclass=${enc['workclass']![1]}`]);
    expect(fitOneHotEncodings(['c'], [['a'], ['b'], ['a'], ['c'], ['b'], ['a']], { maxCategories: 2 })).toEqual([{ feature: 'c', categories: ['a', 'b'] }]);
    expect(fitOneHotEncodings(['c'], [['a'], ['b'], ['a']], { minFrequency: 2 })).toEqual([{ feature: 'c', categories: ['a'] }]);
  });

  it('the ONNX model takes raw categories and agrees with the trainer, on held-out rows, unseen and missing categories', async () => {
    const bytes = exportCategoricalLogisticRegressionToOnnx(model, { featureRefs: [...NUMERIC, ...CATEGORICAL].map((f) => `person:${f}`) });
    const sig = onnxSignature(bytes);
    expect(sig.inputs).toEqual([
      { name: 'input', datatype: 'FP32', shape: [-1, 4] },
      ...CATEGORICAL.map((c) => ({ name: c, datatype: 'BYTES', shape: [-1, 1] })),
    ]);
    expect(JSON.parse(sig.metadata['strata.feature_names']!)).toEqual([...NUMERIC, ...CATEGORICAL]);
    expect(sig.metadata['strata.unknown_category']).toBe('zeros');
    expect(modelInputLayout(sig.inputs, sig.metadata)).toEqual([
      { name: 'input', datatype: 'FP32', features: NUMERIC },
      ...CATEGORICAL.map((c) => ({ name: c, datatype: 'BYTES', features: [c] })),
    ]);

    const expected = predictProbaCategorical(model, heldOut.numeric, heldOut.categorical);
    const got = await runOnnx(bytes, heldOut.numeric, heldOut.categorical);
    got.forEach((p, i) => expect(Math.abs(p - expected[i]!)).toBeLessThan(1e-5));

    // An unseen category is all zeros: the same score as any other unseen value.
    const row = heldOut.numeric[0]!;
    const unseen = await runOnnx(bytes, [row, row], [['Mars-gov', 'Never-married', 'Astronaut', 'Male'], ['Lunar', 'Never-married', 'Pilot', 'Male']]);
    expect(Math.abs(unseen[0]! - unseen[1]!)).toBeLessThan(1e-7);
    const encoded = encodeRows([row], [['Mars-gov', 'Never-married', 'Astronaut', 'Male']], NUMERIC.length, model.encodings)[0]!;
    expect(Array.from(encoded.slice(NUMERIC.length, NUMERIC.length + model.encodings[0]!.categories.length)).every((v) => v === 0)).toBe(true);
    expect(Math.abs(unseen[0]! - predictProbaCategorical(model, [row], [['Mars-gov', 'Never-married', 'Astronaut', 'Male']])[0]!)).toBeLessThan(1e-5);
    // A missing category (null → '') is the learned missing category of workclass.
    const missing = await runOnnx(bytes, [row], [[null, 'Never-married', 'Sales', 'Male']]);
    expect(Math.abs(missing[0]! - predictProbaCategorical(model, [row], [[null, 'Never-married', 'Sales', 'Male']])[0]!)).toBeLessThan(1e-5);
    expect(Math.abs(missing[0]! - unseen[0]!)).toBeGreaterThan(1e-4);

    // The categories carry signal: held-out ROC AUC with them beats the numeric features alone.
    const withCats = evaluateBinaryClassifier(heldOut.labels, Float64Array.from(got)).rocAuc!;
    const numericOnly = trainCategoricalLogisticRegression(
      { numericFeatures: NUMERIC, numericRows: train.numeric, categoricalFeatures: [], categoricalRows: [], labels: train.labels },
      { l2: 0.01 },
    );
    const numericAuc = evaluateBinaryClassifier(heldOut.labels, predictProbaCategorical(numericOnly, heldOut.numeric, [])).rocAuc!;
    expect(withCats).toBeGreaterThan(0.85);
    expect(withCats).toBeGreaterThan(numericAuc);
  });

  it('without categorical features the export is the numeric export, byte for byte', () => {
    const numericOnly = trainCategoricalLogisticRegression(
      { numericFeatures: NUMERIC, numericRows: train.numeric, categoricalFeatures: [], categoricalRows: [], labels: train.labels },
    );
    expect(Buffer.from(exportCategoricalLogisticRegressionToOnnx(numericOnly))).toEqual(Buffer.from(exportLogisticRegressionToOnnx(numericOnly.linear)));
  });

  it('refuses a categorical feature named like an internal tensor and refs of the wrong length', () => {
    const m = trainCategoricalLogisticRegression({ numericFeatures: ['x'], numericRows: [[1], [2], [3], [4]], categoricalFeatures: ['probability'], categoricalRows: [['a'], ['b'], ['a'], ['b']], labels: [0, 1, 0, 1] });
    expect(() => exportCategoricalLogisticRegressionToOnnx(m)).toThrow("Categorical feature name 'probability' is reserved in the exported graph");
    const ok = trainCategoricalLogisticRegression({ numericFeatures: ['x'], numericRows: [[1], [2], [3], [4]], categoricalFeatures: ['c'], categoricalRows: [['a'], ['b'], ['a'], ['b']], labels: [0, 1, 0, 1] });
    expect(() => exportCategoricalLogisticRegressionToOnnx(ok, { featureRefs: ['v:x'] })).toThrow("featureRefs must be 2 'view:feature' references (one per raw feature)");
  });
});
