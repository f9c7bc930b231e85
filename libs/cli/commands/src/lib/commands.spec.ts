import type { StrataClient, StrataLifecycleApi } from '@strata/shared/data-access-strata-client';
import { cliHarness } from '../testing/cli-harness';
import { registerLifecycleCommands } from './register';

/** A program wired to an in-memory API double that records every call. */
function harness(answers: Record<string, unknown>) {
  const calls: Array<{ method: string; args: unknown[] }> = [];
  const record = (method: string) => (...args: unknown[]) => {
    calls.push({ method, args });
    if (!(method in answers)) return Promise.reject(new Error(`unexpected call ${method}`));
    return Promise.resolve(answers[method]);
  };
  const client = new Proxy({}, { get: (_t, p) => record(`client.${String(p)}`) }) as unknown as StrataClient;
  const api = new Proxy({ client } as Record<string, unknown>, { get: (t, p) => (p === 'client' ? t['client'] : record(String(p))) }) as unknown as StrataLifecycleApi;
  return { calls, ...cliHarness(api, registerLifecycleCommands) };
}

afterEach(() => jest.restoreAllMocks());

describe('command wiring: arguments become the documented request bodies', () => {
  it('predict: --entity/--request pairs (numbers typed, categories as text) and --event-time', async () => {
    const answer = { predictionId: 'p1', modelName: 'm', modelVersion: 1, probability: 0.25, features: {}, featureStatuses: {} };
    const h = harness({ predict: answer });
    await h.run(['predict', 'adult-income', '--entity', 'person_id=3001', '--request', 'sex=Female', '--request', 'marital_status=Never-married', '--event-time', '2024-02-01 06:00', '--json']);
    expect(h.calls).toEqual([{ method: 'predict', args: ['adult-income', { entities: { person_id: 3001 }, request: { sex: 'Female', marital_status: 'Never-married' }, eventTime: '2024-02-01T06:00:00.000Z' }] }]);
    expect(JSON.parse(h.stdout.join(''))).toEqual(answer);
  });

  it('train: dataset without a version resolves the newest; params typed; follows the run to its version', async () => {
    const h = harness({
      listDatasetVersions: [
        { datasetName: 'adult_people', versionId: 'old', createdAt: '2024-01-01T00:00:00Z' },
        { datasetName: 'adult_people', versionId: 'new', createdAt: '2024-03-01T00:00:00Z' },
      ],
      'client.startTrainingRun': { runId: 'r1', workflowId: 'w1' },
      'client.getTrainingRun': { runId: 'r1', modelName: 'm', status: 'COMPLETED', modelVersion: 3, metrics: { roc_auc: 0.9 } },
    });
    await h.run(['train', '--model', 'm', '--training-set', 'adult_income', '--dataset', 'adult_people', '--param', 'l2=0.01', '--split-time', '2024-02-01T00:00:00Z']);
    expect(h.calls.find((c) => c.method === 'client.startTrainingRun')?.args[0]).toEqual({
      modelName: 'm',
      trainer: 'logistic_regression',
      params: { l2: 0.01 },
      trainingSet: 'adult_income',
      trainDatasetVersions: [{ datasetName: 'adult_people', versionId: 'new' }],
      evaluation: { splitTime: '2024-02-01T00:00:00.000Z' },
    });
    const text = h.stdout.join('');
    expect(text).toMatch(/version\s+3/);
    expect(text).toMatch(/roc_auc\s+0\.9/);
  });

  it('train: a failed run is an error naming its code and message', async () => {
    const h = harness({
      'client.startTrainingRun': { runId: 'r2', workflowId: 'w2' },
      'client.getTrainingRun': { runId: 'r2', status: 'FAILED', error: { code: 'TRAINER_FAILED', message: 'one class only' } },
    });
    await expect(h.run(['train', '--model', 'm', '--training-set', 't', '--dataset', 'd@v1'])).rejects.toThrow('training run r2 FAILED: TRAINER_FAILED: one class only');
  });

  it('search and rollout: space, strategy and weight go into the bodies', async () => {
    const h = harness({
      startSearch: { searchId: 's1', trials: [] },
      startRollout: { rolloutId: 'x', status: 'active', mode: 'canary', championVersion: 1, challengerVersion: 2, challengerWeight: 0.5, stickyKey: null, actor: 'a', reason: 'r', startedAt: 't', endedAt: null, endReason: null },
    });
    await h.run(['search', '--model', 'm', '--training-set', 't', '--dataset', 'd@v1', '--space', 'l2=0.001:1:log', '--strategy', 'random', '--max-trials', '4', '--seed', '7', '--no-follow', '--json']);
    expect(h.calls[0]!.args[0]).toMatchObject({ search: { strategy: 'random', space: { l2: { min: 0.001, max: 1, scale: 'log', type: 'float' } }, metric: 'roc_auc', direction: 'maximize', parallelism: 2, maxTrials: 4, seed: 7 } });
    await h.run(['rollout', 'start', 'm', '--version', '2', '--weight', '0.5']);
    expect(h.calls[1]).toEqual({ method: 'startRollout', args: ['m', { mode: 'canary', challengerVersion: 2, challengerWeight: 0.5 }] });
  });

  it('bad arguments are refused before any call', async () => {
    const h = harness({});
    await expect(h.run(['rollout', 'start', 'm', '--weight', '2'])).rejects.toThrow("'2' is not a number in [0, 1]");
    await expect(h.run(['feedback', 'm', '--prediction-id', 'p', '--label', 'yes'])).rejects.toThrow("'yes' is not 0 or 1");
    expect(h.calls).toEqual([]);
  });

  it('get-online: entity and request columns, as_of; human output is one row per entity', async () => {
    const h = harness({
      getOnlineFeatures: {
        metadata: { feature_names: ['person_id', 'age'] },
        results: [
          { values: [1, 2], statuses: ['PRESENT', 'PRESENT'], event_timestamps: [] },
          { values: [39, null], statuses: ['PRESENT', 'OUTSIDE_AS_OF'], event_timestamps: [] },
        ],
      },
    });
    await h.run(['features', 'get-online', '--features', 'person_profile:age', '--entity', 'person_id=1,2', '--as-of', '2024-01-01T00:00:00Z']);
    expect(h.calls[0]!.args[0]).toEqual({ features: ['person_profile:age'], entities: { person_id: [1, 2] }, as_of: '2024-01-01T00:00:00.000Z' });
    const lines = h.stdout.join('').trim().split('\n');
    // the join key's status is not mixed into the features' statuses
    expect(lines[0]).toMatch(/person_id\s+age\s+feature statuses/);
    expect(lines[1]).toMatch(/1\s+39\s+PRESENT$/);
    expect(lines[2]).toMatch(/2\s+-\s+OUTSIDE_AS_OF$/);
    expect(h.stderr.join('')).toContain('warning: OUTSIDE_AS_OF (no value): age: the online value was recorded after the requested instant (--event-time / --as-of)');
  });
});

