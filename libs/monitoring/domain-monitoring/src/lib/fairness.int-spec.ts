import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { FeedbackReceivedV1, InferenceFailedV1, ModelRolloutChangedV1, PerformanceDegradedV1, PredictionLoggedV1 } from '@strata/contracts';
import { MonitoringApi } from '@strata/contracts/api';
import { EventPublisher } from '@strata/messaging';
import { AppErrorFilter } from '@strata/shared/nest-platform';
import { eventually, infraEnv, startGroupAtEnd, startService, uniqueName, waitReady, type RunningService, dropSchemas, listenTestApp } from '@strata/shared/testing';
import { register } from 'prom-client';
import { DataSource } from 'typeorm';
import { AggregationService } from './aggregation.service';
import { RolloutGuardService } from './rollout-guard.service';
import type { FairnessWindow, SegmentWindow } from './segments.service';
import { MonitoringModule } from './monitoring.module';
import { monitoringPlatformImports } from '../testing/monitoring-platform';

/**
 * Segment and fairness monitoring end to end on real PostgreSQL + Kafka with the REAL registry
 * (issue #17): predictions through the outbox → Kafka → consumer → segment counters; exact
 * per-segment numbers on `/segments` and `/fairness`; the minimum-count rule keeping a tiny
 * group out; a disparity alert published once; and a live rollout whose challenger is more
 * accurate but widens the demographic parity gap beyond the margin — refused by the registry,
 * with the numbers in the decision.
 */
