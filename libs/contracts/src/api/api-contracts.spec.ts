import { z } from 'zod';
import { fillPath, type ApiEndpoint } from './define-endpoint';
import { DatasetProfileSchema, DatasetValidationSchema, EVENT_TOPICS, FeaturesApi, IngestionApi, MonitoringApi, platformApi, RegistryApi, ServingApi, TrainingApi } from './index';

const AT = '2026-12-07T10:00:00.000Z';

const TABLES = { ingestion: IngestionApi, features: FeaturesApi, training: TrainingApi, registry: RegistryApi, serving: ServingApi, monitoring: MonitoringApi } as const;
const ALL: Array<[string, ApiEndpoint]> = [...Object.values(TABLES), platformApi('registry')].flatMap((t) => Object.entries(t) as Array<[string, ApiEndpoint]>);

describe('HTTP API contracts', () => {
  it.each(ALL)('%s: path parameters are exactly the keys of its params schema', (_name, endpoint) => {
    const inPath = [...endpoint.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    expect(Object.keys((endpoint.params as z.ZodObject).shape).sort()).toEqual(inPath);
  });

  it.each(ALL)('%s: body and response render as JSON Schema (the OpenAPI the controllers publish)', (_name, endpoint) => {
    for (const schema of [endpoint.response, endpoint.body, endpoint.query].filter((s): s is z.ZodType => s !== undefined)) {
      expect(typeof z.toJSONSchema(schema, { unrepresentable: 'any', io: 'output' })).toBe('object');
    }
  });

  it('each table belongs to its service', () => {
    for (const [service, table] of Object.entries(TABLES)) for (const endpoint of Object.values(table)) expect(endpoint.service).toBe(service);
  });

  it('the platform endpoints are declared for the service that serves them', () => {
    for (const service of Object.keys(TABLES) as Array<keyof typeof TABLES>) {
      const table = platformApi(service);
      expect(Object.values(table).map((e) => [e.service, e.method, e.path])).toEqual([
        [service, 'GET', '/audit-log'],
        [service, 'GET', '/dead-letters/topics'],
        [service, 'GET', '/dead-letters'],
        [service, 'POST', '/dead-letters/replay'],
        [service, 'GET', '/auth/whoami'],
      ]);
    }
  });

  it('lists every event topic with its consumers (where dead letters come from)', () => {
    expect(EVENT_TOPICS.find((t) => t.topic === 'strata.serving.prediction-logged.v1')?.consumers).toContain('monitoring');
    expect(new Set(EVENT_TOPICS.map((t) => t.topic)).size).toBe(EVENT_TOPICS.length);
  });

  it("a dataset version's profile and validation parse with their schemas", () => {
    const profile = {
      rowCount: 3,
      columns: [
        { name: 'age', type: 'INT64', count: 3, nullCount: 0, distinctApprox: 3, min: 19, max: 61, mean: 38.3, stddev: 21.0, quantiles: { p50: 35 }, topValues: [{ value: 19, count: 1 }] },
        { name: 'workclass', type: 'STRING', count: 3, nullCount: 1, distinctApprox: 2, min: 'Private', max: 'State-gov', topValues: [{ value: 'Private', count: 1 }] },
      ],
    };
    expect(DatasetProfileSchema.parse(profile).columns.map((c) => c.name)).toEqual(['age', 'workclass']);
    const validation = { policy: 'quarantine', inputRowCount: 5, invalidRowCount: 2, issueCount: 2, issues: [{ row: 3, column: 'age', rule: 'type', message: "value 'x' is not a valid INT64", value: 'x' }], quarantine: { uri: 's3://lake/q.parquet', sha256: 'a'.repeat(64), sizeBytes: 900, rowCount: 2 } };
    expect(DatasetValidationSchema.parse(validation).quarantine?.rowCount).toBe(2);
  });

  it('a rollout, its live comparison and the caller of whoami parse as the registry, monitoring and every service send them', () => {
    const rollout = {
      rolloutId: 'r-1', modelName: 'adult-income', status: 'active', mode: 'canary', championVersion: 1, challengerVersion: 2, challengerWeight: 0.1, stickyKey: null,
      route: { alias: 'champion' }, actor: 'key:ml', reason: 'canary', startedAt: AT, updatedAt: AT, endedBy: null, endReason: null, endedAt: null,
    };
    expect(RegistryApi.listRollouts.response.parse([rollout])[0]?.challengerWeight).toBe(0.1);
    expect(RegistryApi.promoteRollout.response.safeParse({ ...rollout, status: 'paused' }).success).toBe(false);
    const latency = { p50: 0.004, p95: 0.01, p99: 0.02, relativeAccuracy: 0.01 };
    const arm = (role: string, version: number) => ({ role, version, requestCount: 120, predictionCount: 118, errorCount: 2, errorRate: 2 / 120, latencySeconds: latency, labeledCount: 50, unlabeledCount: 68, metricValue: 0.9, excluded: { predictionCount: 0, labeledCount: 0 }, byAlias: [] });
    const comparison = {
      modelName: 'adult-income', rolloutId: 'r-1', mode: 'canary', status: 'active', startedAt: AT, challengerWeight: 0.1, trainingDataCutoff: null, metric: { name: 'roc_auc', higherIsBetter: true },
      champion: arm('champion', 1), challenger: arm('challenger', 2), disparityGate: null,
      guard: { enabled: true, thresholds: { intervalMs: 5000, minRequests: 100, maxErrorRate: 0.05, maxErrorRateRatio: 0, maxP99Seconds: 1, maxP99Ratio: 0, metric: 'roc_auc' }, breaches: [], rollbackRequestedAt: null, rollbackReason: null },
    };
    expect(MonitoringApi.rolloutComparison.response.parse(comparison).challenger.latencySeconds.p99).toBe(0.02);
    const who = { id: 'anonymous', name: 'anonymous', via: 'anonymous', roles: [], projects: null, authEnforced: false, permissions: null };
    expect(platformApi('monitoring').whoami.response.parse(who).permissions).toBeNull();
  });

  it('a search start, a prediction, an upload and a materialization answer parse as training, serving, ingestion and features send them', () => {
    const started = { searchId: 's-1', workflowId: 'search:m:r', requestId: 'r', status: 'RUNNING', alreadyExists: false, trials: [{ runId: 'run-0', params: { l2: 0.1, solver: 'lbfgs' } }] };
    expect(TrainingApi.startTrainingSearch.response.parse(started).trials[0]!.params['l2']).toBe(0.1);
    expect(TrainingApi.startTrainingSearch.response.safeParse({ ...started, trials: [{ runId: 'run-0', params: { l2: [0.1] } }] }).success).toBe(false);
    const prediction = { predictionId: 'p-1', modelName: 'm', modelVersion: 2, probability: 0.25, features: { age: 39, sex: 'Male', hours: null }, featureStatuses: { age: 'PRESENT', sex: 'PRESENT', hours: 'NOT_FOUND' } };
    expect(ServingApi.predict.response.parse(prediction).features['hours']).toBeNull();
    expect(ServingApi.predict.response.safeParse({ ...prediction, probability: null }).success).toBe(false);
    const upload = {
      id: 'u-1', datasetName: 'people', format: 'csv', state: 'done', bytesReceived: 1200, rowsReceived: 20, totalBytes: null, percent: null,
      startedAt: AT, updatedAt: AT, finishedAt: AT, versionId: 'v-1', rowsAccepted: 19, rowsInvalid: 1, error: null,
    };
    expect(IngestionApi.getUpload.response.parse(upload).rowsInvalid).toBe(1);
    expect(IngestionApi.getUpload.response.safeParse({ ...upload, state: 'paused' }).success).toBe(false);
    expect(FeaturesApi.materialize.response.parse({ featureView: 'person_profile', status: 'UP_TO_DATE', materializedUntil: AT }).status).toBe('UP_TO_DATE');
  });

  it('fillPath URI-encodes parameters and names a missing one', () => {
    expect(fillPath('/registered-models/{name}/aliases/{alias}', { name: 'a b', alias: 'champion' })).toBe('/registered-models/a%20b/aliases/champion');
    expect(() => fillPath('/runs/{runId}', {})).toThrow("path parameter 'runId' of /runs/{runId} is missing");
  });

  it('a registry model version parses; one without its artifact digest does not', () => {
    const version = {
      name: 'adult-income', version: 3, runId: 'r-1', workflowId: null, artifactUri: 's3://b/m.onnx', artifactSha256: 'a'.repeat(64), signature: {}, metrics: { roc_auc: 0.91, log_loss: 'NaN' },
      params: {}, lineage: {}, referenceProfileUri: null, referenceProfileSha256: null, status: 'READY', description: null, tags: {}, aliases: ['champion'], createdBy: 'training', createdAt: '2026-12-07T00:00:00.000Z',
      updatedAt: '2026-12-07T00:00:00.000Z', servable: true, notServableReason: null, source: null, sourceRunId: null, currentStage: 'None',
    };
    expect(RegistryApi.getModelVersion.response.parse(version).metrics['log_loss']).toBe('NaN');
    const { artifactSha256: _omitted, ...withoutDigest } = version;
    expect(RegistryApi.getModelVersion.response.safeParse(withoutDigest).success).toBe(false);
  });
  it("serving's batch scoring job list parses a job as the service serialises it; an unknown status does not", () => {
    const job = {
      jobId: '0b7c1f7e-3a52-4c1e-9a34-5f1d1c2e9a10', workflowId: 'batch-score:adult-income:req-1', requestId: 'req-1', status: 'SUCCEEDED', modelName: 'adult-income', alias: null, modelVersion: 2,
      datasetName: 'adult_people', versionId: '7f1c2d3e-0000-4000-8000-000000000001', inputUri: null, inputSha256: 'b'.repeat(64), outputColumns: null, progress: { rowsDone: 32561, rowsTotal: 32561 },
      outputUri: 's3://strata/batch-scoring/0b7c1f7e/output.parquet', outputSha256: 'c'.repeat(64), rowCount: 32561, errorCode: null, error: null,
      createdAt: '2026-12-07T10:00:00.000Z', updatedAt: '2026-12-07T10:01:00.000Z', finishedAt: '2026-12-07T10:01:00.000Z',
    };
    expect(ServingApi.listBatchScoringJobs.path).toBe('/batch-scoring-jobs');
    expect(ServingApi.listBatchScoringJobs.response.parse([job])[0]!.rowCount).toBe(32561);
    expect(ServingApi.listBatchScoringJobs.response.safeParse([{ ...job, status: 'DONE' }]).success).toBe(false);
  });

  it('a fairness window, a segment config, a promotion policy and an OIP request parse as monitoring, the registry and serving send or take them; an unknown metric, kind or empty input list does not (issue 16)', () => {
    const disparity = {
      metric: 'demographic_parity_difference', value: 0.6, status: 'ok', max: { group: 'F', rate: 0.8 }, min: { group: 'M', rate: 0.2 }, eligibleGroups: ['F', 'M'], excludedGroups: [{ group: 'C', count: 3 }],
      maxInterval: { low: 0.58, high: 0.92 }, minInterval: { low: 0.08, high: 0.42 }, significant: true, threshold: 0.2, breached: true,
    };
    const group = { group: 'F', predictionCount: 20, predictedPositiveCount: 16, labeledCount: 20, tp: 16, fp: 0, tn: 4, fn: 0, selectionRate: 0.8, truePositiveRate: 1, falsePositiveRate: 0, positivePredictiveValue: 1 };
    const window = { windowKind: 'count', windowStart: null, windowEnd: null, sequenceStart: 0, sequenceEnd: 20, modelVersion: 2, predictionCount: 20, labeledCount: 20, minCount: 10, segments: [{ segment: 'sex', groups: [group], disparities: [disparity] }] };
    expect(MonitoringApi.fairness.response.parse([window])[0]!.segments[0]!.disparities[0]!.eligibleGroups).toEqual(['F', 'M']);
    expect(MonitoringApi.fairness.response.safeParse([{ ...window, windowKind: 'hour' }]).success).toBe(false);
    expect(MonitoringApi.fairness.response.safeParse([{ ...window, segments: [{ segment: 'sex', groups: [group], disparities: [{ ...disparity, metric: 'parity' }] }] }]).success).toBe(false);
    const gate = { segment: 'sex', metric: 'demographic_parity_difference', maxWidening: 0.05, maxValue: null, minValue: null, significantOnly: false };
    const config = { modelName: 'adult-income', segments: [{ name: 'sex' }, { name: 'age', buckets: [40] }], topN: 10, minCount: 10, thresholds: { demographic_parity_difference: 0.2 }, gate, updatedBy: 'ops', updatedAt: AT };
    expect(MonitoringApi.getSegmentConfig.response.parse(config).gate?.maxWidening).toBe(0.05);
    expect(MonitoringApi.getSegmentConfig.response.safeParse({ ...config, thresholds: { parity: 0.2 } }).success).toBe(false);
    const policy = {
      name: 'adult-income', metric: 'accuracy', direction: 'maximize', minMargin: 0, autoPromote: false, rollout: { mode: 'canary', challengerWeight: 0.5, stickyKey: null, minLabeledPerVersion: 20 },
      fairness: { ...gate, minCount: 30 }, updatedBy: 'ops', updatedAt: AT,
    };
    expect(RegistryApi.getPromotionPolicy.response.parse(policy).fairness?.minCount).toBe(30);
    expect(RegistryApi.getPromotionPolicy.response.safeParse({ ...policy, fairness: { ...policy.fairness, metric: 'parity' } }).success).toBe(false);
    const request = { id: 'r1', inputs: [{ name: 'input', datatype: 'FP32', shape: [2, 3], data: [[1, 2.5, 3], [4, 5, 6]] }], outputs: [{ name: 'probability' }] };
    expect(ServingApi.infer.body.parse(request).inputs[0]!.shape).toEqual([2, 3]);
    expect(ServingApi.infer.body.safeParse({ ...request, inputs: [] }).success).toBe(false);
    expect(ServingApi.infer.response.parse({ model_name: 'm', model_version: '1', outputs: [{ name: 'probability', datatype: 'FP32', shape: [2, 1], data: [0.1, 0.9] }] }).outputs[0]!.data).toEqual([0.1, 0.9]);
  });
});
