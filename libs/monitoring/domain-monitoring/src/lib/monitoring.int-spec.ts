import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { FeedbackReceivedV1, InferenceFailedV1, ModelRolloutChangedV1, PredictionLoggedV1 } from '@strata/contracts';
import { MonitoringApi } from '@strata/contracts/api';
import { EventPublisher } from '@strata/messaging';
import { buildReferenceProfile, type NumericFeatureProfile, type ReferenceProfile } from '@strata/shared/util-drift';
import { LocalObjectStore } from '@strata/shared/data-access-object-store';
import { AppErrorFilter } from '@strata/shared/nest-platform';
import { eventually, infraEnv, startGroupAtEnd, startService, uniqueName, waitReady, type RunningService, mulberry32 as rng, dropSchemas, listenTestApp, waitForTable } from '@strata/shared/testing';
import { DataSource } from 'typeorm';
import { MONITORING_OPTIONS, type MonitoringOptions } from './monitoring.constants';
import { MonitoringModule } from './monitoring.module';
import { AggregationService } from './aggregation.service';
import { RolloutGuardService, type RolloutComparison } from './rollout-guard.service';
import { monitoringPlatformImports } from '../testing/monitoring-platform';

/**
 * PSI written from the definition, independently of util-drift: range bins (issue #19) — values
 * below the reference min / above its max in their own underflow / overflow bins (reference
 * share 0), the rest left-closed by the stored edges — ε for empty bins, no renormalisation.
 */
function independentPsi(f: NumericFeatureProfile, values: Array<number | null>, eps = 1e-4): number {
  const interior = f.edges.slice(1, -1) as number[];
  const counts = new Array<number>(interior.length + 3).fill(0); // [under, bins…, over]
  let n = 0;
  for (const v of values) {
    if (v === null) continue;
    n++;
    if (v < f.min!) counts[0]!++;
    else if (v > f.max!) counts[interior.length + 2]!++;
    else {
      let b = 0;
      while (b < interior.length && interior[b]! <= v) b++;
      counts[b + 1]!++;
    }
  }
  const refShares = [0, ...f.proportions, 0];
  let sum = 0;
  counts.forEach((c, i) => {
    const cur = c / n > 0 ? c / n : eps;
    const ref = refShares[i]! > 0 ? refShares[i]! : eps;
    sum += (cur - ref) * Math.log(cur / ref);
  });
  return sum;
}

type Window = {
  windowStart: string; windowEnd: string; modelVersion: number; predictionCount: number; labeledCount: number;
  drift: Array<{ feature: string; method: string; score: number | null; threshold: number; drifted: boolean }>;
  driftShare: number; datasetDrift: boolean; performance: { rocAuc: number | null; accuracy: number | null; logLoss: number | null };
  unlabeledCount: number; errorCount: number; errorRate: number | null; sequenceStart: number | null; sequenceEnd: number | null;
  latencySeconds: { p50: number | null; p95: number | null; p99: number | null };
};