describe('segment and fairness monitoring on real PostgreSQL + Kafka + registry', () => {
  const schema = uniqueName('monitoring_fair_it');
  const registrySchema = uniqueName('monitoring_fair_reg');
  const registryPort = 6610 + Math.floor(Math.random() * 50); // helper port block; fetch refuses 6665-6669 and 6697 (WHATWG bad ports)
  const registryUrl = `http://127.0.0.1:${registryPort}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-fairness-'));
  const model = uniqueName('fair').replace(/_/g, '-');
  let registryService: RunningService | undefined;
  let app: NestFastifyApplication;
  let base: string;
  let dataSource: DataSource;

  const reg = async (method: string, url: string, body?: unknown) => {
    const res = await fetch(`${registryUrl}${url}`, { method, headers: { 'content-type': 'application/json', 'x-strata-actor': 'test' }, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
  };
  const get = async <T>(url: string): Promise<{ status: number; body: T }> => {
    const res = await fetch(`${base}${url}`);
    return { status: res.status, body: (await res.json()) as T };
  };
  type LoggedRow = { id: string; v: number; sex: string; age?: number; p: number; y: number };
  /** Publishes one champion prediction of `modelName` per row (features x = 1, sex, age when given) and waits until all are aggregated. */
  const publishAggregated = async (modelName: string, rows: LoggedRow[], now: string): Promise<void> => {
    const publisher = app.get(EventPublisher);
    await dataSource.transaction(async (m) => {
      for (const r of rows) {
        await publisher.publish(m, PredictionLoggedV1, {
          predictionId: r.id, modelName, modelVersion: r.v, alias: 'champion', features: { x: 1, sex: r.sex, ...(r.age !== undefined ? { age: r.age } : {}) },
          outputs: { prediction: r.p >= 0.5 ? 1 : 0, probability: r.p }, latencyMs: 2, predictedAt: now, eventTime: '2020-05-10T10:00:00.000Z',
        });
      }
    });
    const aggregation = app.get(AggregationService);
    await eventually(async () => {
      await aggregation.catchUp();
      const n = (await dataSource.query(`select count(*)::int as n from "${schema}"."prediction" where model_name = $1 and seq is not null`, [modelName])) as Array<{ n: number }>;
      if (n[0]!.n !== rows.length) throw new Error(`aggregated ${n[0]!.n}/${rows.length}`);
    }, 60_000, 200);
  };
  /** Posts the rows' labels (accepted: 202). */
  const postLabels = async (modelName: string, rows: LoggedRow[], now: string): Promise<void> => {
    const fb = rows.map((r) => ({ predictionId: r.id, modelName, label: r.y, observedAt: now }));
    expect((await fetch(`${base}/feedback`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(fb) })).status).toBe(202);
  };
  /** The registry's first decision of `modelName` triggered by the live rollout, once there is one. */
  const liveDecision = (modelName: string) =>
    eventually(async () => {
      const page = await reg('GET', `/registered-models/${modelName}/promotion-decisions`);
      const d = (page.body['decisions'] as Array<Record<string, any>>).find((x) => x['trigger'] === 'live-rollout'); // eslint-disable-line @typescript-eslint/no-explicit-any
      if (!d) throw new Error('no live decision yet');
      return d;
    }, 60_000, 200);

  beforeAll(async () => {
    const env = infraEnv();
    registryService = startService('registry', registryPort, {
      DATABASE_URL: env.databaseUrl, KAFKA_BROKERS: env.kafkaBrokers.join(','), REGISTRY_DB_SCHEMA: registrySchema, STRATA_DATA_DIR: dataDir, STRATA_AUTH_MODE: 'off',
    });
    await waitReady(registryService);
    await startGroupAtEnd(env.kafkaBrokers, schema, [PredictionLoggedV1.topic, FeedbackReceivedV1.topic, InferenceFailedV1.topic, ModelRolloutChangedV1.topic]);
    const moduleRef = await Test.createTestingModule({
      imports: [
        ...monitoringPlatformImports(schema),
        MonitoringModule.forRoot({
          registryUrl, dataDir, psiThreshold: 0.1, driftShare: 0.5, psiEpsilon: 1e-4, minPredictions: 10, minLabeled: 10, minLabeledShare: 1, minRocAuc: 0.6, maxRocAucDrop: 0.05,
          evaluationWindow: 'month', evaluationIntervalMs: 0, httpTimeoutMs: 5000, countBlockSize: 10, countWindowSize: 20,
          rolloutGuard: { intervalMs: 200, minRequests: 20, maxErrorRate: 0.5, maxErrorRateRatio: 0, maxP99Seconds: 10, maxP99Ratio: 0, metric: 'accuracy' },
        }),
      ],
    }).compile();
    ({ app, base } = await listenTestApp(moduleRef, [new AppErrorFilter()]));
    dataSource = app.get(DataSource);
    await eventually(async () => {
      await dataSource.query(`select 1 from "${schema}"."segment_config" limit 1`);
    }, 30_000);
  }, 180_000);

  afterAll(async () => {
    await app?.close();
    await registryService?.stop();
    await dropSchemas(schema, registrySchema);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('rejects a bad segment config naming the field, and 404s reports without one', async () => {
    const bad = await fetch(`${base}/models/${model}/segments/config`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ segments: [{ name: 'sex' }], gate: { segment: 'race', metric: 'demographic_parity_difference', maxWidening: 0.1 } }) });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toContain('gate.segment: gate.segment must be one of the configured segments');
    expect((await get(`/models/${model}/fairness?window=month`)).status).toBe(404);
    expect((await get(`/models/${model}/segments?window=year`)).status).toBe(400);
  });

  it('refuses a live promotion whose challenger widens the demographic parity gap beyond the margin, and reports exact per-segment numbers', async () => {
    const put = await fetch(`${base}/models/${model}/segments/config`, {
      method: 'PUT', headers: { 'content-type': 'application/json', 'x-strata-actor': 'it' },
      body: JSON.stringify({ segments: [{ name: 'sex' }, { name: 'age', buckets: [40] }], minCount: 10, thresholds: { demographic_parity_difference: 0.2 }, gate: { segment: 'sex', metric: 'demographic_parity_difference', maxWidening: 0.05 } }),
    });
    expect(put.status).toBe(200);
    const stored = await put.json();
    expect(stored).toEqual(expect.objectContaining({ modelName: model, topN: 10, minCount: 10, updatedBy: 'it' }));
    // the stored config is the contract's SegmentConfigView (PUT and GET, what the typed client's putSegmentConfig / segmentConfig type)
    expect(MonitoringApi.putSegmentConfig.response.parse(stored).gate).toEqual(expect.objectContaining({ segment: 'sex', maxWidening: 0.05 }));
    expect(MonitoringApi.getSegmentConfig.response.parse((await get(`/models/${model}/segments/config`)).body)).toEqual(stored);

    // registry: v1 champion, v2 challenger under a live canary policy (accuracy, 20 labels per version)
    for (const v of [1, 2]) {
      const created = await reg('POST', `/registered-models/${model}/versions`, {
        runId: `${model}-run-${v}`, artifactUri: `file:///tmp/strata-it/${model}/${v}/model.onnx`, artifactSha256: String(v).repeat(64),
        signature: { inputs: [{ name: 'input', datatype: 'FP32', shape: [-1, 1] }], outputs: [{ name: 'probability', datatype: 'FP32', shape: [-1, 1] }] },
        lineage: { datasetVersions: [], featureViews: [] },
      });
      expect([created.status, created.body['version']]).toEqual([201, v]);
    }
    expect((await reg('PUT', `/registered-models/${model}/aliases/champion`, { version: 1, reason: 'it' })).status).toBe(200);
    expect((await reg('PUT', `/registered-models/${model}/promotion-policy`, {
      metric: 'accuracy', direction: 'maximize', minMargin: 0, autoPromote: false, rollout: { mode: 'canary', challengerWeight: 0.5, minLabeledPerVersion: 20 },
    })).status).toBe(200);
    expect((await reg('PUT', `/registered-models/${model}/aliases/challenger`, { version: 2, reason: 'it' })).status).toBe(200);
    const rolloutId = String((await reg('GET', `/models/${model}/rollouts/current`)).body['rolloutId']);
    await eventually(async () => {
      const res = await fetch(`${base}/models/${model}/rollouts/current/comparison`);
      if (res.status !== 200) throw new Error(`comparison ${res.status}`);
    }, 60_000, 200);

    // v1 (fair): per sex 20 predictions, 10 predicted positive; 7 + 7 right → accuracy 0.7; plus 3
    //   predictions of a tiny group C (all positive and right) that the min-count rule (10) keeps out.
    // v2 (more accurate, unfair): F 16/20 predicted positive, M 4/20; 20 + 18 right → accuracy 0.95.
    type Row = { id: string; v: number; sex: string; age: number; p: number; y: number };
    const rows: Row[] = [];
    const add = (v: number, sex: string, n: number, p: number, y: number) => {
      for (let i = 0; i < n; i++) rows.push({ id: `${model}-${v}-${sex}-${rows.length}`, v, sex, age: 20 + (rows.length % 40), p, y });
    };
    for (const sex of ['F', 'M']) {
      add(1, sex, 7, 0.9, 1); add(1, sex, 3, 0.9, 0); add(1, sex, 7, 0.1, 0); add(1, sex, 3, 0.1, 1);
    }
    add(1, 'C', 3, 0.9, 1);
    add(2, 'F', 16, 0.9, 1); add(2, 'F', 4, 0.1, 0);
    add(2, 'M', 4, 0.9, 1); add(2, 'M', 14, 0.1, 0); add(2, 'M', 2, 0.1, 1);
    const now = new Date().toISOString();
    await publishAggregated(model, rows, now);
    // before labels: coverage 0, selection rates already known
    const early = await get<SegmentWindow[]>(`/models/${model}/segments?window=month&version=2`);
    expect(early.body[0]!.segments[0]!.values.map((x) => [x.group, x.predictionCount, x.selectionRate, x.labelCoverage])).toEqual([['F', 20, 0.8, 0], ['M', 20, 0.2, 0]]);

    await postLabels(model, rows, now);

    const decision = await liveDecision(model);
    // accuracy alone would promote (0.95 vs 31/43); the gate refuses: DP difference 0.8 − 0.2 vs 0.5 − 0.5, C left out
    expect(decision).toEqual(expect.objectContaining({ outcome: 'rejected', challengerVersion: 2, championVersion: 1, challengerValue: 0.95, championValue: 31 / 43 }));
    const dp = 0.8 - 0.2;
    expect(decision['evidence']['disparity']).toEqual({
      segment: 'sex', metric: 'demographic_parity_difference', championVersion: 1, challengerVersion: 2, championValue: 0, challengerValue: dp, widening: dp, maxWidening: 0.05, maxValue: null, minValue: null, minCount: 10, passed: false, status: 'widened',
      source: 'segment-config', // the policy has no fairness: the legacy segment config gate applied (and recorded as such)
      reason: `demographic_parity_difference on 'sex': challenger v2 ${dp} vs champion v1 0, widening ${dp} > margin 0.05 (min count 10)`,
    });
    expect(decision['reason']).toContain(`; refused by the disparity gate: demographic_parity_difference on 'sex' ${dp} (v2) vs 0 (v1), widening ${dp} > margin 0.05 (min count 10)`);
    expect((await reg('GET', `/models/${model}/rollouts`)).body[0]).toEqual(expect.objectContaining({ rolloutId, status: 'rolled-back' }));
    // the comparison shows the same gate verdict on the same counters
    const ended = await eventually(async () => {
      const st = await app.get(AggregationService).rollout(model);
      if (st?.status !== 'rolled-back') throw new Error(`monitoring's rollout status ${st?.status}`);
      return st;
    }, 30_000, 200);
    const cmp = await app.get(RolloutGuardService)['compare'](ended);
    expect(cmp.disparityGate).toEqual(decision['evidence']['disparity']);
    // the comparison is the contract's RolloutComparison, its gate a LiveDisparityGate (issue 16)
    expect(MonitoringApi.rolloutComparison.response.parse(cmp).disparityGate?.source).toBe('segment-config');

    // /segments: exact per-value numbers (month of May 2020), values by prediction count, age bucketed
    const seg = await get<SegmentWindow[]>(`/models/${model}/segments?window=month`);
    expect(seg.status).toBe(200);
    // the windows are the contract's SegmentWindow (what the typed client's segments types)
    expect(MonitoringApi.segments.response.parse(seg.body)).toHaveLength(2);
    expect(seg.body.map((w) => [w.windowStart, w.modelVersion, w.predictionCount, w.labeledCount])).toEqual([['2020-05-01T00:00:00.000Z', 1, 43, 43], ['2020-05-01T00:00:00.000Z', 2, 40, 40]]);
    const v1 = seg.body[0]!.segments;
    expect(v1.map((s) => s.segment)).toEqual(['sex', 'age']);
    expect(v1[0]!.values.map((x) => [x.group, x.predictionCount, x.selectionRate, x.labelCoverage, x.performance.accuracy, x.truePositiveRate, x.falsePositiveRate])).toEqual([
      ['F', 20, 0.5, 1, 0.7, 0.7, 0.3], ['M', 20, 0.5, 1, 0.7, 0.7, 0.3], ['C', 3, 1, 1, 1, 1, null],
    ]);
    expect(v1[1]!.values.map((x) => x.group).sort()).toEqual(['<40', '>=40']);
    expect(v1[1]!.values.reduce((t, x) => t + x.predictionCount, 0)).toBe(43);

    // /fairness: the min-count rule keeps C out of v1; v2 breaches the DP threshold 0.2
    const fair = await get<FairnessWindow[]>(`/models/${model}/fairness?window=month`);
    const d = (w: number, metric: string) => fair.body[w]!.segments[0]!.disparities.find((x) => x.metric === metric)!;
    expect(d(0, 'demographic_parity_difference')).toEqual(expect.objectContaining({ value: 0, eligibleGroups: ['F', 'M'], excludedGroups: [{ group: 'C', count: 3 }], breached: false }));
    expect(d(1, 'demographic_parity_difference')).toEqual(expect.objectContaining({ value: dp, max: { group: 'F', rate: 0.8 }, min: { group: 'M', rate: 0.2 }, threshold: 0.2, breached: true }));
    expect(d(1, 'demographic_parity_ratio').value).toBe(0.25);
    // labeled positives: F 16, M 6 < 10 → the TPR gap (16/16 vs 4/6) is not judged on M's 6 positives
    expect(d(1, 'equal_opportunity_difference')).toEqual(expect.objectContaining({ value: null, status: 'insufficient_groups', eligibleGroups: ['F'], excludedGroups: [{ group: 'M', count: 6 }], breached: false }));
    expect(fair.body[1]!.segments[0]!.groups.map((g) => [g.group, g.truePositiveRate])).toEqual([['F', 1], ['M', 4 / 6]]);
    expect(MonitoringApi.fairness.response.parse(fair.body)).toHaveLength(fair.body.length);
    // count windows: v2's 40 predictions in windows of 20 (blocks of 10 merged), the same groups summed over them
    const counted = await get<FairnessWindow[]>(`/models/${model}/fairness?window=count&size=20&version=2`);
    expect(counted.body.map((w) => [w.windowKind, w.windowStart, w.sequenceStart, w.sequenceEnd, w.predictionCount])).toEqual([['count', null, 0, 20, 20], ['count', null, 20, 40, 20]]);
    const summed = new Map<string, number>();
    for (const w of counted.body) for (const g of w.segments[0]!.groups) summed.set(g.group, (summed.get(g.group) ?? 0) + g.predictedPositiveCount);
    expect(Object.fromEntries(summed)).toEqual({ F: 16, M: 4 });
    expect((await get<{ error: string }>(`/models/${model}/fairness?window=count&size=15`)).body.error).toBe("Query parameter 'size' must be a positive multiple of the count block size 10, got 15");
    expect((await get<SegmentWindow[]>(`/models/${model}/segments?window=count&size=40&version=1`)).body.map((w) => [w.sequenceStart, w.predictionCount])).toEqual([[0, 40], [40, 3]]);
    // the breach was announced once, as performance-degraded with the metric and segment
    await get(`/models/${model}/fairness?window=month`);
    const alerts = (await dataSource.query(
      `select convert_from(payload, 'UTF8')::jsonb as p from "${schema}"."outbox_event" where topic = $1 and key = $2`, [PerformanceDegradedV1.topic, model],
    )) as Array<{ p: Record<string, unknown> }>;
    // (v2's age buckets split the same way: its F rows are younger, so the age gap breaches too)
    const ageGap = fair.body[1]!.segments[1]!.disparities.find((x) => x.metric === 'demographic_parity_difference')!;
    expect(alerts.map((a) => [a.p['modelVersion'], a.p['metric'], a.p['value'], a.p['baseline'], a.p['threshold'], a.p['direction'], a.p['sampleSize']]).sort()).toEqual([
      [2, 'demographic_parity_difference:age', ageGap.value, 0, 0.2, 'lower-is-better', 40],
      [2, 'demographic_parity_difference:sex', dp, 0, 0.2, 'lower-is-better', 40],
    ]);
    // gauges: bounded labels (model, version, segment, value / metric)
    const text = await register.metrics();
    expect(text).toContain(`strata_monitoring_fairness_disparity{model="${model}",version="2",segment="sex",metric="demographic_parity_difference"} ${dp}`);
    expect(text).toContain(`strata_monitoring_segment_positive_rate{model="${model}",version="2",segment="sex",value="F"} 0.8`);
  }, 240_000);

  it("the live gate is the registry policy's fairness (one gate definition): a config without a gate, the policy's maxValue refuses", async () => {
    const m2 = `${model}-policy`;
    // monitoring counts sex (no gate here); the gate lives in the promotion policy, as the offline decision's
    expect((await fetch(`${base}/models/${m2}/segments/config`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ segments: [{ name: 'sex' }], minCount: 10 }) })).status).toBe(200);
    for (const v of [1, 2]) {
      const created = await reg('POST', `/registered-models/${m2}/versions`, {
        runId: `${m2}-run-${v}`, artifactUri: `file:///tmp/strata-it/${m2}/${v}/model.onnx`, artifactSha256: String(v + 2).repeat(64),
        signature: { inputs: [{ name: 'input', datatype: 'FP32', shape: [-1, 1] }], outputs: [{ name: 'probability', datatype: 'FP32', shape: [-1, 1] }] },
        lineage: { datasetVersions: [], featureViews: [] },
      });
      expect(created.status).toBe(201);
    }
    const fairness = { segment: 'sex', metric: 'demographic_parity_difference', maxWidening: null, maxValue: 0.3, minValue: null, minCount: 10, significantOnly: false };
    const policy = await reg('PUT', `/registered-models/${m2}/promotion-policy`, { metric: 'accuracy', direction: 'maximize', minMargin: 0, autoPromote: false, rollout: { mode: 'canary', challengerWeight: 0.5, minLabeledPerVersion: 20 }, fairness });
    expect([policy.status, policy.body['fairness']]).toEqual([200, fairness]);
    expect((await reg('PUT', `/registered-models/${m2}/aliases/challenger`, { version: 2, reason: 'it' })).status).toBe(200);
    await eventually(async () => {
      const res = await fetch(`${base}/models/${m2}/rollouts/current/comparison`);
      if (res.status !== 200) throw new Error(`comparison ${res.status}`);
    }, 60_000, 200);
    // v1: per sex 20 predictions, 10 positive, 14 right (accuracy 0.7); v2: F 16/20 positive, M 4/20, 38 right (0.95)
    const rows: Array<{ id: string; v: number; sex: string; p: number; y: number }> = [];
    const add = (v: number, sex: string, n: number, p: number, y: number) => {
      for (let i = 0; i < n; i++) rows.push({ id: `${m2}-${v}-${sex}-${rows.length}`, v, sex, p, y });
    };
    for (const sex of ['F', 'M']) {
      add(1, sex, 7, 0.9, 1); add(1, sex, 3, 0.9, 0); add(1, sex, 7, 0.1, 0); add(1, sex, 3, 0.1, 1);
    }
    add(2, 'F', 16, 0.9, 1); add(2, 'F', 4, 0.1, 0);
    add(2, 'M', 4, 0.9, 1); add(2, 'M', 14, 0.1, 0); add(2, 'M', 2, 0.1, 1);
    const now = new Date().toISOString();
    await publishAggregated(m2, rows, now);
    await postLabels(m2, rows, now);
    const decision = await liveDecision(m2);
    const dp = 0.8 - 0.2;
    expect(decision).toEqual(expect.objectContaining({ outcome: 'rejected', challengerVersion: 2, championVersion: 1, challengerValue: 0.95, championValue: 0.7 }));
    const ev = decision['evidence']['disparity'];
    expect([ev.source, ev.status, ev.challengerValue, ev.championValue, ev.maxValue, ev.maxWidening, ev.minCount, ev.challengerSignificant ?? null]).toEqual(['promotion-policy', 'limit_exceeded', dp, 0, 0.3, null, 10, null]);
    expect(decision['reason']).toContain(`; refused by the disparity gate: demographic_parity_difference on 'sex' ${dp} (v2) vs 0 (v1), max value 0.3 exceeded (${dp} > 0.3) (min count 10)`);
  }, 240_000);
});
