/**
 * The registry app wired as in production (PlatformModule + MessagingModule + RegistryModule) on a
 * fresh PostgreSQL schema, against the real PostgreSQL and Kafka: HTTP through Fastify's inject,
 * events checked in the outbox table and on the topic (throwaway kafkajs consumer).
 */
import { Test } from '@nestjs/testing';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ModelAliasChangedV1, ModelVersionRegisteredV1 } from '@strata/contracts';
import { AppErrorFilter, DatabaseService } from '@strata/shared/nest-platform';
import { dropSchemas, eventually, infraEnv, initInjectedTestApp, uniqueName } from '@strata/shared/testing';
import { Kafka, logLevel } from 'kafkajs';
import { DataSource } from 'typeorm';
import { AppModule } from './app.module';
import { loadRegistryConfig } from './config';

jest.setTimeout(120_000);

const SHA_A = 'a'.repeat(64);
const SHA_B = 'b'.repeat(64);
const schema = uniqueName('registry_it');
const runTag = schema.slice('registry_it_'.length).replace(/_/g, '-');
const modelName = (slug: string): string => `it-${runTag}-${slug}`;

function aRegistration(runId: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    runId,
    workflowId: `train:wf:${runId}`,
    artifactUri: `file:///tmp/strata-it/${runId}/model.onnx`,
    artifactSha256: SHA_A,
    signature: { inputs: [{ name: 'input', datatype: 'FP32', shape: [-1, 10] }], outputs: [{ name: 'probability', datatype: 'FP32', shape: [-1, 1] }] },
    metrics: { roc_auc: 0.77, accuracy: 0.81 },
    params: { l2: 0.0001 },
    lineage: {
      datasetVersions: [{ datasetName: 'nyc-taxi', versionId: 'v1', contentSha256: SHA_B }],
      featureViews: ['zone_trip_stats'],
      trainingSet: 'big_tipper',
      codeVersion: 'test',
    },
    tags: { suite: 'int' },
    ...overrides,
  };
}

let app: NestFastifyApplication;
let ds: DataSource;

type Reply = { status: number; body: any }; // eslint-disable-line @typescript-eslint/no-explicit-any
async function call(method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  const res = await app.getHttpAdapter().getInstance().inject({ method, url, payload: payload as object | undefined, headers });
  return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : undefined };
}

async function outboxOf(model: string): Promise<Array<{ topic: string; value: any; sent: boolean }>> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const rows: Array<{ topic: string; payload: Buffer; sent: boolean }> = await ds.query(
    `SELECT topic, payload, sent_at IS NOT NULL AS sent FROM "${schema}".outbox_event WHERE key = $1 ORDER BY seq`,
    [model],
  );
  return rows.map((r) => ({ topic: r.topic, value: JSON.parse(r.payload.toString('utf8')), sent: r.sent }));
}

beforeAll(async () => {
  const config = loadRegistryConfig({ ...process.env, REGISTRY_DB_SCHEMA: schema, LOG_LEVEL: 'warn' });
  const moduleRef = await Test.createTestingModule({ imports: [AppModule.forConfig(config)] }).compile();
  app = await initInjectedTestApp(moduleRef, [new AppErrorFilter()], (a) => a.get(DatabaseService).whenReady());
  ds = app.get(DataSource);
});

afterAll(async () => {
  await app?.close(); // stops the relay first, then the DataSource
  await dropSchemas(schema);
});

