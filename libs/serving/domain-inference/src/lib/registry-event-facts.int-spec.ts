/** @jest-environment ../../../libs/shared/testing/src/onnxruntime-environment.cjs */
/**
 * Serving applies alias changes from the event alone (issue 16, "events that carry facts"), on the
 * real stack: the REAL registry (a process from source, own schema) registers versions and
 * announces them on real Kafka; serving (in process, own schema, its consumers on) reaches the
 * registry only through a gate that records every request and can make the registry unreachable
 * for serving (503). With the facts in the event serving asks nothing; an event without facts
 * (as published before they existed) makes it ask, and retry while the registry is unreachable.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { ModelAliasChangedV1 } from '@strata/contracts';
import { EventPublisher } from '@strata/messaging';
import { LocalObjectStore } from '@strata/shared/data-access-object-store';
import { eventually, infraEnv, startService, uniqueName, waitReady, type RunningService } from '@strata/shared/testing';
// Test-only cross-scope import: models trained by the platform's own trainer.
 
// eslint-disable-next-line @nx/enforce-module-boundaries -- a real ONNX model for the test, trained by training's trainer
import { exportLogisticRegressionToOnnx, trainLogisticRegression } from '@strata/training/util-trainers';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { DataSource } from 'typeorm';
import { ModelRepository } from './model-repository';
import { startServingTestApp } from '../testing/serving-test-app';

jest.setTimeout(240_000);

/** The real registry's port (this test's port block). */
const REGISTRY_PORT = 6201;
const FEATURES = ['age', 'hours_per_week', 'education_num'];
const MODEL = uniqueName('facts').replace(/_/g, '-');

/** A small deterministic income-style set: label from hours (v1) or from education (v2). */
function trainingData(variant: 1 | 2): { features: string[]; rows: number[][]; labels: number[] } {
  const rows: number[][] = [];
  const labels: number[] = [];
  for (let i = 0; i < 160; i++) {
    const age = 18 + ((i * 11) % 50);
    const hours = 10 + ((i * 7) % 50);
    const edu = 1 + ((i * 5) % 16);
    rows.push([age, hours, edu]);
    labels.push(variant === 1 ? (hours + (i % 3) > 38 ? 1 : 0) : (edu + (i % 2) > 9 ? 1 : 0));
  }
  return { features: FEATURES, rows, labels };
}
const v1 = exportLogisticRegressionToOnnx(trainLogisticRegression(trainingData(1)), { modelVersion: 1 });
const v2 = exportLogisticRegressionToOnnx(trainLogisticRegression(trainingData(2)), { modelVersion: 2 });
const SIGNATURE = { inputs: [{ name: 'input', datatype: 'FP32', shape: [-1, 3] }], outputs: [{ name: 'probability', datatype: 'FP32', shape: [-1, 1] }] };
const ROWS = [[30, 45, 13], [52, 20, 9]];

async function ort(bytes: Uint8Array, rows: number[][]): Promise<number[]> {
  const session = await InferenceSession.create(bytes);
  const out = await session.run({ input: new Tensor('float32', Float32Array.from(rows.flat()), [rows.length, 3]) });
  const data = Array.from(out['probability']!.data as Float32Array);
  await session.release();
  return data;
}

