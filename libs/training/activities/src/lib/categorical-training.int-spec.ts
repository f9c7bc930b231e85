/**
 * @jest-environment ../../../libs/shared/testing/src/onnxruntime-environment.cjs
 *
 * The built-in trainer on a training set with string (categorical) columns: 600 rows of the UCI
 * Adult census data (libs/training/util-trainers/src/__fixtures__/adult-600.csv). Real PostgreSQL,
 * local object store, DuckDB and onnxruntime; the features service is a small local HTTP server
 * answering `GET /feature-views` per docs/service-apis.md.
 */
import { promises as fs } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { EventPublisher } from '@strata/messaging';
import { LocalObjectStore } from '@strata/shared/data-access-object-store';
import { migratedSchema } from '@strata/shared/testing';
import { evaluateBinaryClassifier } from '@strata/shared/util-model-evaluation';
import { TRAINING_ENTITIES, TRAINING_MIGRATIONS, TrainingRunEntity } from '@strata/training/data-access';
import { onnxSignature, predictProbaCategorical, trainCategoricalLogisticRegression } from '@strata/training/util-trainers';
import type { TrainingSetRef } from './activity.types';
import { createTrainingActivities } from './training.activities';
import { TrainingSetFile } from './training-set-reader';
import { writeTrainingSetParquet } from '../testing/training-set-file';

jest.setTimeout(120_000);

const FIXTURE = path.join(__dirname, '../../../util-trainers/src/__fixtures__/adult-600.csv');
const silent = { log: () => undefined, warn: () => undefined, error: () => undefined };