describe('POST /registered-models/{name}/versions', () => {
  it('gives 20 concurrent registrations the versions 1..20, once each, with exactly 20 registered events', async () => {
    const name = modelName('concurrent');
    const runIds = Array.from({ length: 20 }, (_, i) => `run-${i}`);
    const replies = await Promise.all(runIds.map((r) => call('POST', `/registered-models/${name}/versions`, aRegistration(r))));

    expect(replies.map((r) => r.status)).toEqual(Array(20).fill(201));
    const versions = replies.map((r) => r.body.version as number).sort((a, b) => a - b);
    expect(versions).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    const byRun = new Map(replies.map((r) => [r.body.runId as string, r.body.version as number]));
    expect(byRun.size).toBe(20);

    const model = await call('GET', `/registered-models/${name}`);
    expect(model.body).toEqual(expect.objectContaining({ name, latestVersion: 20, aliases: { champion: 1 } }));
    expect(model.body.latestVersions.map((v: { version: number }) => v.version)).toEqual([20, 19, 18, 17, 16]);

    const outbox = await outboxOf(name);
    const registered = outbox.filter((e) => e.topic === ModelVersionRegisteredV1.topic);
    expect(registered).toHaveLength(20);
    expect(registered.map((e) => e.value.version).sort((a: number, b: number) => a - b)).toEqual(versions);
    for (const e of registered) expect(e.value.runId).toBe(runIds.find((r) => byRun.get(r) === e.value.version));
    const aliasEvents = outbox.filter((e) => e.topic === ModelAliasChangedV1.topic);
    expect(aliasEvents.map((e) => [e.value.alias, e.value.fromVersion, e.value.toVersion])).toEqual([['champion', null, 1]]);

    // the relay delivers them to the real broker
    await eventually(async () => expect((await outboxOf(name)).every((e) => e.sent)).toBe(true), 30_000);

    const versionList = await call('GET', `/registered-models/${name}/versions?limit=7`);
    expect(versionList.body.modelVersions.map((v: { version: number }) => v.version)).toEqual([20, 19, 18, 17, 16, 15, 14]);
    expect(versionList.body.nextPageToken).toBe('7');
    const lastPage = await call('GET', `/registered-models/${name}/versions?limit=7&pageToken=14`);
    expect(lastPage.body.modelVersions.map((v: { version: number }) => v.version)).toEqual([6, 5, 4, 3, 2, 1]);
    expect(lastPage.body.nextPageToken).toBeUndefined();
  });

  it('puts the registered events on the Kafka topic, keyed by model name', async () => {
    const name = modelName('kafka');
    const kafka = new Kafka({ clientId: `registry-it-${runTag}`, brokers: infraEnv().kafkaBrokers, logLevel: logLevel.NOTHING });
    const consumer = kafka.consumer({ groupId: `registry-it-${runTag}` });
    const seen: Array<{ key: string; value: { modelName: string; version: number; metrics: Record<string, number> } }> = [];
    await consumer.connect();
    try {
      await consumer.subscribe({ topic: ModelVersionRegisteredV1.topic, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          if (message.key?.toString() === name) seen.push({ key: name, value: JSON.parse(message.value?.toString() ?? '{}') });
        },
      });
      const reg = await call('POST', `/registered-models/${name}/versions`, aRegistration('run-k', { metrics: { roc_auc: 0.7, log_loss: 'NaN', odd: '-Infinity' } }));
      expect(reg.status).toBe(201);
      expect(reg.body.metrics).toEqual({ roc_auc: 0.7, log_loss: 'NaN', odd: '-Infinity' });
      await eventually(() => expect(seen).toHaveLength(1), 60_000, 200);
      // non-finite metrics stay in the registry; the contract carries finite numbers only
      expect(seen[0]?.value).toEqual(expect.objectContaining({ modelName: name, version: 1, metrics: { roc_auc: 0.7 } }));
    } finally {
      await consumer.disconnect();
    }
  });

  it('is idempotent per runId: 201 then 200 with the same version, no second event; 409 for another artifact', async () => {
    const name = modelName('idem');
    const first = await call('POST', `/registered-models/${name}/versions`, aRegistration('run-x'));
    const concurrentRetries = await Promise.all([1, 2, 3].map(() => call('POST', `/registered-models/${name}/versions`, aRegistration('run-x'))));
    expect(first.status).toBe(201);
    expect(first.body).toEqual(expect.objectContaining({ name, version: 1, runId: 'run-x', aliases: ['champion'], status: 'READY' }));
    expect(concurrentRetries.map((r) => [r.status, r.body.version])).toEqual([[200, 1], [200, 1], [200, 1]]);
    expect(concurrentRetries[0]?.body).toEqual(first.body);

    const other = await call('POST', `/registered-models/${name}/versions`, aRegistration('run-x', { artifactSha256: SHA_B }));
    expect(other.status).toBe(409);
    expect(other.body.error).toContain(`Run 'run-x' is already registered as model version '${name}@1'`);

    const outbox = await outboxOf(name);
    expect(outbox.filter((e) => e.topic === ModelVersionRegisteredV1.topic)).toHaveLength(1);
    expect((await call('GET', `/registered-models/${name}`)).body.latestVersion).toBe(1);
  });

  it('publishes nothing and assigns no number when the transaction fails at commit', async () => {
    const name = modelName('rollback');
    // A deferred constraint trigger fails the COMMIT itself, after the version, alias and outbox rows were written.
    await ds.query(`CREATE FUNCTION "${schema}".fail_forced() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.run_id LIKE 'force-fail-%' THEN RAISE EXCEPTION 'forced failure for %', NEW.run_id; END IF; RETURN NEW; END $$`);
    await ds.query(`CREATE CONSTRAINT TRIGGER fail_forced AFTER INSERT ON "${schema}".model_version
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "${schema}".fail_forced()`);
    try {
      const failedFirst = await call('POST', `/registered-models/${name}/versions`, aRegistration('force-fail-1'));
      expect(failedFirst.status).toBe(500);
      expect((await call('GET', `/registered-models/${name}`)).status).toBe(404); // the model row rolled back too
      expect(await outboxOf(name)).toEqual([]);

      expect((await call('POST', `/registered-models/${name}/versions`, aRegistration('ok-1'))).body.version).toBe(1);
      const failedSecond = await call('POST', `/registered-models/${name}/versions`, aRegistration('force-fail-2'));
      expect(failedSecond.status).toBe(500);
      const next = await call('POST', `/registered-models/${name}/versions`, aRegistration('ok-2'));
      expect([next.status, next.body.version]).toEqual([201, 2]); // contiguous: the failed attempt used no number

      const outbox = await outboxOf(name);
      expect(outbox.filter((e) => e.topic === ModelVersionRegisteredV1.topic).map((e) => [e.value.runId, e.value.version])).toEqual([
        ['ok-1', 1],
        ['ok-2', 2],
      ]);
      const rows: Array<{ run_id: string }> = await ds.query(`SELECT run_id FROM "${schema}".model_version WHERE name = $1 ORDER BY version`, [name]);
      expect(rows.map((r) => r.run_id)).toEqual(['ok-1', 'ok-2']);
    } finally {
      await ds.query(`DROP TRIGGER fail_forced ON "${schema}".model_version`);
    }
  });

  it('rejects invalid names and bodies with 400 and writes nothing', async () => {
    const bad = await call('POST', '/registered-models/Taxi_Tip/versions', aRegistration('r'));
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual(expect.objectContaining({ code: 'INVALID_ARGUMENT', error: expect.stringContaining("Invalid model name 'Taxi_Tip'") }));
    const name = modelName('badbody');
    const badBody = await call('POST', `/registered-models/${name}/versions`, aRegistration('r', { artifactSha256: 'xyz', metrics: { a: 'much' } }));
    expect(badBody.status).toBe(400);
    expect(badBody.body.details.issues).toEqual([expect.stringMatching(/^artifactSha256: /), expect.stringMatching(/^metrics\.a: /)]);
    expect((await call('GET', `/registered-models/${name}`)).status).toBe(404);
  });
});

