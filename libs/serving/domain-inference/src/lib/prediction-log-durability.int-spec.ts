/** @jest-environment ../../../libs/shared/testing/src/onnxruntime-environment.cjs */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { LocalObjectStore } from '@strata/shared/data-access-object-store';
import { eventually, uniqueName, dropSchemas, waitForTable } from '@strata/shared/testing';
// Test-only cross-scope import: a model trained by the platform's own trainer (as serving.int-spec).
 
// eslint-disable-next-line @nx/enforce-module-boundaries -- a real ONNX model for the test, trained by training's trainer
import { exportLogisticRegressionToOnnx, trainLogisticRegression } from '@strata/training/util-trainers';
import { DataSource } from 'typeorm';
import { ModelRepository } from './model-repository';
import { startServingTestApp } from '../testing/serving-test-app';

jest.setTimeout(120_000);

/**
 * `SERVING_PREDICTION_LOG_DURABILITY=durable` (issue 19: a SIGKILLed serving replica must not lose
 * predictions it already answered): an answered monitored prediction is ALREADY in the outbox
 * when its response arrives, for concurrent requests sharing group commits; and with PostgreSQL
 * unreachable for the log, the request fails with 503 in bounded time instead of answering a
 * prediction that would be lost.
 */
describe('prediction log durability (durable mode) on real PostgreSQL', () => {
  const modelName = uniqueName('durable').replace(/_/g, '-');
  const schema = uniqueName('serving_dur');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-serving-durable-'));
  const store = new LocalObjectStore(dataDir);
  const features = ['a', 'b'];
  const rows: number[][] = [];
  const labels: number[] = [];
  for (let i = 0; i < 100; i++) {
    rows.push([i % 10, (i * 7) % 13]);
    labels.push((i % 10) + ((i * 7) % 13) > 10 ? 1 : 0);
  }
  const onnx = exportLogisticRegressionToOnnx(trainLogisticRegression({ features, rows, labels }), { modelVersion: 1 });
  let app: NestFastifyApplication;
  let base: string;
  let dataSource: DataSource;

  beforeAll(async () => {
    ({ app, base } = await startServingTestApp({
      schema,
      dataDir,
      // a large batch so concurrent requests really share one transaction (group commit)
      serving: { predictionLogCapacity: 1000, predictionLogBatchSize: 500, predictionLogDurability: 'durable', predictionLogTimeoutMs: 1500 },
    }));
    dataSource = app.get(DataSource);
    await waitForTable(dataSource, schema, 'outbox_event');
    const put = await store.put(`models/${modelName}/1/model.onnx`, Buffer.from(onnx));
    await app.get(ModelRepository).load({ name: modelName, version: 1, artifactUri: put.uri, artifactSha256: put.sha256 });
  });

  afterAll(async () => {
    await app?.close();
    await dropSchemas(schema);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const infer = (id: string, data: number[][]): Promise<Response> =>
    fetch(`${base}/v2/models/${modelName}/infer`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ parameters: { prediction_id: id }, inputs: [{ name: 'input', datatype: 'FP32', shape: [data.length, 2], data }] }),
      signal: AbortSignal.timeout(20_000),
    });
  const loggedIds = async (prefix: string): Promise<string[]> =>
    (
      (await dataSource.query(`select key, payload from "${schema}"."outbox_event" where topic = 'strata.serving.prediction-logged.v1'`)) as Array<{ payload: Buffer }>
    )
      .map((r) => (JSON.parse(r.payload.toString('utf8')) as { predictionId: string }).predictionId)
      .filter((id) => id.startsWith(prefix));

  it('every answered prediction is already in the outbox when its answer arrives (40 concurrent requests, one with 3 rows)', async () => {
    const seenAtAnswer: string[][] = [];
    await Promise.all(
      Array.from({ length: 40 }, async (_, i) => {
        const id = `c-${i}`;
        const res = await infer(id, i === 0 ? [[1, 2], [3, 4], [5, 6]] : [[i % 10, i % 13]]);
        expect(res.status).toBe(200);
        // read the outbox the moment this answer arrived: durable means it is there now
        const ids = await loggedIds(`${id}`);
        seenAtAnswer.push(ids.filter((x) => x === id || x.startsWith(`${id}-`)));
      }),
    );
    expect(seenAtAnswer.filter((ids) => ids.length === 0)).toEqual([]);
    const all = await loggedIds('c-');
    expect(all.length).toBe(42); // 39 single-row requests + one with 3 rows (c-0-0, c-0-1, c-0-2)
    expect(new Set(all).size).toBe(42);
    expect(all.filter((id) => id.startsWith('c-0-')).sort()).toEqual(['c-0-0', 'c-0-1', 'c-0-2']);
  });

  it('when the log cannot be committed the request fails with 503 within the deadline (never an answered, lost prediction)', async () => {
    // hold an exclusive lock on the outbox table: the log's INSERT waits, the request must not
    const runner = dataSource.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    try {
      await runner.query(`LOCK TABLE "${schema}"."outbox_event" IN ACCESS EXCLUSIVE MODE`);
      const t0 = Date.now();
      const res = await infer('locked-1', [[1, 1]]);
      const ms = Date.now() - t0;
      expect(res.status).toBe(503);
      expect(((await res.json()) as { error: string }).error).toMatch(/prediction locked-1 was not logged durably within 1500 ms/);
      expect(ms).toBeLessThan(10_000);
    } finally {
      await runner.rollbackTransaction();
      await runner.release();
    }
    // the lock is gone: the buffered event is committed afterwards; a retry with the same id is safe
    await eventually(async () => expect(await loggedIds('locked-1')).toEqual(['locked-1']), 20_000);
    const retry = await infer('locked-1', [[1, 1]]);
    expect(retry.status).toBe(200);
  });
});
