/**
 * Issue 19 ("timeouts everywhere a dependency can hang"): serving's batch scoring with Temporal
 * behind a TCP proxy the test black-holes (accepts, never answers). `POST /batch-scoring-jobs`
 * must answer 503 naming Temporal within TEMPORAL_RPC_TIMEOUT_MS and leave no job behind; once
 * Temporal answers again the same request is accepted. Real PostgreSQL, Kafka and Temporal; the
 * worker is off (the job is never run). Every request has its own deadline, so a hang fails the test.
 */
import { Client, Connection } from '@temporalio/client';
import { ModelAliasChangedV1, ModelRolloutChangedV1 } from '@strata/contracts';
import { dropSchemas, eventually, infraEnv, jsonWithDeadline, startGroupAtEnd, uniqueName, useServiceBehindTemporalProxy } from '@strata/shared/testing';

jest.setTimeout(120_000);

const RPC_TIMEOUT_MS = 1500;
const json = (method: string, url: string, body?: unknown) => jsonWithDeadline(method, url, body);

describe('serving batch scoring with an unreachable Temporal', () => {
  const env = infraEnv();
  const schema = uniqueName('serving_temporal_outage');
  const group = uniqueName('serving-temporal-outage');
  const taskQueue = uniqueName('serving-outage');
  const port = 26000 + Math.floor(Math.random() * 900);
  const base = `http://127.0.0.1:${port}`;
  const model = uniqueName('outage-model').replace(/_/g, '-');
  let started: string | undefined;

  beforeAll(() => startGroupAtEnd(env.kafkaBrokers, group, [ModelAliasChangedV1.topic, ModelRolloutChangedV1.topic]));
  const outage = useServiceBehindTemporalProxy('serving', port, RPC_TIMEOUT_MS, {
    SERVING_WORKER_ENABLED: 'false',
    SERVING_DB_SCHEMA: schema,
    SERVING_CONSUMER_GROUP: group,
    SERVING_TASK_QUEUE: taskQueue,
    // Never called: the job never runs.
    REGISTRY_URL: 'http://127.0.0.1:9',
    INGESTION_URL: 'http://127.0.0.1:9',
  });

  afterAll(async () => {
    if (started) {
      // The accepted job's workflow has no worker: terminate it.
      const connection = await Connection.connect({ address: env.temporalAddress });
      await new Client({ connection, namespace: env.temporalNamespace }).workflow.getHandle(started).terminate('test cleanup').catch(() => undefined);
      await connection.close();
    }
    await dropSchemas(schema);
  }, 60_000);

  it('black-holed Temporal: POST /batch-scoring-jobs answers 503 naming Temporal in bounded time, records no job; then the same request is accepted', async () => {
    const request = { modelName: model, version: 1, inputUri: 'file:///nowhere/input.parquet', requestId: uniqueName('req') };
    await outage.proxy.setMode('blackhole');
    try {
      const r = await json('POST', `${base}/batch-scoring-jobs`, request);
      console.log(`Temporal blackhole: POST /batch-scoring-jobs answered ${r.status} in ${r.ms} ms: ${String(r.body['error'])}`);
      expect(r.status).toBe(503);
      expect(String(r.body['error'])).toMatch(/Temporal at 127\.0\.0\.1:\d+ did not answer start of workflow 'batch-score:.*' within 1500 ms/);
      expect(r.ms).toBeLessThan(RPC_TIMEOUT_MS * 2 + 5000);
      expect((await json('GET', `${base}/batch-scoring-jobs?modelName=${model}`)).body).toEqual([]);
    } finally {
      await outage.proxy.setMode('pass');
    }
    const ok = await eventually(async () => {
      const a = await json('POST', `${base}/batch-scoring-jobs`, request);
      if (a.status !== 202) throw new Error(`still ${a.status}: ${JSON.stringify(a.body)}`);
      return a;
    }, 30_000, 250);
    started = String(ok.body['workflowId']);
    expect(ok.body).toMatchObject({ status: 'PENDING', alreadyExists: false, requestId: request.requestId });
  });
});
