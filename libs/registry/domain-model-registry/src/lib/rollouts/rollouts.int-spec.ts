/**
 * Rollout endpoints on the real PostgreSQL (fresh schema) with the production wiring
 * (PlatformModule + MessagingModule + RegistryModule): audited records and outbox events.
 */
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { ModelAliasChangedV1, ModelRolloutChangedV1 } from '@strata/contracts';
import { RegistryApi } from '@strata/contracts/api';
import { MessagingModule } from '@strata/messaging';
import { REGISTRY_ENTITIES, REGISTRY_MIGRATIONS } from '@strata/registry/data-access';
import { AppErrorFilter, DatabaseService, PlatformModule } from '@strata/shared/nest-platform';
import { dropSchemas, infraEnv, initInjectedTestApp, uniqueName } from '@strata/shared/testing';
import { DataSource } from 'typeorm';
import { RegistryModule } from '../registry.module';

jest.setTimeout(120_000);

const schema = uniqueName('registry_rollouts_it');
const tag = schema.slice('registry_rollouts_it_'.length).replace(/_/g, '-');
let app: NestFastifyApplication;
let ds: DataSource;

type Reply = { status: number; body: any }; // eslint-disable-line @typescript-eslint/no-explicit-any
async function call(method: 'GET' | 'POST' | 'PUT' | 'PATCH', url: string, payload?: unknown, actor?: string): Promise<Reply> {
  const res = await app.getHttpAdapter().getInstance().inject({ method, url, payload: payload as object | undefined, headers: actor ? { 'x-strata-actor': actor } : {} });
  return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : undefined };
}

function registration(runId: string): Record<string, unknown> {
  return {
    runId,
    artifactUri: `file:///tmp/strata-it/${runId}/model.onnx`,
    artifactSha256: 'a'.repeat(64),
    signature: { inputs: [{ name: 'input', datatype: 'FP32', shape: [-1, 3] }], outputs: [{ name: 'probability', datatype: 'FP32', shape: [-1, 1] }] },
    lineage: { datasetVersions: [], featureViews: [] },
  };
}

async function modelWithVersions(slug: string, n: number): Promise<string> {
  const name = `ro-${tag}-${slug}`;
  for (let i = 1; i <= n; i++) expect((await call('POST', `/registered-models/${name}/versions`, registration(`${slug}-run-${i}`))).status).toBe(201);
  return name;
}

async function events(name: string): Promise<Array<{ topic: string; value: any }>> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const rows: Array<{ topic: string; payload: Buffer }> = await ds.query(`SELECT topic, payload FROM "${schema}".outbox_event WHERE key = $1 ORDER BY seq`, [name]);
  return rows.map((r) => ({ topic: r.topic, value: JSON.parse(r.payload.toString('utf8')) }));
}

beforeAll(async () => {
  const env = infraEnv();
  const moduleRef = await Test.createTestingModule({
    imports: [
      PlatformModule.forService({
        identity: { name: 'registry', version: 'test' },
        logLevel: 'warn',
        database: { url: env.databaseUrl, schema, entities: REGISTRY_ENTITIES, migrations: REGISTRY_MIGRATIONS },
      }),
      MessagingModule.forRoot({ serviceName: 'registry', brokers: env.kafkaBrokers, relay: { enabled: false }, consumer: { enabled: false }, deadLetterController: false }),
      RegistryModule,
    ],
  }).compile();
  app = await initInjectedTestApp(moduleRef, [new AppErrorFilter()], (a) => a.get(DatabaseService).whenReady());
  ds = app.get(DataSource);
});

afterAll(async () => {
  await app?.close();
  await dropSchemas(schema);
});

