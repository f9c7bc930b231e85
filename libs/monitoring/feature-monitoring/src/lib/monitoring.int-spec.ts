import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { FeedbackReceivedV1, PredictionLoggedV1 } from '@strata/contracts';
import { EventPublisher, MessagingModule } from '@strata/messaging';
import { MONITORING_ENTITIES, MONITORING_MIGRATIONS } from '@strata/monitoring/data-access';
import { buildReferenceProfile, type NumericFeatureProfile, type ReferenceProfile } from '@strata/shared/util-drift';
import { LocalObjectStore } from '@strata/shared/data-access-object-store';
import { AppErrorFilter, PlatformModule } from '@strata/shared/nest-platform';
import { eventually, infraEnv, startGroupAtEnd, uniqueName } from '@strata/shared/testing';
import { DataSource } from 'typeorm';
import { MonitoringModule } from './monitoring.module';

/** Deterministic pseudo-random numbers (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** PSI written from the definition, independently of util-drift: bins left-closed by the stored edges, ε for empty bins, no renormalisation. */
function independentPsi(f: NumericFeatureProfile, values: Array<number | null>, eps = 1e-4): number {
  const interior = f.edges.slice(1, -1) as number[];
  const counts = new Array<number>(interior.length + 1).fill(0);
  let n = 0;
  for (const v of values) {
    if (v === null) continue;
    let b = 0;
    while (b < interior.length && interior[b]! <= v) b++;
    counts[b]!++;
    n++;
  }
  let sum = 0;
  counts.forEach((c, i) => {
    const cur = c / n > 0 ? c / n : eps;
    const ref = f.proportions[i]! > 0 ? f.proportions[i]! : eps;
    sum += (cur - ref) * Math.log(cur / ref);
  });
  return sum;
}

type Window = {
  windowStart: string; windowEnd: string; modelVersion: number; predictionCount: number; labeledCount: number;
  drift: Array<{ feature: string; method: string; score: number | null; threshold: number; drifted: boolean }>;
  driftShare: number; datasetDrift: boolean; performance: { rocAuc: number | null; accuracy: number | null; logLoss: number | null };
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

  // training slice: a ~ U(0, 10), b ~ U(0, 1)
  const r = rng(7);
  const train = { a: Array.from({ length: 500 }, () => r() * 10), b: Array.from({ length: 500 }, () => r()) };
  // January: like training; February: `a` shifted up by 5 (drift), `b` unchanged
  const jan = Array.from({ length: 40 }, (_, i) => ({ id: `${model}-jan-${i}`, a: r() * 10, b: r(), p: r(), t: `2020-01-${String(1 + (i % 28)).padStart(2, '0')}T12:00:00.000Z` }));
  const feb = Array.from({ length: 20 }, (_, i) => ({ id: `${model}-feb-${i}`, a: 5 + r() * 10, b: i % 5 === 0 ? null : r(), p: r(), t: `2020-02-${String(1 + (i % 28)).padStart(2, '0')}T08:00:00.000Z` }));

  beforeAll(async () => {
    profile = buildReferenceProfile(train, { bins: 10 });
    const put = await store.put(`models/${model}/1/reference-profile.json`, Buffer.from(JSON.stringify(profile)));
    registry = http.createServer((req, res) => {
      registryCalls.push(req.url ?? '');
      res.setHeader('content-type', 'application/json');
      if (req.url === `/registered-models/${model}/versions/1`) {
        res.end(JSON.stringify({ name: model, version: 1, metrics: { roc_auc: 0.9 }, referenceProfileUri: put.uri, referenceProfileSha256: put.sha256 }));
      } else {
        res.statusCode = 404;
        res.end(JSON.stringify({ error: 'not found' }));
      }
    });
    await new Promise<void>((resolve) => registry.listen(0, '127.0.0.1', resolve));
    const env = infraEnv();
    // the shared prediction-logged topic may hold many events from other runs: start after them
    await startGroupAtEnd(env.kafkaBrokers, schema, [PredictionLoggedV1.topic, FeedbackReceivedV1.topic]);
    const moduleRef = await Test.createTestingModule({
      imports: [
        PlatformModule.forService({
          identity: { name: 'monitoring', version: 'test' },
          logLevel: 'warn',
          database: { url: env.databaseUrl, schema, entities: MONITORING_ENTITIES, migrations: MONITORING_MIGRATIONS },
        }),
        MessagingModule.forRoot({ serviceName: 'monitoring', brokers: env.kafkaBrokers, groupId: schema, deadLetterController: false, relay: { pollIntervalMs: 100 } }),
        MonitoringModule.forRoot({
          registryUrl: `http://127.0.0.1:${(registry.address() as AddressInfo).port}`, dataDir,
          psiThreshold: 0.1, driftShare: 0.5, psiEpsilon: 1e-4, minPredictions: 10, minLabeled: 10, minLabeledShare: 1, minRocAuc: 0.6, maxRocAucDrop: 0.05,
          evaluationWindow: 'month', evaluationIntervalMs: 0, httpTimeoutMs: 2000,
        }),
      ],
    }).compile();
    app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter());
    app.useGlobalFilters(new AppErrorFilter());
    await app.listen(0, '127.0.0.1');
    base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    dataSource = app.get(DataSource);
    await eventually(async () => {
      if (!dataSource.isInitialized) throw new Error('db not ready');
      await dataSource.query(`select 1 from "${schema}"."prediction" limit 1`);
    }, 30_000);
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    registry?.close();
    const admin = new DataSource({ type: 'postgres', url: infraEnv().databaseUrl });
    await admin.initialize();
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.destroy();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

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
    expect(windows[0]!.performance).toEqual({ rocAuc: 0, accuracy: 0, logLoss: expect.any(Number) });
    expect(windows[1]!.performance).toEqual({ rocAuc: null, accuracy: null, logLoss: null });

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
});