describe('built-in trainer with categorical features (real PostgreSQL, DuckDB, onnxruntime)', () => {
  const pgSchema = migratedSchema('training_cat', TRAINING_ENTITIES, TRAINING_MIGRATIONS);
  const runId = '7a1c2e3d-4b5f-4a6b-8c7d-9e0f1a2b3c4d';
  let dataSource: DataSource;
  let root: string;
  let store: LocalObjectStore;
  let trainingSet: TrainingSetRef;
  let features: http.Server;
  let featuresUrl: string;

  beforeAll(async () => {
    dataSource = await pgSchema.open();
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'strata-training-cat-'));
    store = new LocalObjectStore(root);
    // The training set as the features service writes it: full feature names, an hourly event time, '?' = missing.
    const written = await writeTrainingSetParquet(root, 'adult.parquet', `
      SELECT row_number() OVER () :: BIGINT AS person_id, TIMESTAMPTZ '2024-01-01 00:00:00+00' + to_hours(row_number() OVER ()) AS event_timestamp,
             age::BIGINT AS person__age, hours_per_week::BIGINT AS person__hours_per_week,
             nullif(workclass, '?') AS person__workclass, nullif(occupation, '?') AS person__occupation, education AS applicant__education,
             sex, race AS person__race, (income = '>50K') AS label
      FROM read_csv('${FIXTURE}', header = true, all_varchar = true)`);
    trainingSet = {
      id: 'ts-adult', uri: written.uri, sha256: written.sha256, rowCount: 600,
      columns: ['person_id', 'event_timestamp', 'person__age', 'person__hours_per_week', 'person__workclass', 'person__occupation', 'applicant__education', 'sex', 'person__race', 'label'],
      featureRefs: ['person:workclass', 'person:age', 'applicant:education', 'person:hours_per_week', 'person:occupation'],
    };
    await dataSource.getRepository(TrainingRunEntity).insert({
      runId, workflowId: 'train:adult:req-1', modelName: 'adult', requestId: 'req-1', status: 'RUNNING', trainer: 'logistic_regression',
      trainingSet: 'adult_income', reason: 'manual', params: { l2: 0.01 }, evaluation: {}, datasetVersions: [{ datasetName: 'adult', versionId: 'v1' }],
    } as never);
    features = http.createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      // the registry's promotion policy of the model (issue #17): its fairness gate names the segment 'sex' (not a model input)
      if (req.url === '/registered-models/adult/promotion-policy') {
        res.end(JSON.stringify({ name: 'adult', metric: 'accuracy', direction: 'maximize', minMargin: 0, autoPromote: false, rollout: null, fairness: { segment: 'sex', metric: 'demographic_parity_difference', maxWidening: 0.05, maxValue: null, minValue: null, minCount: 30 } }));
        return;
      }
      res.end(JSON.stringify([
        { kind: 'feature_view', name: 'person', entities: ['person_id'], features: [{ name: 'age', dtype: 'INT64' }, { name: 'workclass', dtype: 'STRING' }] },
        { kind: 'on_demand_feature_view', name: 'applicant', requestSchema: [{ name: 'education_raw', dtype: 'STRING' }], features: [{ name: 'education', dtype: 'STRING' }] },
      ]));
    });
    await new Promise<void>((r) => features.listen(0, '127.0.0.1', r));
    featuresUrl = `http://127.0.0.1:${(features.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((r) => features.close(r));
    await pgSchema.drop();
    await fs.rm(root, { recursive: true, force: true });
  });

  it('trains on numeric + string columns, records inputs/refs/request fields, evaluates by raw categories, profiles the categories', async () => {
    const sut = createTrainingActivities({
      featuresUrl, registryUrl: featuresUrl, ingestionUrl: 'http://127.0.0.1:1', objectStore: store, dataSource,
      publisher: new EventPublisher({ serviceName: 'training' }), logger: silent, codeVersion: '0.1.0',
    });
    const splitTime = '2024-01-21T00:00:00Z'; // rows 1..479 train (hour < 480), 480..600 eval
    const out = await sut.trainModel({ runId, modelName: 'adult', trainer: 'logistic_regression', params: { l2: 0.01 }, trainingSet, splitTime });
    // numeric features first, then the categorical ones, each group in ref order
    expect(out.featureNames).toEqual(['person__age', 'person__hours_per_week', 'person__workclass', 'applicant__education', 'person__occupation']);
    expect(out.trainRows).toBe(479);
    expect(out.evalRows).toBe(121);
    const onnxBytes = await fs.readFile(store.pathFor(`artifacts/adult/${runId}/model.onnx`));
    const sig = onnxSignature(new Uint8Array(onnxBytes));
    expect(sig.inputs).toEqual([
      { name: 'input', datatype: 'FP32', shape: [-1, 2] },
      { name: 'person__workclass', datatype: 'BYTES', shape: [-1, 1] },
      { name: 'applicant__education', datatype: 'BYTES', shape: [-1, 1] },
      { name: 'person__occupation', datatype: 'BYTES', shape: [-1, 1] },
    ]);
    expect(JSON.parse(sig.metadata['strata.feature_refs']!)).toEqual(['person:age', 'person:hours_per_week', 'person:workclass', 'applicant:education', 'person:occupation']);
    expect(JSON.parse(sig.metadata['strata.request_fields']!)).toEqual([{ name: 'education_raw', dtype: 'STRING' }]);

    const profile = JSON.parse((await fs.readFile(store.pathFor(`artifacts/adult/${runId}/reference-profile.json`))).toString());
    const workclass = profile.features.find((f: { name: string }) => f.name === 'person__workclass');
    expect(workclass.kind).toBe('categorical');
    expect(profile.features.find((f: { name: string }) => f.name === 'person__age').kind).toBe('numeric');

    const evaluated = await sut.evaluateModel({ runId, modelName: 'adult', artifactUri: out.artifactUri, artifactSha256: out.artifactSha256, trainingSet, featureNames: out.featureNames, splitTime: out.splitTime });
    // The same model trained in-process on the same slices: its ROC AUC on the eval slice is the activity's.
    const file = await TrainingSetFile.open(store.pathFor('training-sets/adult.parquet'));
    const train = await file.readSlice(out.featureNames, out.splitTime, 'train');
    const evalSlice = await file.readSlice(out.featureNames, out.splitTime, 'eval');
    file.close();
    expect(evalSlice.categoricalFeatures).toEqual(['person__workclass', 'applicant__education', 'person__occupation']);
    const model = trainCategoricalLogisticRegression(
      { numericFeatures: train.features, numericRows: train.rows, categoricalFeatures: train.categoricalFeatures, categoricalRows: train.categoricalRows, labels: train.labels },
      { l2: 0.01 },
    );
    const expected = evaluateBinaryClassifier(evalSlice.labels, predictProbaCategorical(model, evalSlice.rows, evalSlice.categoricalRows));
    expect(evaluated.metrics['rows']).toBe(121);
    expect(Math.abs(evaluated.metrics['roc_auc']! - expected.rocAuc!)).toBeLessThan(1e-6);
    expect(evaluated.metrics['roc_auc']).toBeGreaterThan(0.8);

    // Per-group evaluation (issue #17): the policy's segment 'sex' (a column that is not a model input) and every categorical input.
    expect(Object.keys(evaluated.segments ?? {})).toEqual(['sex', 'workclass', 'education', 'occupation']);
    expect(evaluated.segments!['occupation']!.column).toBe('person__occupation');
    // Expected, counted here from the CSV (eval = rows 480..600 in event order) and the in-process model's probabilities.
    const csv = (await fs.readFile(FIXTURE, 'utf8')).trim().split('\n').slice(1).map((l) => l.split(','));
    const sexOfEvalRows = csv.slice(479).map((f) => f[9]!);
    const probs = predictProbaCategorical(model, evalSlice.rows, evalSlice.categoricalRows);
    expect(Math.min(...Array.from(probs, (p) => Math.abs(p - 0.5)))).toBeGreaterThan(1e-4); // no row so close to the threshold that float32 ONNX could flip it
    const expectedSex = new Map<string, { group: string; predictionCount: number; predictedPositiveCount: number; tp: number; fp: number; tn: number; fn: number }>();
    sexOfEvalRows.forEach((sex, i) => {
      const e = expectedSex.get(sex) ?? { group: sex, predictionCount: 0, predictedPositiveCount: 0, tp: 0, fp: 0, tn: 0, fn: 0 };
      expectedSex.set(sex, e);
      const pos = probs[i]! >= 0.5;
      const y = evalSlice.labels[i]!;
      e.predictionCount += 1;
      if (pos) e.predictedPositiveCount += 1;
      if (y === 1 && pos) e.tp += 1;
      else if (y === 1) e.fn += 1;
      else if (pos) e.fp += 1;
      else e.tn += 1;
    });
    expect(evaluated.segments!['sex']).toEqual({ column: 'sex', groups: [...expectedSex.values()].sort((a, b) => b.predictionCount - a.predictionCount) });
    expect(evaluated.segments!['sex']!.groups.map((g) => [g.group, g.predictionCount])).toEqual([['Male', 77], ['Female', 44]]); // python: Counter(sex of rows 480..600)
  });
});
