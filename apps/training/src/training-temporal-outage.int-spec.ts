/**
 * Issue 19 ("timeouts everywhere a dependency can hang"): the training service with Temporal
 * behind a TCP proxy the test switches to black-holed (accepts, never answers) and refused.
 * Starting a training run and creating a retraining schedule must answer 503 naming Temporal
 * within TEMPORAL_RPC_TIMEOUT_MS, leave no RUNNING run behind, and work again when Temporal
 * answers. Every request has its own deadline, so a hang fails the test instead of hanging it.
 */
import { dropSchemas, eventually, jsonWithDeadline, uniqueName, useServiceBehindTemporalProxy } from '@strata/shared/testing';
import { logisticRegressionRunRequest } from './__fixtures__/training-run-request';

jest.setTimeout(120_000);

const RPC_TIMEOUT_MS = 1500;
const json = (method: string, url: string, body?: unknown) => jsonWithDeadline(method, url, body);

describe('training service with an unreachable Temporal (real PostgreSQL, Kafka; Temporal behind a fault proxy)', () => {
  const schema = uniqueName('training_temporal_outage');
  const port = 25000 + Math.floor(Math.random() * 900);
  const base = `http://127.0.0.1:${port}`;
  const model = uniqueName('outage-model').replace(/_/g, '-');
  const outage = useServiceBehindTemporalProxy('training', port, RPC_TIMEOUT_MS, {
    TRAINING_WORKER_ENABLED: 'false',
    TRAINING_DB_SCHEMA: schema,
    TRAINING_TASK_QUEUE: uniqueName('strata-training-outage'),
    TRAINING_KAFKA_GROUP_ID: uniqueName('training-outage'),
    // Nothing is called on these: the runs never start.
    FEATURES_URL: 'http://127.0.0.1:9',
    REGISTRY_URL: 'http://127.0.0.1:9',
    INGESTION_URL: 'http://127.0.0.1:9',
  });

  afterAll(() => dropSchemas(schema), 60_000);

  const runRequest = (requestId: string) => logisticRegressionRunRequest(model, requestId);

  it.each([
    ['black-holed (accepts, never answers)', 'blackhole' as const, /did not answer start of workflow .* within 1500 ms/],
    ['refused', 'refuse' as const, /Temporal at 127\.0\.0\.1:\d+ (did not answer|is unavailable)/],
  ])('Temporal %s: POST /training-runs and PUT /retraining/{m}/schedule answer 503 naming Temporal in bounded time; no run is left RUNNING; then it recovers', async (_name, mode, cause) => {
    const requestId = uniqueName('req');
    await outage.proxy.setMode(mode);
    try {
      const started = await json('POST', `${base}/training-runs`, runRequest(requestId));
      console.log(`Temporal ${mode}: POST /training-runs answered ${started.status} in ${started.ms} ms: ${String(started.body['error'])}`);
      expect(started.status).toBe(503);
      expect(String(started.body['error'])).toMatch(/^Could not start training workflow 'train:.*': /);
      expect(String(started.body['error'])).toMatch(cause);
      expect(started.ms).toBeLessThan(RPC_TIMEOUT_MS * 2 + 5000);
      // Nothing left RUNNING: the run row of the failed start is gone at once.
      const runs = await json('GET', `${base}/training-runs?modelName=${model}`);
      expect(runs.body).toEqual([]);

      const schedule = await json('PUT', `${base}/retraining/${model}/schedule`, { intervalSeconds: 3600, paused: true });
      console.log(`Temporal ${mode}: PUT /retraining/{m}/schedule answered ${schedule.status} in ${schedule.ms} ms`);
      expect(schedule.status).toBe(503);
      expect(String(schedule.body['error'])).toMatch(/Temporal at 127\.0\.0\.1:\d+/);
      expect(schedule.ms).toBeLessThan(RPC_TIMEOUT_MS * 2 + 5000);
    } finally {
      await outage.proxy.setMode('pass');
    }
    // Temporal answers again: a describe reaches it (404: no schedule), without a restart.
    const t0 = Date.now();
    await eventually(async () => {
      const r = await json('GET', `${base}/retraining/${model}/schedule`);
      if (r.status !== 404) throw new Error(`still ${r.status}: ${JSON.stringify(r.body)}`);
    }, 30_000, 250);
    console.log(`Temporal ${mode}: answered again ${Date.now() - t0} ms after it came back`);
    // Every schedule call goes through the same deadline wrapper and works once Temporal answers.
    const put = await json('PUT', `${base}/retraining/${model}/schedule`, { intervalSeconds: 3600, paused: true });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ modelName: model, intervalSeconds: [3600], paused: true });
    expect((await json('DELETE', `${base}/retraining/${model}/schedule`)).body).toEqual({ modelName: model, deleted: true });
  });
});
