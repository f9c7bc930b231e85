import type { TrainingRun, TrainingSearch } from '@strata/contracts/api';
import { defaultTrialSort, keyValues, metricSeries, metricVsParam, nextTrialSort, runFacts, seriesKeys, sortTrials, trialParams, trialRows } from './runs';

function run(id: string, params: TrainingRun['params'], metrics: Record<string, number> | undefined, over: Partial<TrainingRun> = {}): TrainingRun {
  return {
    runId: id,
    workflowId: `train:adult-income:${id}`,
    modelName: 'adult-income',
    requestId: id,
    status: 'COMPLETED',
    step: 'completed',
    progress: 1,
    trainer: 'logistic-regression',
    trainingSet: 'adult_income',
    reason: 'search',
    params,
    evaluation: {},
    datasetVersions: [{ datasetName: 'adult_people', versionId: 'v-1' }],
    metrics,
    resources: { wallTimeMs: 12_340, cpuSeconds: 10.5, peakRssBytes: 256 * 2 ** 20, gpuUtilizationPct: null },
    cost: { estimated: 0.00123, currency: 'EUR', cpuHours: 0.0029, gbHours: 0.001, ratePerCpuHour: 0.04, ratePerGbHour: 0.005 },
    createdAt: '2024-03-01T10:00:00.000Z',
    finishedAt: '2024-03-01T10:00:12.340Z',
    ...over,
  };
}

function search(trials: TrainingRun[], over: Partial<TrainingSearch> = {}): TrainingSearch {
  return {
    searchId: 's-1',
    workflowId: 'search:adult-income:r',
    modelName: 'adult-income',
    requestId: 'r',
    status: 'COMPLETED',
    strategy: 'grid',
    metric: 'roc_auc',
    direction: 'maximize',
    parallelism: 2,
    trialCount: trials.length,
    completedTrials: trials.length,
    failedTrials: 0,
    bestRunId: 't-2',
    bestMetric: 0.89,
    modelVersion: 3,
    error: null,
    spec: {},
    createdAt: '2024-03-01T10:00:00.000Z',
    finishedAt: '2024-03-01T10:05:00.000Z',
    trials,
    ...over,
  };
}

describe('runs and searches view mapping', () => {
  it('turns a metric history into one series by step, dropping non-finite values and keeping the latest point of a repeated step', () => {
    const s = metricSeries('train_loss', [
      { key: 'train_loss', value: 0.52, step: 2, timestamp: 20 },
      { key: 'train_loss', value: 0.69, step: 1, timestamp: 10 },
      { key: 'train_loss', value: 'NaN', step: 3, timestamp: 30 },
      { key: 'train_loss', value: 0.55, step: 2, timestamp: 5 },
      { key: 'train_loss', value: 0.41, step: 4, timestamp: 40 },
    ]);
    expect(s).toEqual({ key: 'train_loss', points: [[1, 0.69], [2, 0.52], [4, 0.41]] });
    expect(seriesKeys({ roc_auc: { step: 0 }, train_loss: { step: 17 }, a_loss: { step: 3 } })).toEqual(['a_loss', 'train_loss']);
  });

  it("lists a run's params and facts", () => {
    expect(keyValues({ max_iter: 100, l2: 0.00012345, solver: 'newton', fit_intercept: true })).toEqual([
      { key: 'fit_intercept', value: 'true' },
      { key: 'l2', value: '0.0001' },
      { key: 'max_iter', value: '100' },
      { key: 'solver', value: 'newton' },
    ]);
    const facts = Object.fromEntries(runFacts(run('t-1', {}, { roc_auc: 0.88 }, { modelVersion: 3 })).map((f) => [f.key, f.value]));
    expect(facts).toMatchObject({
      status: 'COMPLETED',
      'dataset versions': 'adult_people@v-1',
      'model version': 'v3',
      'wall time': '12.3 s',
      CPU: '10.5 s',
      'peak memory': '256 MiB',
      cost: '0.0012 EUR (0.0029 CPU h)',
      'started / finished (UTC)': '2024-03-01 10:00 / 2024-03-01 10:00',
    });
    expect(runFacts(run('t-9', {}, undefined, { status: 'RUNNING', step: 'train', progress: 0.4, finishedAt: null, cost: null }))[0]).toEqual({ key: 'status', value: 'RUNNING (train, 40%)' });
  });

  it('maps trials with the search metric, marks the best and sorts by metric (best first), param or trial', () => {
    const s = search([
      run('t-1', { l2: 0.1, solver: 'newton' }, { roc_auc: 0.86 }),
      run('t-2', { l2: 0.01, solver: 'newton' }, { roc_auc: 0.89 }),
      run('t-3', { l2: 1, solver: 'lbfgs' }, undefined, { status: 'FAILED' }),
      run('t-4', { l2: 0.001, solver: 'lbfgs' }, { roc_auc: 0.87 }),
    ]);
    expect(trialParams(s.trials!)).toEqual(['l2', 'solver']);
    const rows = trialRows(s);
    expect(rows.map((r) => [r.trial, r.metric, r.best])).toEqual([[1, 0.86, false], [2, 0.89, true], [3, null, false], [4, 0.87, false]]);
    expect(sortTrials(rows, defaultTrialSort(s)).map((r) => r.trial)).toEqual([2, 4, 1, 3]);
    expect(sortTrials(rows, { by: 'metric', descending: false }).map((r) => r.trial)).toEqual([1, 4, 2, 3]);
    expect(sortTrials(rows, { by: 'param:l2', descending: false }).map((r) => r.trial)).toEqual([4, 2, 1, 3]);
    expect(sortTrials(rows, { by: 'param:solver', descending: true }).map((r) => r.trial)).toEqual([1, 2, 3, 4]);
    expect(sortTrials(rows, { by: 'trial', descending: true }).map((r) => r.trial)).toEqual([4, 3, 2, 1]);
    expect(defaultTrialSort({ direction: 'minimize' })).toEqual({ by: 'metric', descending: false });
  });

  it("a click on a trials header flips its column, starts the metric best-first and any other column ascending", () => {
    const maximize = { direction: 'maximize' };
    expect(nextTrialSort({ by: 'metric', descending: true }, 'metric', maximize)).toEqual({ by: 'metric', descending: false });
    expect(nextTrialSort({ by: 'metric', descending: true }, 'param:l2', maximize)).toEqual({ by: 'param:l2', descending: false });
    expect(nextTrialSort({ by: 'param:l2', descending: false }, 'metric', maximize)).toEqual({ by: 'metric', descending: true });
    expect(nextTrialSort({ by: 'trial', descending: false }, 'metric', { direction: 'minimize' })).toEqual({ by: 'metric', descending: false });
  });

  it('charts metric vs a numeric param as values and a categorical one as categories, trials without a metric left out', () => {
    const rows = trialRows(search([run('t-1', { l2: 0.1, solver: 'newton' }, { roc_auc: 0.86 }), run('t-2', { l2: 0.01, solver: 'newton' }, { roc_auc: 0.89 }), run('t-3', { l2: 1, solver: 'lbfgs' }, undefined)]));
    expect(metricVsParam(rows, 'l2')).toEqual({
      numeric: true,
      categories: [],
      points: [
        { x: 0.1, y: 0.86, trial: 1, best: false },
        { x: 0.01, y: 0.89, trial: 2, best: true },
      ],
    });
    expect(metricVsParam(rows, 'solver')).toMatchObject({ numeric: false, categories: ['newton'], points: [{ x: 'newton', y: 0.86 }, { x: 'newton', y: 0.89 }] });
  });
});