describe('serving applies registry alias changes from the event facts (real registry, Kafka, PostgreSQL)', () => {
  const servingSchema = uniqueName('serving_facts_it');
  const registrySchema = uniqueName('registry_facts_it');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-facts-'));
  const store = new LocalObjectStore(dataDir);
  const R = `http://127.0.0.1:${REGISTRY_PORT}`;
  /** Requests serving made to the registry for this test's model (other tests' events may reach the shared topics). */
  const registryCalls: Array<{ url: string; answered: number }> = [];
  let registryReachable = false;
  let gate: http.Server;
  let registry: RunningService | undefined;
  let app: NestFastifyApplication;
  let base: string;
  let repository: ModelRepository;
  let dataSource: DataSource;
  let admin: DataSource;

  async function send(method: string, url: string, body?: unknown): Promise<{ status: number; body: any }> { // eslint-disable-line @typescript-eslint/no-explicit-any
    const res = await fetch(url, { method, headers: { 'content-type': 'application/json' }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }

  const artifacts = new Map<number, { uri: string; sha256: string }>();
  async function register(runId: string, bytes: Uint8Array): Promise<number> {
    const put = await store.put(`models/${MODEL}/${runId}/model.onnx`, Buffer.from(bytes));
    const res = await send('POST', `${R}/registered-models/${MODEL}/versions`, {
      runId, artifactUri: put.uri, artifactSha256: put.sha256, signature: SIGNATURE, metrics: { roc_auc: 0.8 }, lineage: { datasetVersions: [], featureViews: [] },
    });
    expect(res.status).toBe(201);
    artifacts.set(res.body.version as number, { uri: put.uri, sha256: put.sha256 });
    return res.body.version as number;
  }

  beforeAll(async () => {
    const env = infraEnv();
    registry = startService('registry', REGISTRY_PORT, { REGISTRY_DB_SCHEMA: registrySchema, STRATA_DATA_DIR: dataDir });
    // The way from serving to the registry: records each request; answers 503 while "unreachable".
    gate = http.createServer((req, res) => {
      const mine = (req.url ?? '').includes(encodeURIComponent(MODEL));
      if (!registryReachable) {
        if (mine) registryCalls.push({ url: req.url ?? '', answered: 503 });
        res.writeHead(503, { 'content-type': 'application/json' }).end('{"message":"registry unreachable (test gate)"}');
        return;
      }
      void fetch(`${R}${req.url ?? ''}`, { method: req.method }).then(async (upstream) => {
        if (mine) registryCalls.push({ url: req.url ?? '', answered: upstream.status });
        res.writeHead(upstream.status, { 'content-type': 'application/json' }).end(await upstream.text());
      }, () => res.writeHead(502).end());
    });
    await new Promise<void>((r) => gate.listen(0, '127.0.0.1', r));
    ({ app, base } = await startServingTestApp({
      schema: servingSchema,
      dataDir,
      // consumers on (the alias consumer is a broadcast group positioned at this process's start), relay on
      messaging: { relay: { enabled: true }, consumer: { enabled: true } },
      serving: { registryUrl: `http://127.0.0.1:${(gate.address() as AddressInfo).port}` },
    }));
    repository = app.get(ModelRepository);
    dataSource = app.get(DataSource);
    admin = new DataSource({ type: 'postgres', url: env.databaseUrl });
    await admin.initialize();
    await waitReady(registry);
    await eventually(async () => expect((await fetch(`${base}/health/ready`)).status).toBe(200), 60_000, 250);
  });

  afterAll(async () => {
    await app?.close();
    await registry?.stop();
    await new Promise<void>((r) => (gate ? gate.close(() => r()) : r()));
    await admin?.query(`DROP SCHEMA IF EXISTS "${servingSchema}" CASCADE`);
    await admin?.query(`DROP SCHEMA IF EXISTS "${registrySchema}" CASCADE`);
    await admin?.destroy();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('loads the champion from the alias event alone while the registry is unreachable for serving', async () => {
    registryReachable = false;
    expect(await register('run-1', v1)).toBe(1); // version 1 → the registry sets champion → model-alias-changed with toVersionFacts

    // the registry put the facts of version 1 in the event it committed
    const [row] = await admin.query(`SELECT payload FROM "${registrySchema}".outbox_event WHERE topic = $1 AND key = $2`, [ModelAliasChangedV1.topic, MODEL]);
    const announced = JSON.parse((row.payload as Buffer).toString('utf8')) as ModelAliasChangedV1;
    const put = artifacts.get(1)!;
    expect(announced.toVersionFacts).toMatchObject({ version: 1, artifactUri: put.uri, artifactSha256: put.sha256, artifactFormat: 'onnx', metrics: { roc_auc: 0.8 } });

    await eventually(() => expect(repository.aliasVersion(MODEL, 'champion')).toBe(1), 90_000, 200);
    expect(repository.status(MODEL, 1)).toMatchObject({ state: 'READY', aliases: ['champion'], artifactSha256: put.sha256 });
    const res = await send('POST', `${base}/v2/models/${MODEL}/infer`, { inputs: [{ name: 'input', datatype: 'FP32', shape: [2, 3], data: ROWS }] });
    expect(res.status).toBe(200);
    const expected = await ort(v1, ROWS);
    (res.body.outputs[0].data as number[]).forEach((p, i) => expect(p).toBeCloseTo(expected[i]!, 6));
    // no call back: serving asked the registry nothing about this model
    expect(registryCalls).toEqual([]);
  });

  it('falls back to the registry for an alias event without facts, retrying while it is unreachable', async () => {
    registryReachable = false;
    expect(await register('run-2', v2)).toBe(2);
    // an alias change as published before the facts existed (no toVersionFacts)
    await dataSource.transaction((m) =>
      app.get(EventPublisher).publish(m, ModelAliasChangedV1, {
        modelName: MODEL, alias: 'challenger', fromVersion: null, toVersion: 2, actor: 'facts-it', reason: 'event without facts', changedAt: new Date().toISOString(),
      }),
    );
    const versionPath = `/registered-models/${encodeURIComponent(MODEL)}/versions/2`;
    await eventually(() => expect(registryCalls).toContainEqual({ url: versionPath, answered: 503 }), 90_000, 100);
    expect(repository.aliasVersion(MODEL, 'challenger')).toBeUndefined();

    registryReachable = true; // the next retry (1 s, then 2 s, ...) reaches the registry
    await eventually(() => expect(repository.aliasVersion(MODEL, 'challenger')).toBe(2), 60_000, 200);
    expect(registryCalls.filter((c) => c.url === versionPath).map((c) => c.answered).slice(-1)).toEqual([200]);
    expect(registryCalls.every((c) => c.url === versionPath)).toBe(true);
    const res = await send('POST', `${base}/v2/models/${MODEL}/versions/challenger/infer`, { inputs: [{ name: 'input', datatype: 'FP32', shape: [2, 3], data: ROWS }] });
    expect(res.status).toBe(200);
    const expected = await ort(v2, ROWS);
    (res.body.outputs[0].data as number[]).forEach((p, i) => expect(p).toBeCloseTo(expected[i]!, 6));
  });
});