describe('aliases', () => {
  it('gives the first version champion, moves it atomically with history, audit and events, and protects aliased versions', async () => {
    const name = modelName('alias');
    for (const r of ['r1', 'r2', 'r3']) expect((await call('POST', `/registered-models/${name}/versions`, aRegistration(r))).status).toBe(201);

    const champion = await call('GET', `/registered-models/${name}/aliases/champion`);
    expect([champion.status, champion.body.version, champion.body.aliases]).toEqual([200, 1, ['champion']]);
    expect((await call('GET', `/registered-models/${name}/versions/2`)).body.aliases).toEqual([]);

    const move = await call('PUT', `/registered-models/${name}/aliases/champion`, { version: '2', reason: 'roc_auc improved', actor: 'alice' });
    expect(move.status).toBe(200);
    expect(move.body).toEqual(expect.objectContaining({ name, alias: 'champion', version: 2, previousVersion: 1, changed: true, updatedBy: 'alice' }));
    const again = await call('PUT', `/registered-models/${name}/aliases/champion`, { version: 2 }, { 'x-strata-actor': 'bob' });
    expect([again.status, again.body.changed, again.body.version]).toEqual([200, false, 2]);
    const challenger = await call('PUT', `/registered-models/${name}/aliases/challenger`, { version: 3 }, { 'x-strata-actor': 'bob' });
    expect([challenger.body.previousVersion, challenger.body.changed]).toEqual([null, true]);

    expect((await call('GET', `/registered-models/${name}/aliases/champion`)).body.version).toBe(2);
    expect((await call('GET', `/registered-models/${name}/versions/02`)).body.aliases).toEqual(['champion']);

    const history = await call('GET', `/registered-models/${name}/aliases/champion/history`);
    expect(history.body.map((h: Record<string, unknown>) => [h.fromVersion, h.toVersion, h.actor, h.reason])).toEqual([
      [1, 2, 'alice', 'roc_auc improved'],
      [null, 1, 'anonymous', 'first version of the model'],
    ]);

    const refused = await call('DELETE', `/registered-models/${name}/versions/2`);
    expect(refused.status).toBe(409);
    expect(refused.body.error).toBe(`Model version '${name}@2' cannot be deleted: alias 'champion' points at it; move or delete the alias first`);
    expect((await call('GET', `/registered-models/${name}/versions/2`)).status).toBe(200);

    const deleted = await call('DELETE', `/registered-models/${name}/versions/1`);
    expect([deleted.status, deleted.body.version]).toEqual([200, 1]);
    expect((await call('GET', `/registered-models/${name}/versions/1`)).status).toBe(404);

    const removed = await call('DELETE', `/registered-models/${name}/aliases/challenger`, { reason: 'experiment over' });
    expect([removed.status, removed.body.version]).toEqual([200, 3]);
    expect((await call('GET', `/registered-models/${name}/aliases/challenger`)).status).toBe(404);
    expect((await call('DELETE', `/registered-models/${name}/versions/3`)).status).toBe(200);

    const aliasEvents = (await outboxOf(name)).filter((e) => e.topic === ModelAliasChangedV1.topic).map((e) => e.value);
    expect(aliasEvents.map((e) => [e.alias, e.fromVersion, e.toVersion, e.actor, e.reason])).toEqual([
      ['champion', null, 1, 'anonymous', 'first version of the model'],
      ['champion', 1, 2, 'alice', 'roc_auc improved'],
      ['challenger', null, 3, 'bob', ''],
      ['challenger', 3, null, 'anonymous', 'experiment over'],
    ]);

    const audit = await call('GET', `/registered-models/${name}/audit`);
    expect(audit.body.map((a: Record<string, unknown>) => [a.action, a.resource, a.outcome])).toEqual([
      ['model_version.register', `${name}@1`, 'success'],
      ['model_alias.set', `${name}#champion`, 'success'],
      ['model_version.register', `${name}@2`, 'success'],
      ['model_version.register', `${name}@3`, 'success'],
      ['model_alias.set', `${name}#champion`, 'success'],
      ['model_alias.set', `${name}#challenger`, 'success'],
      ['model_version.delete', `${name}@2`, 'refused'],
      ['model_version.delete', `${name}@1`, 'success'],
      ['model_alias.delete', `${name}#challenger`, 'success'],
      ['model_version.delete', `${name}@3`, 'success'],
    ]);
  });

  it('answers 404/400 with the object named', async () => {
    const name = modelName('missing');
    expect((await call('GET', `/registered-models/${name}/aliases/champion`)).body.error).toBe(`Registered model '${name}' not found`);
    await call('POST', `/registered-models/${name}/versions`, aRegistration('r1'));
    expect((await call('GET', `/registered-models/${name}/aliases/challenger`)).body.error).toBe(`Alias 'challenger' of model '${name}' not found`);
    const noVersion = await call('PUT', `/registered-models/${name}/aliases/champion`, { version: 9 });
    expect([noVersion.status, noVersion.body.error]).toEqual([404, `Model version '${name}@9' not found`]);
    expect((await call('GET', `/registered-models/${name}/versions/two`)).status).toBe(400);
    expect((await call('PUT', `/registered-models/${name}/aliases/Champion`, { version: 1 })).status).toBe(400);
    expect((await call('PUT', `/registered-models/${name}/aliases/champion`, { version: 1.5 })).status).toBe(400);
  });
});