describe('what a new user saw (issue 18 trial): the CLI says what happened', () => {
  const prediction = {
    predictionId: 'p1',
    modelName: 'm',
    modelVersion: 2,
    probability: 0.5,
    features: { person_profile__age: null, person_profile__hours: null, applicant__sex_category: 'Male' },
    featureStatuses: { person_profile__age: 'OUTSIDE_MAX_AGE', person_profile__hours: 'NOT_FOUND', applicant__sex_category: 'PRESENT' },
  };

  it('predict warns, naming the features, when they were imputed because OUTSIDE_MAX_AGE or NOT_FOUND (human on stderr, --json in `warnings`)', async () => {
    const h = harness({ predict: prediction });
    await h.run(['predict', 'm', '--entity', 'person_id=9']);
    const err = h.stderr.join('');
    expect(err).toContain("warning: OUTSIDE_MAX_AGE (imputed): person_profile__age: the newest online value is older than the feature view's ttlSeconds");
    expect(err).toContain('warning: NOT_FOUND (imputed): person_profile__hours: no online value for this entity key');
    const j = harness({ predict: prediction });
    await j.run(['predict', 'm', '--entity', 'person_id=9', '--json']);
    expect((JSON.parse(j.stdout.join('')) as { warnings: string[] }).warnings.map((w) => w.split(':')[0])).toEqual(['OUTSIDE_MAX_AGE (imputed)', 'NOT_FOUND (imputed)']);
  });

  it('--help shows no `(default: {})` or `(default: [])`', () => {
    const h = harness({});
    for (const cmd of ['predict', 'train', 'search']) {
      const help = h.program.commands.find((c) => c.name() === cmd)!.helpInformation();
      expect(help).not.toMatch(/default: (\{\}|\[\])/);
    }
    const build = h.program.commands.find((c) => c.name() === 'training-sets')!.commands.find((c) => c.name() === 'build')!;
    expect(build.helpInformation()).not.toMatch(/default: \[\]/);
  });

  it('train names the version it picked, and a failed run names the dataset versions it trained on', async () => {
    const h = harness({
      listDatasetVersions: [{ datasetName: 'people', versionId: 'v9', rowCount: 0, createdAt: '2024-03-01T00:00:00Z' }],
      'client.startTrainingRun': { runId: 'r3', workflowId: 'w3' },
      'client.getTrainingRun': { runId: 'r3', status: 'FAILED', error: { code: 'NO_LABELED_ROWS', message: 'no labeled rows' } },
    });
    await expect(h.run(['train', '--model', 'm', '--training-set', 't', '--dataset', 'people'])).rejects.toThrow('training run r3 FAILED: NO_LABELED_ROWS: no labeled rows (trained on people@v9)');
    expect(h.stderr.join('')).toContain('dataset people: the newest version v9 (0 rows, ingested 2024-03-01T00:00:00Z); give people@<version> for another');
  });

  it("features plan lists only this repo's objects; others are counted as kept", async () => {
    const fs = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-cli-repo-'));
    fs.writeFileSync(path.join(dir, 'a.yaml'), 'kind: Entity\nname: person\n');
    const h = harness({
      planFeatureRepo: {
        changes: [
          { kind: 'entity', name: 'person', action: 'create' },
          { kind: 'entity', name: 'driver', action: 'unchanged', retained: true },
          { kind: 'feature_view', name: 'driver_stats', action: 'unchanged', retained: true },
        ],
      },
    });
    await h.run(['features', 'plan', dir]);
    const text = h.stdout.join('');
    expect(text).toMatch(/entity\s+person\s+create/);
    expect(text).not.toContain('driver');
    expect(text).toContain('2 other object(s) in the registry are not in this repo: kept (--allow-deletes deletes them)');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('materialize with nothing new says the online rows were already current, and as of when', async () => {
    const run = { id: 'mat-1', featureView: 'person_profile', status: 'SUCCEEDED', mode: 'incremental', rowCount: 0, onlineRowCount: 0, startTime: '2024-03-01T00:00:00.000Z', endTime: '2024-03-02T00:00:00.000Z' };
    const h = harness({ materialize: run });
    await h.run(['features', 'materialize', 'person_profile']);
    expect(h.stdout.join('')).toContain('up to date: no rows with event times in [2024-03-01T00:00:00.000Z, 2024-03-02T00:00:00.000Z); the online rows were already current as of 2024-03-01T00:00:00.000Z');
    // the features service's answer when nothing is after the watermark
    const u = harness({ materialize: { featureView: 'person_profile', status: 'UP_TO_DATE', materializedUntil: '2024-03-02T00:00:00.000Z' } });
    await u.run(['features', 'materialize', 'person_profile']);
    const text = u.stdout.join('');
    expect(text).toMatch(/materialized until\s+2024-03-02T00:00:00\.000Z/);
    expect(text).toContain('up to date: the online rows were already current as of 2024-03-02T00:00:00.000Z, nothing to add');
    expect(text).not.toContain('online rows  ');
  });

  it('feedback reports how many labels monitoring accepted and how an unknown prediction id is treated', async () => {
    const h = harness({ feedback: { accepted: 1 } });
    await h.run(['feedback', 'm', '--prediction-id', 'nope', '--label', '1']);
    expect(h.stdout.join('')).toContain('1 label(s) accepted for m: each counts once monitoring has the prediction with that id (strata monitor windows m: labeledCount); an unknown id is stored but never counted');
  });
});