describe('monitoring on real PostgreSQL + Kafka', () => {
  const model = uniqueName('taxi-tip').replace(/_/g, '-');
  const schema = uniqueName('monitoring_it');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-monitoring-'));
  const store = new LocalObjectStore(dataDir);
  let app: NestFastifyApplication;
  let base: string;
  let dataSource: DataSource;
  let registry: http.Server;
  let profile: ReferenceProfile;
  const registryCalls: string[] = [];
  const canaryModel = uniqueName('canary').replace(/_/g, '-');
  /** Rollback calls the guard made (seen on their way to the real registry). */
  const rollbacks: Array<{ url: string; actor: string | undefined; body: { reason: string } }> = [];
  /** The REAL registry (rollouts): own schema, auth off; the local server below forwards to it. */
  const registrySchema = uniqueName('monitoring_it_reg');
  const registryPort = 28000 + Math.floor(Math.random() * 900);
  const realRegistry = `http://127.0.0.1:${registryPort}`;
  /** A JSON call to the real registry as actor `test`: its status and parsed body. */
  const reg = async (method: string, url: string, body?: unknown) => {
    const res = await fetch(`${realRegistry}${url}`, { method, headers: { 'content-type': 'application/json', 'x-strata-actor': 'test' }, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
  };
  /**
   * Registers versions 1 and 2 of `model` in the real registry (placeholder artifacts, one FP32
   * input), `lineage(v)` added to version v's lineage; each must answer 201 with its number.
   */
  const registerVersions1And2 = async (model: string, lineage: (v: number) => Record<string, unknown> = () => ({})): Promise<void> => {
    for (const v of [1, 2]) {
      const created = await reg('POST', `/registered-models/${model}/versions`, {
        runId: `${model}-run-${v}`,
        artifactUri: `file:///tmp/strata-it/${model}/${v}/model.onnx`,
        artifactSha256: String(v).repeat(64),
        signature: { inputs: [{ name: 'input', datatype: 'FP32', shape: [-1, 1] }], outputs: [{ name: 'probability', datatype: 'FP32', shape: [-1, 1] }] },
        lineage: { datasetVersions: [], featureViews: [], ...lineage(v) },
      });
      expect([created.status, created.body['version']]).toEqual([201, v]);
    }
  };
  let registryService: RunningService | undefined;

  // training slice: a ~ U(0, 10), b ~ U(0, 1)
  const r = rng(7);
  const train = { a: Array.from({ length: 500 }, () => r() * 10), b: Array.from({ length: 500 }, () => r()) };
  // January: like training; February: `a` shifted up by 5 (drift), `b` unchanged
  const jan = Array.from({ length: 40 }, (_, i) => ({ id: `${model}-jan-${i}`, a: r() * 10, b: r(), p: r(), t: `2020-01-${String(1 + (i % 28)).padStart(2, '0')}T12:00:00.000Z` }));
  const feb = Array.from({ length: 20 }, (_, i) => ({ id: `${model}-feb-${i}`, a: 5 + r() * 10, b: i % 5 === 0 ? null : r(), p: r(), t: `2020-02-${String(1 + (i % 28)).padStart(2, '0')}T08:00:00.000Z` }));

  beforeAll(async () => {
    profile = buildReferenceProfile(train, { bins: 10 });
    const put = await store.put(`models/${model}/1/reference-profile.json`, Buffer.from(JSON.stringify(profile)));
    const env0 = infraEnv();
    registryService = startService('registry', registryPort, {
      DATABASE_URL: env0.databaseUrl,
      KAFKA_BROKERS: env0.kafkaBrokers.join(','),
      REGISTRY_DB_SCHEMA: registrySchema,
      STRATA_DATA_DIR: dataDir,
      STRATA_AUTH_MODE: 'off',
    });
    registry = http.createServer((req, res) => {
      registryCalls.push(req.url ?? '');
      res.setHeader('content-type', 'application/json');
      if (req.url === `/registered-models/${model}/versions/1`) {
        // the drift model's version: a fixed reference profile (this test's own store)
        res.end(JSON.stringify({ name: model, version: 1, metrics: { roc_auc: 0.9 }, referenceProfileUri: put.uri, referenceProfileSha256: put.sha256 }));
        return;
      }
      // everything else (the canary model's rollouts) goes to the real registry, as sent
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString('utf8')));
      req.on('end', () => {
        if (req.method === 'POST' && req.url === `/models/${canaryModel}/rollouts/current/rollback`) {
          rollbacks.push({ url: req.url ?? '', actor: req.headers['x-strata-actor'] as string | undefined, body: JSON.parse(body) as { reason: string } });
        }
        const headers: Record<string, string> = {};
        for (const h of ['content-type', 'x-strata-actor', 'authorization']) if (typeof req.headers[h] === 'string') headers[h] = req.headers[h] as string;
        fetch(`${realRegistry}${req.url ?? ''}`, { method: req.method, headers, body: body || undefined })
          .then(async (r) => {
            res.statusCode = r.status;
            res.end(await r.text());
          })
          .catch((e: unknown) => {
            res.statusCode = 502;
            res.end(JSON.stringify({ error: String(e) }));
          });
      });
    });
    await new Promise<void>((resolve) => registry.listen(0, '127.0.0.1', resolve));
    await waitReady(registryService);
    const env = infraEnv();
    // the shared prediction-logged topic may hold many events from other runs: start after them
    await startGroupAtEnd(env.kafkaBrokers, schema, [PredictionLoggedV1.topic, FeedbackReceivedV1.topic, InferenceFailedV1.topic, ModelRolloutChangedV1.topic]);
    const moduleRef = await Test.createTestingModule({
      imports: [
        ...monitoringPlatformImports(schema),
        MonitoringModule.forRoot({
          registryUrl: `http://127.0.0.1:${(registry.address() as AddressInfo).port}`, dataDir,
          psiThreshold: 0.1, driftShare: 0.5, psiEpsilon: 1e-4, minPredictions: 10, minLabeled: 10, minLabeledShare: 1, minRocAuc: 0.6, maxRocAucDrop: 0.05,
          evaluationWindow: 'month', evaluationIntervalMs: 0, httpTimeoutMs: 2000, countBlockSize: 10, countWindowSize: 20,
          rolloutGuard: { intervalMs: 200, minRequests: 20, maxErrorRate: 0.1, maxErrorRateRatio: 0, maxP99Seconds: 1, maxP99Ratio: 0, metric: 'accuracy' },
        }),
      ],
    }).compile();
    ({ app, base } = await listenTestApp(moduleRef, [new AppErrorFilter()]));
    dataSource = app.get(DataSource);
    await waitForTable(dataSource, schema, 'prediction');
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    registry?.close();
    await registryService?.stop();
    await dropSchemas(schema, registrySchema);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  const getWindows = async (kind = 'month'): Promise<Window[]> => {
    const res = await fetch(`${base}/models/${model}/windows?window=${kind}`);
    expect(res.status).toBe(200);
    return (await res.json()) as Window[];
  };

  it('consumes prediction-logged events, joins feedback, and reports windows with exact counts and PSI', async () => {
    const publisher = app.get(EventPublisher);
    const event = (x: { id: string; a: number; b: number | null; p: number; t: string }): PredictionLoggedV1 => ({
      predictionId: x.id, modelName: model, modelVersion: 1, alias: 'champion', features: { a: x.a, b: x.b },
      outputs: { prediction: x.p >= 0.5 ? 1 : 0, probability: x.p }, latencyMs: 0.5, predictedAt: '2026-11-29T00:00:00.000Z', eventTime: x.t,
    });
    await dataSource.transaction(async (manager) => {
      for (const x of [...jan, ...feb]) await publisher.publish(manager, PredictionLoggedV1, event(x));
      // the same prediction again (another event id): stored once
      await publisher.publish(manager, PredictionLoggedV1, event(jan[0]!));
    });

    // every prediction is stored before any label arrives (labels come later in real life too)
    await eventually(async () => {
      const w = await getWindows();
      if (w.reduce((n, x) => n + x.predictionCount, 0) !== 60) throw new Error(`predictions not all stored yet: ${JSON.stringify(w.map((x) => x.predictionCount))}`);
    }, 60_000, 250);

    // feedback for every January prediction: label = 1 − round(p) (a model that is always wrong → AUC 0)
    const feedback = jan.map((x) => ({ predictionId: x.id, modelName: model, label: x.p >= 0.5 ? 0 : 1, observedAt: '2020-03-01T00:00:00.000Z' }));
    const posted = await fetch(`${base}/feedback`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(feedback) });
    expect(posted.status).toBe(202);
    expect(await posted.json()).toEqual({ accepted: 40 });

    const windows = await eventually(async () => {
      const w = await getWindows();
      if (w.length !== 2 || w[0]!.predictionCount !== 40 || w[1]!.predictionCount !== 20 || w[0]!.labeledCount !== 40) {
        throw new Error(`not yet: ${JSON.stringify(w.map((x) => [x.windowStart, x.predictionCount, x.labeledCount]))}`);
      }
      return w;
    }, 60_000, 250);

    expect(windows.map((w) => [w.windowStart, w.windowEnd, w.modelVersion, w.predictionCount, w.labeledCount])).toEqual([
      ['2020-01-01T00:00:00.000Z', '2020-02-01T00:00:00.000Z', 1, 40, 40],
      ['2020-02-01T00:00:00.000Z', '2020-03-01T00:00:00.000Z', 1, 20, 0],
    ]);
    const [fa, fb] = profile.features as NumericFeatureProfile[];
    const expectPsi = (w: Window, rows: Array<{ a: number; b: number | null }>): void => {
      expect(w.drift.map((d) => d.feature)).toEqual(['a', 'b']);
      expect(Math.abs(w.drift[0]!.score! - independentPsi(fa!, rows.map((x) => x.a)))).toBeLessThan(1e-9);
      expect(Math.abs(w.drift[1]!.score! - independentPsi(fb!, rows.map((x) => x.b)))).toBeLessThan(1e-9);
    };
    expectPsi(windows[0]!, jan);
    expectPsi(windows[1]!, feb);
    expect(windows[1]!.drift[0]).toEqual(expect.objectContaining({ feature: 'a', method: 'psi', threshold: 0.1, drifted: true }));
    expect(windows[1]!.datasetDrift).toBe(windows[1]!.drift.filter((d) => d.drifted).length / 2 >= 0.5);
    expect(windows[0]!.performance).toEqual(expect.objectContaining({ rocAuc: 0, accuracy: 0, logLoss: expect.any(Number), precision: 0, recall: 0, f1: 0 }));
    expect(windows[1]!.performance).toEqual(expect.objectContaining({ rocAuc: null, accuracy: null, logLoss: null }));
    // delayed labels: January fully labeled, February still waiting for all 20
    expect(windows.map((w) => [w.unlabeledCount, w.errorCount, w.errorRate])).toEqual([[0, 0, 0], [20, 0, 0]]);
    // latency 0.5 ms → 0.0005 s within the sketch's 1%
    expect(Math.abs(windows[0]!.latencySeconds.p99! - 0.0005)).toBeLessThanOrEqual(0.000005);

    // count windows: every 20 predictions in arrival order (blocks of 10 merged); the duplicate is not counted
    const counts = await getWindows('count&size=20');
    expect(counts.map((w) => [w.sequenceStart, w.sequenceEnd, w.windowStart, w.predictionCount])).toEqual([[0, 20, null, 20], [20, 40, null, 20], [40, 60, null, 20]]);
    expect(counts.reduce((n, w) => n + w.labeledCount, 0)).toBe(40);
    expect((await fetch(`${base}/models/${model}/windows?window=count&size=15`)).status).toBe(400);
    // alias filter: all traffic came through 'champion'
    expect((await getWindows('month&alias=champion')).map((w) => w.predictionCount)).toEqual([40, 20]);
    expect(await getWindows('month&alias=_none')).toEqual([]);

    // the reference profile was fetched once from the registry, verified and stored
    const stored = (await dataSource.query(`select sha256, profile from "${schema}"."reference_profile" where model_name = $1`, [model])) as Array<{ sha256: string; profile: unknown }>;
    expect(stored).toHaveLength(1);
    expect(stored[0]!.sha256).toBe(createHash('sha256').update(JSON.stringify(profile)).digest('hex'));
    expect(stored[0]!.profile).toEqual(profile);
    expect(registryCalls.filter((u) => u === `/registered-models/${model}/versions/1`)).toHaveLength(1);

    // persisted reports, and alerts published once per window even when recomputed
    await getWindows();
    const reports = (await dataSource.query(`select window_start, prediction_count from "${schema}"."window_report" where model_name = $1 and window_kind = 'month' order by window_start`, [model])) as Array<{ prediction_count: number }>;
    expect(reports.map((x) => x.prediction_count)).toEqual([40, 20]);
    const alerts = (await dataSource.query(
      `select topic, payload from "${schema}"."outbox_event" where topic in ('strata.monitoring.drift-detected.v1', 'strata.monitoring.performance-degraded.v1') order by seq`,
    )) as Array<{ topic: string; payload: Buffer }>;
    const parsed = alerts.map((x) => ({ topic: x.topic, value: JSON.parse(x.payload.toString('utf8')) as Record<string, unknown> }));
    const drifts = parsed.filter((x) => x.topic === 'strata.monitoring.drift-detected.v1');
    const degraded = parsed.filter((x) => x.topic === 'strata.monitoring.performance-degraded.v1');
    expect(drifts.map((d) => d.value['windowStart'])).toEqual(windows.filter((w) => w.datasetDrift).map((w) => w.windowStart));
    expect(degraded).toHaveLength(1);
    expect(degraded[0]!.value).toEqual(expect.objectContaining({
      modelName: model, modelVersion: 1, metric: 'roc_auc', direction: 'higher-is-better', value: 0, baseline: 0.9, threshold: 0.85, sampleSize: 40,
      windowStart: '2020-01-01T00:00:00.000Z', windowEnd: '2020-02-01T00:00:00.000Z',
    }));

    // gauges with bounded labels
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain(`strata_monitoring_predictions_total{model="${model}",version="1"} 60`);
    expect(metrics).toMatch(new RegExp(`strata_monitoring_feature_psi\\{model="${model}",version="1",feature="a"\\} [0-9.e-]+`));
    expect(metrics).not.toContain(`${model}-jan-0`);
  }, 120_000);

  it('rolls a failing canary back once, with the numbers, and compares champion and challenger on live traffic', async () => {
    const publisher = app.get(EventPublisher);
    // A real rollout in the real registry: versions 1 (champion) and 2 (challenger), canary 30%.
    await registerVersions1And2(canaryModel);
    expect((await reg('PUT', `/registered-models/${canaryModel}/aliases/champion`, { version: 1, reason: 'it' })).status).toBe(200);
    expect((await reg('PUT', `/registered-models/${canaryModel}/aliases/challenger`, { version: 2, reason: 'it' })).status).toBe(200);
    const started = await reg('POST', `/models/${canaryModel}/rollouts`, { mode: 'canary', challengerWeight: 0.3, reason: 'canary' });
    expect(started.status).toBe(201);
    expect(started.body).toEqual(expect.objectContaining({ status: 'active', route: { mode: 'canary', championVersion: 1, challengerVersion: 2, challengerWeight: 0.3, stickyKey: null } }));
    const rolloutId = String(started.body['rolloutId']);
    // traffic after the rollout started (the registry announces it on Kafka; monitoring attributes by time)
    const now = new Date().toISOString();
    const pred = (i: number, version: number, latencyMs: number, p: number): PredictionLoggedV1 => ({
      predictionId: `${canaryModel}-${version}-${i}`, modelName: canaryModel, modelVersion: version, alias: 'champion', features: { a: i },
      outputs: { prediction: p >= 0.5 ? 1 : 0, probability: p }, latencyMs, predictedAt: now,
    });
    const failure = (version: number, rowCount: number): InferenceFailedV1 => ({
      modelName: canaryModel, modelVersion: version, alias: 'champion', rowCount, errorCode: 'MODEL_EXECUTION_FAILED', httpStatus: 500, message: 'boom', latencyMs: 3, failedAt: now,
    });
    // the rollout must be known before the traffic is attributed to it
    await eventually(async () => {
      const res = await fetch(`${base}/models/${canaryModel}/rollouts/current/comparison`);
      if (res.status !== 200) throw new Error(`comparison ${res.status}`);
    }, 60_000, 200);
    await dataSource.transaction(async (manager) => {
      for (let i = 0; i < 30; i++) await publisher.publish(manager, PredictionLoggedV1, pred(i, 1, 5, i < 15 ? 0.9 : 0.1));
      for (let i = 0; i < 25; i++) await publisher.publish(manager, PredictionLoggedV1, pred(i, 2, 20, 0.8));
    });
    // every prediction counted, no failure yet: within thresholds, no rollback
    await eventually(async () => {
      const cmp = (await (await fetch(`${base}/models/${canaryModel}/rollouts/current/comparison`)).json()) as RolloutComparison;
      if (cmp.champion.predictionCount !== 30 || cmp.challenger.predictionCount !== 25) throw new Error(`not yet ${JSON.stringify([cmp.champion.predictionCount, cmp.challenger.predictionCount])}`);
      expect(cmp.guard.breaches).toEqual([]);
      // the answer is the contract's RolloutComparison: each arm with its per-alias numbers, no disparity gate (issue 16)
      expect(MonitoringApi.rolloutComparison.response.parse(cmp).disparityGate).toBeNull();
    }, 60_000, 200);
    await app.get(RolloutGuardService).checkAll();
    expect(rollbacks).toHaveLength(0);
    // failures on one partition in order (champion's first): the guard sees 1/31 and then 5/30
    await dataSource.transaction(async (manager) => {
      await publisher.publish(manager, InferenceFailedV1, failure(1, 1));
      await publisher.publish(manager, InferenceFailedV1, failure(2, 5));
    });
    // labels for the champion: all correct (first 15 positive) → accuracy 1; challenger: 10 labels, 4 correct
    const fb = [
      ...Array.from({ length: 30 }, (_, i) => ({ predictionId: `${canaryModel}-1-${i}`, modelName: canaryModel, label: i < 15 ? 1 : 0, observedAt: now })),
      ...Array.from({ length: 10 }, (_, i) => ({ predictionId: `${canaryModel}-2-${i}`, modelName: canaryModel, label: i < 4 ? 1 : 0, observedAt: now })),
    ];
    // counted (or already rolled back: the guard acts within 200 ms and the real registry then
    // announces the rollback, which ends monitoring's current comparison)
    await eventually(async () => {
      if (rollbacks.length > 0) return;
      const res = await fetch(`${base}/models/${canaryModel}/rollouts/current/comparison`);
      const cmp = (await res.json()) as RolloutComparison;
      if (res.status !== 200) throw new Error(`comparison ${res.status}`);
      if (cmp.champion.predictionCount !== 30 || cmp.challenger.predictionCount !== 25 || cmp.challenger.errorCount !== 5 || cmp.champion.errorCount !== 1) throw new Error(`not yet ${JSON.stringify([cmp.champion.requestCount, cmp.challenger.requestCount])}`);
    }, 60_000, 200);
    expect((await fetch(`${base}/feedback`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(fb) })).status).toBe(202);

    const rollback = await eventually(async () => {
      if (rollbacks.length === 0) throw new Error('no rollback yet');
      return rollbacks[0]!;
    }, 30_000, 100);
    expect(rollback.actor).toBe('monitoring:auto-rollback');
    expect(rollback.body.reason).toContain('challenger v2 error rate 0.1667 > 0.1 (absolute)');
    expect(rollback.body.reason).toContain('challenger: 5/30 failed');
    expect(rollback.body.reason).toContain('champion v1: 1/31 failed');
    // once per rollout: further guard passes do not call again
    await app.get(RolloutGuardService).checkAll();
    await app.get(RolloutGuardService).checkAll();
    expect(rollbacks).toHaveLength(1);
    // the real registry recorded it: rolled back by the guard, with its reason; no rollout active any more
    const history = await reg('GET', `/models/${canaryModel}/rollouts`);
    expect(history.status).toBe(200);
    expect((history.body as unknown as Array<Record<string, unknown>>).map((r) => [r['rolloutId'], r['status']])).toEqual([[rolloutId, 'rolled-back']]);
    expect(history.body[0]).toEqual(expect.objectContaining({ rolloutId, status: 'rolled-back', route: null, endedBy: 'monitoring:auto-rollback', endReason: rollback.body.reason }));
    expect((await reg('GET', `/models/${canaryModel}/rollouts/current`)).status).toBe(404);

    // the registry's rolled-back announcement reaches monitoring: no current comparison any more;
    // the ended rollout's numbers are still there (compared from its stored state)
    const aggregation = app.get(AggregationService);
    const ended = await eventually(async () => {
      await aggregation.catchUp();
      const st = await aggregation.rollout(canaryModel);
      if (st?.status !== 'rolled-back') throw new Error(`monitoring's rollout status ${st?.status}`);
      return st;
    }, 30_000, 200);
    expect((await fetch(`${base}/models/${canaryModel}/rollouts/current/comparison`)).status).toBe(404);
    const guard = app.get(RolloutGuardService);
    const cmp = await eventually(async () => {
      await aggregation.catchUp();
      const c = await guard['compare'](ended);
      if (c.champion.labeledCount !== 30 || c.challenger.labeledCount !== 10) throw new Error(`labels not yet ${c.champion.labeledCount}/${c.challenger.labeledCount}`);
      return c;
    }, 30_000, 200);
    expect(cmp).toEqual(expect.objectContaining({ modelName: canaryModel, rolloutId, mode: 'canary', status: 'rolled-back', challengerWeight: 0.3, metric: { name: 'accuracy', higherIsBetter: true } }));
    expect([cmp.champion.version, cmp.champion.requestCount, cmp.champion.errorCount, cmp.champion.errorRate, cmp.champion.unlabeledCount, cmp.champion.metricValue]).toEqual([1, 31, 1, 1 / 31, 0, 1]);
    expect([cmp.challenger.version, cmp.challenger.requestCount, cmp.challenger.errorCount, cmp.challenger.errorRate, cmp.challenger.unlabeledCount, cmp.challenger.metricValue]).toEqual([2, 30, 5, 5 / 30, 15, 0.4]);
    expect(Math.abs(cmp.champion.latencySeconds.p99! - 0.005)).toBeLessThanOrEqual(0.00005);
    expect(Math.abs(cmp.challenger.latencySeconds.p50! - 0.02)).toBeLessThanOrEqual(0.0002);
    expect(cmp.challenger.byAlias.map((a) => [a.alias, a.requestCount])).toEqual([['champion', 30]]);
    expect(cmp.guard.rollbackReason).toBe(rollback.body.reason);
    expect(cmp.guard.breaches).toEqual(['error rate 0.1667 > 0.1 (absolute)']);

    // latency and error rate per version and alias over HTTP and as Prometheus metrics (seconds, no ids)
    const health = (await (await fetch(`${base}/models/${canaryModel}/health?window=day`)).json()) as Array<{ modelVersion: number; alias: string; requestCount: number; errorRate: number }>;
    expect(health.map((h) => [h.modelVersion, h.alias, h.requestCount, h.errorRate])).toEqual([[1, 'champion', 31, 1 / 31], [2, 'champion', 30, 5 / 30]]);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain(`strata_monitoring_inference_failures_total{model="${canaryModel}",version="2",alias="champion"} 5`);
    expect(metrics).toContain(`strata_monitoring_prediction_latency_seconds_count{model="${canaryModel}",version="2",alias="champion"} 25`);
    expect(metrics).toContain(`strata_monitoring_prediction_latency_seconds_bucket{le="0.025",model="${canaryModel}",version="2",alias="champion"} 25`);
    expect(metrics).toContain(`strata_monitoring_rollout_rollbacks_total{model="${canaryModel}"} 1`);
    expect(metrics).not.toContain(`${canaryModel}-2-0`);
  }, 120_000);

  it("decides a live rollout only on predictions after the challenger's training data cutoff, and reports what it excluded (issue #19)", async () => {
    const publisher = app.get(EventPublisher);
    const loopModel = uniqueName('cutoff').replace(/_/g, '-');
    const cutoff = '2020-04-15T23:59:00.000Z';
    // v1 (champion) and v2 (challenger, trained on data up to April 15 23:59 — its lineage says so)
    await registerVersions1And2(loopModel, (v) => (v === 2 ? { trainingDataCutoff: '2020-04-16T01:59:00+02:00' } : {}));
    expect((await reg('GET', `/registered-models/${loopModel}/versions/2`)).body['lineage']).toEqual(expect.objectContaining({ trainingDataCutoff: cutoff }));
    expect((await reg('PUT', `/registered-models/${loopModel}/aliases/champion`, { version: 1, reason: 'it' })).status).toBe(200);
    // closed loop: the policy's canary starts when the challenger alias is set; decided on 25 labels per version
    expect((await reg('PUT', `/registered-models/${loopModel}/promotion-policy`, {
      metric: 'accuracy', direction: 'maximize', minMargin: 0, autoPromote: false, rollout: { mode: 'canary', challengerWeight: 0.5, minLabeledPerVersion: 25 },
    })).status).toBe(200);
    expect((await reg('PUT', `/registered-models/${loopModel}/aliases/challenger`, { version: 2, reason: 'it' })).status).toBe(200);
    const rollout = await reg('GET', `/models/${loopModel}/rollouts/current`);
    expect(rollout.status).toBe(200);
    const rolloutId = String(rollout.body['rolloutId']);
    // monitoring learns the rollout and the cutoff from model-rollout-changed
    const known = await eventually(async () => {
      const res = await fetch(`${base}/models/${loopModel}/rollouts/current/comparison`);
      if (res.status !== 200) throw new Error(`comparison ${res.status}`);
      return (await res.json()) as RolloutComparison;
    }, 60_000, 200);
    expect([known.rolloutId, known.trainingDataCutoff]).toEqual([rolloutId, cutoff]);

    // Rows the challenger was trained on (event time ≤ cutoff, one exactly at it): the challenger is
    // right on all 30, the champion wrong on all 30. After the cutoff (25 each): champion right on 20,
    // challenger on 10. Counting everything would promote the challenger (40/55 vs 20/55); the fair
    // comparison rolls it back (10/25 = 0.4 vs 20/25 = 0.8).
    const now = new Date().toISOString();
    const rows: Array<{ id: string; version: number; t: string; p: number; label: number }> = [];
    for (let i = 0; i < 30; i++) {
      const t = i === 0 ? cutoff : `2020-04-${String(1 + (i % 14)).padStart(2, '0')}T10:00:00.000Z`;
      rows.push({ id: `${loopModel}-pre-1-${i}`, version: 1, t, p: 0.9, label: 0 });
      rows.push({ id: `${loopModel}-pre-2-${i}`, version: 2, t, p: 0.9, label: 1 });
    }
    for (let i = 0; i < 25; i++) {
      const t = i === 0 ? '2020-04-15T23:59:00.001Z' : `2020-04-${String(16 + (i % 14)).padStart(2, '0')}T10:00:00.000Z`;
      rows.push({ id: `${loopModel}-post-1-${i}`, version: 1, t, p: 0.9, label: i < 20 ? 1 : 0 });
      rows.push({ id: `${loopModel}-post-2-${i}`, version: 2, t, p: 0.9, label: i < 10 ? 1 : 0 });
    }
    await dataSource.transaction(async (manager) => {
      for (const x of rows) {
        await publisher.publish(manager, PredictionLoggedV1, {
          predictionId: x.id, modelName: loopModel, modelVersion: x.version, alias: 'champion', features: { a: 1 },
          outputs: { prediction: 1, probability: x.p }, latencyMs: 2, predictedAt: now, eventTime: x.t,
        });
      }
    });
    const aggregation = app.get(AggregationService);
    await eventually(async () => {
      await aggregation.catchUp();
      const n = (await dataSource.query(`select count(*)::int as n from "${schema}"."prediction" where model_name = $1 and seq is not null`, [loopModel])) as Array<{ n: number }>;
      if (n[0]!.n !== 110) throw new Error(`aggregated ${n[0]!.n}/110`);
    }, 60_000, 200);
    // every label in one request (one aggregation batch): the guard sees them all at once
    const fb = rows.map((x) => ({ predictionId: x.id, modelName: loopModel, label: x.label, observedAt: now }));
    expect((await fetch(`${base}/feedback`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(fb) })).status).toBe(202);

    const decision = await eventually(async () => {
      const page = await reg('GET', `/registered-models/${loopModel}/promotion-decisions`);
      const d = (page.body['decisions'] as Array<Record<string, any>>).find((x) => x['trigger'] === 'live-rollout'); // eslint-disable-line @typescript-eslint/no-explicit-any
      if (!d) throw new Error('no live decision yet');
      return d;
    }, 60_000, 200);
    expect(decision).toEqual(expect.objectContaining({ outcome: 'rejected', challengerVersion: 2, championVersion: 1, challengerValue: 0.4, championValue: 0.8 }));
    expect(decision['evidence']).toEqual({
      rolloutId, championLabeled: 25, challengerLabeled: 25, trainingDataCutoff: cutoff,
      championExcluded: { predictions: 30, labels: 30 }, challengerExcluded: { predictions: 30, labels: 30 },
    });
    expect(decision['reason']).toContain(`after the challenger's training data cutoff ${cutoff} (excluded: v2 30 predictions, 30 labels; v1 30 predictions, 30 labels)`);
    expect((await reg('GET', `/models/${loopModel}/rollouts`)).body[0]).toEqual(expect.objectContaining({ rolloutId, status: 'rolled-back' }));

    // the comparison: health over all 55 rollout predictions per version, labels and metric on the 25 after the cutoff
    const ended = await eventually(async () => {
      const st = await aggregation.rollout(loopModel);
      if (st?.status !== 'rolled-back') throw new Error(`monitoring's rollout status ${st?.status}`);
      return st;
    }, 30_000, 200);
    const cmp = await app.get(RolloutGuardService)['compare'](ended);
    const arm = (a: RolloutComparison['champion']) => [a.version, a.requestCount, a.labeledCount, a.unlabeledCount, a.metricValue, a.excluded];
    expect(arm(cmp.champion)).toEqual([1, 55, 25, 0, 0.8, { predictionCount: 30, labeledCount: 30 }]);
    expect(arm(cmp.challenger)).toEqual([2, 55, 25, 0, 0.4, { predictionCount: 30, labeledCount: 30 }]);
    expect(cmp.trainingDataCutoff).toBe(cutoff);
    const excluded = (await dataSource.query(
      `select count(*) filter (where rollout_excluded)::int as x, count(*) filter (where not rollout_excluded)::int as y from "${schema}"."prediction" where model_name = $1`, [loopModel],
    )) as Array<{ x: number; y: number }>;
    expect(excluded[0]).toEqual({ x: 60, y: 50 });
  }, 180_000);

  it('counts a label that arrived before its prediction, replaces it with a later one, and ignores orphans', async () => {
    const m3 = uniqueName('late').replace(/_/g, '-');
    const post = async (body: unknown) => expect((await fetch(`${base}/feedback`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).status).toBe(202);
    await post([
      { predictionId: `${m3}-1`, modelName: m3, label: 1, observedAt: '2020-05-02T00:00:00.000Z' },
      { predictionId: `${m3}-orphan`, modelName: m3, label: 1, observedAt: '2020-05-02T00:00:00.000Z' },
    ]);
    const publisher = app.get(EventPublisher);
    await dataSource.transaction(async (manager) => {
      await publisher.publish(manager, PredictionLoggedV1, {
        predictionId: `${m3}-1`, modelName: m3, modelVersion: 1, alias: null, features: { a: 1 }, outputs: { prediction: 1, probability: 0.9 },
        latencyMs: 2, predictedAt: '2020-05-01T10:00:00.000Z',
      });
    });
    const w1 = await eventually(async () => {
      const w = (await (await fetch(`${base}/models/${m3}/windows?window=day&alias=_none`)).json()) as Window[];
      if (w.length !== 1 || w[0]!.labeledCount !== 1) throw new Error(`not yet ${JSON.stringify(w.map((x) => [x.predictionCount, x.labeledCount]))}`);
      return w[0]!;
    }, 60_000, 200);
    expect([w1.windowStart, w1.predictionCount, w1.labeledCount, w1.unlabeledCount, w1.performance.accuracy]).toEqual(['2020-05-01T00:00:00.000Z', 1, 1, 0, 1]);
    // a later label replaces the earlier one (counters of the old label subtracted); an older one changes nothing
    await post([
      { predictionId: `${m3}-1`, modelName: m3, label: 0, observedAt: '2020-05-03T00:00:00.000Z' },
      { predictionId: `${m3}-1`, modelName: m3, label: 1, observedAt: '2020-05-01T12:00:00.000Z' },
    ]);
    const w2 = (await (await fetch(`${base}/models/${m3}/windows?window=day`)).json()) as Window[];
    expect(w2.map((x) => [x.predictionCount, x.labeledCount, x.unlabeledCount, x.performance.accuracy])).toEqual([[1, 1, 0, 0]]);
  }, 120_000);

  it('rejects bad feedback naming the field, storing nothing', async () => {
    const res = await fetch(`${base}/feedback`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ predictionId: 'x1', modelName: model, label: 1, observedAt: '2020-03-01T00:00:00Z' }, { predictionId: 'x2', modelName: model, label: 2, observedAt: 'yesterday' }]),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: string };
    expect(body.error).toContain('1.label');
    expect(body.error).toContain('1.observedAt');
    const rows = (await dataSource.query(`select 1 from "${schema}"."feedback" where prediction_id in ('x1', 'x2')`)) as unknown[];
    expect(rows).toHaveLength(0);
    expect((await fetch(`${base}/models/${model}/windows?window=year`)).status).toBe(400);
  });
  it('judges a closed window still filling only once its counts have stayed unchanged for MONITORING_SETTLE_SECONDS', async () => {
    const options = app.get<MonitoringOptions>(MONITORING_OPTIONS);
    options.settleSeconds = 2;
    try {
      const publisher = app.get(EventPublisher);
      // May 2020: `a` shifted like February (drift), a closed window of history being replayed
      const may = feb.map((x, i) => ({ ...x, id: `${model}-may-${i}`, t: x.t.replace('2020-02-', '2020-05-') }));
      const mayAlerts = async (): Promise<number> => {
        const rows = (await dataSource.query(
          `select count(*)::int as n from "${schema}"."outbox_event" where topic = 'strata.monitoring.drift-detected.v1' and convert_from(payload, 'UTF8')::jsonb->>'windowStart' = '2020-05-01T00:00:00.000Z' and convert_from(payload, 'UTF8')::jsonb->>'modelName' = $1`,
          [model],
        )) as Array<{ n: number }>;
        return rows[0]!.n;
      };
      await dataSource.transaction(async (manager) => {
        for (const x of may.slice(0, 10)) {
          await publisher.publish(manager, PredictionLoggedV1, {
            predictionId: x.id, modelName: model, modelVersion: 1, alias: 'champion', features: { a: x.a, b: x.b },
            outputs: { prediction: x.p >= 0.5 ? 1 : 0, probability: x.p }, latencyMs: 0.5, predictedAt: '2026-11-29T00:00:00.000Z', eventTime: x.t,
          });
        }
      });
      const mayWindow = async (n: number): Promise<Window> =>
        eventually(async () => {
          const w = (await getWindows()).find((x) => x.windowStart === '2020-05-01T00:00:00.000Z');
          if (w?.predictionCount !== n) throw new Error(`May has ${w?.predictionCount ?? 0} predictions, want ${n}`);
          return w;
        }, 60_000, 100);
      // the evaluation that first sees 10 predictions starts the settle period: not judged yet
      await mayWindow(10);
      expect(await mayAlerts()).toBe(0);
      // more of the month arrives: the period starts again
      await dataSource.transaction(async (manager) => {
        for (const x of may.slice(10)) {
          await publisher.publish(manager, PredictionLoggedV1, {
            predictionId: x.id, modelName: model, modelVersion: 1, alias: 'champion', features: { a: x.a, b: x.b },
            outputs: { prediction: x.p >= 0.5 ? 1 : 0, probability: x.p }, latencyMs: 0.5, predictedAt: '2026-11-29T00:00:00.000Z', eventTime: x.t,
          });
        }
      });
      const settledFrom = Date.now();
      expect((await mayWindow(20)).datasetDrift).toBe(true);
      expect(await mayAlerts()).toBe(0);
      // unchanged counts for 2 s: the next evaluation decides, once, on the whole month
      await eventually(async () => {
        await getWindows();
        if ((await mayAlerts()) !== 1) throw new Error('May not alerted yet');
      }, 30_000, 250);
      expect(Date.now() - settledFrom).toBeGreaterThanOrEqual(2000);
      await getWindows();
      expect(await mayAlerts()).toBe(1);
      const report = (await dataSource.query(`select prediction_count from "${schema}"."window_report" where model_name = $1 and window_kind = 'month' and window_start = '2020-05-01T00:00:00Z'`, [model])) as Array<{ prediction_count: number }>;
      expect(report).toEqual([{ prediction_count: 20 }]);
    } finally {
      options.settleSeconds = 0;
    }
  }, 120_000);
});
