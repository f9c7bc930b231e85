import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { StrataLifecycleApi } from './lifecycle-api';
import { DEFAULT_ENDPOINTS, StrataClient, type StrataEndpoints } from './strata-client';

/** What the fake services saw: method, path + query, JSON body. */
interface Seen {
  method: string | undefined;
  url: string | undefined;
  body: unknown;
}

describe('StrataLifecycleApi: each method is its contract endpoint (method, path, body)', () => {
  let server: http.Server;
  const seen: Seen[] = [];
  let api: StrataLifecycleApi;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push({ method: req.method, url: req.url, body: body ? (JSON.parse(body) as unknown) : undefined });
        const answer = req.url?.startsWith('/registered-models?') ? { registeredModels: [{ name: 'adult-income' }] } : { answeredTo: `${req.method} ${req.url}` };
        res.writeHead(req.method === 'POST' ? 201 : 200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const endpoints = Object.fromEntries(Object.keys(DEFAULT_ENDPOINTS).map((k) => [k, base])) as unknown as StrataEndpoints;
    api = new StrataLifecycleApi(new StrataClient(endpoints, undefined));
  });
  afterAll(async () => {
    await new Promise<void>((r) => server.close(() => r()));
  });

  const last = (): Seen => seen[seen.length - 1]!;

  it('training: startSearch posts the body to /training-searches (TrainingApi.startTrainingSearch)', async () => {
    const body = { modelName: 'm', search: { strategy: 'grid', space: { l2: { values: [0.1, 1] } } } };
    await api.startSearch(body);
    expect(last()).toEqual({ method: 'POST', url: '/training-searches', body });
  });

  it('registry: models list, one version, rollout start / current / promote / rollback', async () => {
    expect(await api.listModels({ search: 'adult', limit: 5 })).toEqual([{ name: 'adult-income' }]);
    expect(last()).toMatchObject({ method: 'GET', url: '/registered-models?search=adult&limit=5' });
    await api.getModelVersion('adult income', 3);
    expect(last()).toMatchObject({ method: 'GET', url: '/registered-models/adult%20income/versions/3' });
    await api.startRollout('adult income', { mode: 'canary', challengerVersion: 2, challengerWeight: 0.25 });
    expect(last()).toEqual({ method: 'POST', url: '/models/adult%20income/rollouts', body: { mode: 'canary', challengerVersion: 2, challengerWeight: 0.25 } });
    await api.currentRollout('m');
    expect(last()).toMatchObject({ method: 'GET', url: '/models/m/rollouts/current' });
    await api.endRollout('m', 'promote', 'v2 better');
    expect(last()).toEqual({ method: 'POST', url: '/models/m/rollouts/current/promote', body: { reason: 'v2 better' } });
    await api.endRollout('m', 'rollback', 'error rate');
    expect(last()).toEqual({ method: 'POST', url: '/models/m/rollouts/current/rollback', body: { reason: 'error rate' } });
  });

  it('features: plan, materialize, online features, training set with a feature service', async () => {
    const documents = [{ file: 'a.yaml', content: 'kind: Entity\n' }];
    await api.planFeatureRepo(documents);
    expect(last()).toEqual({ method: 'POST', url: '/feature-repo/plan', body: { documents, allowDeletes: false } });
    await api.materialize({ featureView: 'person_profile', mode: 'full' });
    expect(last()).toEqual({ method: 'POST', url: '/materializations', body: { featureView: 'person_profile', mode: 'full' } });
    await api.getOnlineFeatures({ feature_service: 'svc', entities: { person_id: [1] } });
    expect(last()).toEqual({ method: 'POST', url: '/get-online-features', body: { feature_service: 'svc', entities: { person_id: [1] } } });
    await api.startTrainingSet('adult_income', [{ datasetName: 'people', versionId: 'v1' }], 'svc');
    expect(last()).toEqual({ method: 'POST', url: '/training-sets', body: { trainingSet: 'adult_income', datasetVersions: [{ datasetName: 'people', versionId: 'v1' }], featureService: 'svc' } });
  });

  it('serving, ingestion, monitoring: predict, batch scoring, upload progress, health, segment config, feedback', async () => {
    await api.predict('m', { entities: { person_id: 1 } });
    expect(last()).toEqual({ method: 'POST', url: '/models/m/predict', body: { entities: { person_id: 1 } } });
    await api.startBatchScoring({ modelName: 'm', datasetName: 'd', versionId: 'v' });
    expect(last()).toEqual({ method: 'POST', url: '/batch-scoring-jobs', body: { modelName: 'm', datasetName: 'd', versionId: 'v' } });
    await api.getBatchScoring('j 1');
    expect(last()).toMatchObject({ method: 'GET', url: '/batch-scoring-jobs/j%201' });
    await api.getUpload('u-1');
    expect(last()).toMatchObject({ method: 'GET', url: '/uploads/u-1' });
    await api.health('m', { window: 'week', version: 2 });
    expect(last()).toMatchObject({ method: 'GET', url: '/models/m/health?window=week&version=2' });
    await api.segmentConfig('m');
    expect(last()).toMatchObject({ method: 'GET', url: '/models/m/segments/config' });
    const items = [{ predictionId: 'p', modelName: 'm', label: 1, observedAt: '2026-12-07T00:00:00Z' }];
    await api.feedback(items);
    expect(last()).toEqual({ method: 'POST', url: '/feedback', body: items });
  });
});
