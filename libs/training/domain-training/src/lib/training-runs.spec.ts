import { StartTrainingRunBody } from './training-runs.dto';
import { trainingRunId } from './training-runs.service';

describe(trainingRunId.name, () => {
  it('is a stable UUID per (modelName, requestId)', () => {
    const a = trainingRunId('taxi-tip', 'req-1');
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(trainingRunId('taxi-tip', 'req-1')).toBe(a);
    expect(trainingRunId('taxi-tip', 'req-2')).not.toBe(a);
    expect(trainingRunId('taxi-tip-2', 'req-1')).not.toBe(a);
  });
});

describe('StartTrainingRunBody', () => {
  it('fills defaults', () => {
    expect(StartTrainingRunBody.parse({ modelName: 'taxi-tip', trainingSet: 'big_tipper', trainDatasetVersions: [{ datasetName: 'taxi', versionId: 'v1' }] })).toEqual({
      modelName: 'taxi-tip',
      trainer: 'logistic_regression',
      params: {},
      trainingSet: 'big_tipper',
      trainDatasetVersions: [{ datasetName: 'taxi', versionId: 'v1' }],
      evaluation: {},
      reason: 'manual',
    });
  });

  it('names every invalid field', () => {
    const r = StartTrainingRunBody.safeParse({ modelName: 'A', trainer: 'xgboost', trainingSet: 'ok', trainDatasetVersions: [], params: { l2: -1 }, evaluation: { splitTime: 'soon' } });
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.path.join('.')).sort()).toEqual(['evaluation.splitTime', 'modelName', 'params.l2', 'trainDatasetVersions', 'trainer']);
  });
});