describe('GET /registered-models', () => {
  it('searches by substring (case-insensitive) and pages by name', async () => {
    for (const slug of ['list-a', 'list-b', 'list-c']) await call('POST', `/registered-models/${modelName(slug)}/versions`, aRegistration('r1'));
    const first = await call('GET', `/registered-models?search=${encodeURIComponent(`${runTag}-LIST`)}&limit=2`);
    expect(first.body.registeredModels.map((m: { name: string }) => m.name)).toEqual([modelName('list-a'), modelName('list-b')]);
    expect(first.body.registeredModels[0].aliases).toEqual({ champion: 1 });
    const second = await call('GET', `/registered-models?search=${encodeURIComponent(`${runTag}-list`)}&limit=2&pageToken=${first.body.nextPageToken}`);
    expect(second.body).toEqual({ registeredModels: [expect.objectContaining({ name: modelName('list-c') })] });
  });
});

describe('MLflow REST subset /api/2.0/mlflow', () => {
  it('gets and searches models, gets versions, sets and gets aliases', async () => {
    const name = modelName('mlflow');
    await call('POST', `/registered-models/${name}/versions`, aRegistration('m1'));
    await call('POST', `/registered-models/${name}/versions`, aRegistration('m2'));

    const got = await call('GET', `/api/2.0/mlflow/registered-models/get?name=${name}`);
    expect(got.body.registered_model).toEqual(
      expect.objectContaining({ name, aliases: [{ alias: 'champion', version: '1' }], latest_versions: [expect.objectContaining({ version: '2', run_id: 'm2' })] }),
    );
    const found = await call('GET', `/api/2.0/mlflow/registered-models/search?filter=${encodeURIComponent(`name LIKE '%${runTag}-mlflow%'`)}`);
    expect(found.body.registered_models.map((m: { name: string }) => m.name)).toEqual([name]);
    expect((await call('GET', `/api/2.0/mlflow/registered-models/search?filter=${encodeURIComponent('tags.x = 1')}`)).status).toBe(400);

    const mv = await call('GET', `/api/2.0/mlflow/model-versions/get?name=${name}&version=2`);
    expect(mv.body.model_version).toEqual(expect.objectContaining({ name, version: '2', source: 'file:///tmp/strata-it/m2/model.onnx', status: 'READY', current_stage: 'None' }));

    expect((await call('POST', '/api/2.0/mlflow/registered-models/alias', { name, alias: 'champion', version: '2' })).body).toEqual({});
    const alias = await call('GET', `/api/2.0/mlflow/registered-models/alias?name=${name}&alias=champion`);
    expect(alias.body.model_version).toEqual(expect.objectContaining({ version: '2', aliases: ['champion'] }));
    expect((await call('GET', `/registered-models/${name}/aliases/champion/history`)).body[0]).toEqual(
      expect.objectContaining({ fromVersion: 1, toVersion: 2, reason: 'set through the MLflow API' }),
    );
  });
});