describe('rollouts', () => {
  it('canary: start (challenger from the alias), 409 while active, re-weight, rollback; audited; one event per change with the whole route', async () => {
    const name = await modelWithVersions('canary', 2);
    expect((await call('PUT', `/registered-models/${name}/aliases/challenger`, { version: 2 })).status).toBe(200);
    expect((await call('GET', `/models/${name}/rollouts/current`)).status).toBe(404);

    const started = await call('POST', `/models/${name}/rollouts`, { mode: 'canary', challengerWeight: 0.25, stickyKey: 'user_id', reason: 'try v2' }, 'alice');
    expect(started.status).toBe(201);
    expect(started.body).toEqual(expect.objectContaining({
      modelName: name, status: 'active', actor: 'alice', reason: 'try v2',
      route: { mode: 'canary', championVersion: 1, challengerVersion: 2, challengerWeight: 0.25, stickyKey: 'user_id' },
    }));
    const id = started.body.rolloutId as string;
    // the answers are the contract's (what the typed client's startRollout / currentRollout / endRollout type)
    expect(RegistryApi.startRollout.response.parse(started.body).rolloutId).toBe(id);
    expect(RegistryApi.getCurrentRollout.response.parse((await call('GET', `/models/${name}/rollouts/current`)).body).rolloutId).toBe(id);

    const again = await call('POST', `/models/${name}/rollouts`, { mode: 'shadow' });
    expect(again.status).toBe(409);
    expect(again.body.error).toContain(`already has an active canary rollout '${id}'`);

    expect((await call('GET', `/models/${name}/rollouts/current`)).body.rolloutId).toBe(id);
    const patched = await call('PATCH', `/models/${name}/rollouts/current`, { challengerWeight: 0.5, reason: 'looks fine' }, 'bob');
    expect(patched.status).toBe(200);
    expect(patched.body.route.challengerWeight).toBe(0.5);
    const badPatch = await call('PATCH', `/models/${name}/rollouts/current`, { challengerWeight: 1.5 });
    expect(badPatch.status).toBe(400);
    expect(badPatch.body.error).toContain('challengerWeight');

    const rolledBack = await call('POST', `/models/${name}/rollouts/current/rollback`, { reason: 'error rate 7% > 2%' }, 'monitoring:auto-rollback');
    expect(rolledBack.status).toBe(200);
    expect(RegistryApi.rollbackRollout.response.parse(rolledBack.body).status).toBe('rolled-back');
    expect(rolledBack.body).toEqual(expect.objectContaining({ rolloutId: id, status: 'rolled-back', route: null, endedBy: 'monitoring:auto-rollback', endReason: 'error rate 7% > 2%' }));
    expect((await call('GET', `/models/${name}/rollouts/current`)).status).toBe(404);
    expect((await call('POST', `/models/${name}/rollouts/current/rollback`, { reason: 'twice' })).status).toBe(404);

    // a new canary after the rollback: its own route only (default weight, no sticky key)
    const second = await call('POST', `/models/${name}/rollouts`, { mode: 'canary' });
    expect(second.status).toBe(201);
    expect(second.body.route).toEqual({ mode: 'canary', championVersion: 1, challengerVersion: 2, challengerWeight: 0.1, stickyKey: null });
    expect(second.body.actor).toBe('anonymous');

    const rollouts = (await events(name)).filter((e) => e.topic === ModelRolloutChangedV1.topic).map((e) => e.value);
    expect(rollouts.map((e) => [e.action, e.actor, e.route?.challengerWeight ?? null])).toEqual([
      ['started', 'alice', 0.25], ['updated', 'bob', 0.5], ['rolled-back', 'monitoring:auto-rollback', null], ['started', 'anonymous', 0.1],
    ]);
    for (const e of rollouts) expect(ModelRolloutChangedV1.schema.safeParse(e).success).toBe(true);
    expect(rollouts[2]).toEqual(expect.objectContaining({ rolloutId: id, route: null, reason: 'error rate 7% > 2%' }));

    const audit = (await call('GET', `/registered-models/${name}/audit`)).body.filter((a: { action: string }) => a.action.startsWith('model_rollout.'));
    expect(audit.map((a: { action: string; actor: string }) => [a.action, a.actor])).toEqual([
      ['model_rollout.start', 'alice'], ['model_rollout.update', 'bob'], ['model_rollout.rollback', 'monitoring:auto-rollback'], ['model_rollout.start', 'anonymous'],
    ]);
    expect(audit[2].before.route).toEqual({ mode: 'canary', championVersion: 1, challengerVersion: 2, challengerWeight: 0.5, stickyKey: 'user_id' });
    expect(audit[2].after).toEqual({ rolloutId: id, route: null, reason: 'error rate 7% > 2%' });

    const history = await call('GET', `/models/${name}/rollouts`);
    expect(history.body.map((r: { status: string }) => r.status)).toEqual(['active', 'rolled-back']);
  });

  it('shadow + promote: champion alias moves to the challenger in the same transaction; 400/404 name the problem', async () => {
    const name = await modelWithVersions('promote', 3);
    const noChallenger = await call('POST', `/models/${name}/rollouts`, { mode: 'shadow' });
    expect(noChallenger.status).toBe(400);
    expect(noChallenger.body.error).toContain("no 'challenger' alias");
    expect((await call('POST', `/models/${name}/rollouts`, { mode: 'canary', challengerVersion: 9 })).status).toBe(404);
    const self = await call('POST', `/models/${name}/rollouts`, { mode: 'canary', challengerVersion: 1 });
    expect(self.status).toBe(400);
    expect(self.body.error).toContain('is the champion itself');
    const badMode = await call('POST', `/models/${name}/rollouts`, { mode: 'blue-green' });
    expect(badMode.status).toBe(400);
    expect(badMode.body.error).toContain('mode');
    expect((await call('POST', `/models/no-such-${tag}/rollouts`, { mode: 'canary', challengerVersion: 2 })).status).toBe(404);

    const shadow = await call('POST', `/models/${name}/rollouts`, { mode: 'shadow', challengerVersion: 3 });
    expect(shadow.body.route).toEqual({ mode: 'shadow', championVersion: 1, challengerVersion: 3, challengerWeight: 0, stickyKey: null });
    expect((await call('PATCH', `/models/${name}/rollouts/current`, { challengerWeight: 0.3 })).status).toBe(400);

    const promoted = await call('POST', `/models/${name}/rollouts/current/promote`, { reason: 'shadow metrics better' }, 'carol');
    expect(promoted.body).toEqual(expect.objectContaining({ status: 'promoted', route: null, challengerVersion: 3 }));
    expect((await call('GET', `/registered-models/${name}/aliases/champion`)).body.version).toBe(3);
    const all = await events(name);
    const tail = all.slice(-2);
    expect(tail.map((e) => e.topic)).toEqual([ModelAliasChangedV1.topic, ModelRolloutChangedV1.topic]);
    expect(tail[0]!.value).toEqual(expect.objectContaining({ alias: 'champion', fromVersion: 1, toVersion: 3, actor: 'carol', reason: 'shadow metrics better' }));
    expect(tail[1]!.value).toEqual(expect.objectContaining({ action: 'promoted', route: null, actor: 'carol' }));
    const history = (await call('GET', `/registered-models/${name}/aliases/champion/history`)).body;
    expect(history[0]).toEqual(expect.objectContaining({ fromVersion: 1, toVersion: 3, actor: 'carol' }));
  });
});
