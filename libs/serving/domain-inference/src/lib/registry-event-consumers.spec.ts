import { Logger } from '@nestjs/common';
import type { ModelAliasChangedV1, ModelRolloutChangedV1, ModelVersionFacts } from '@strata/contracts';
import type { EventContext } from '@strata/messaging';
import { NotFoundError } from '@strata/shared/util-errors';
import { ModelAliasConsumer } from './model-alias.consumer';
import type { ModelRepository, ModelVersionDescriptor, ServingRoute } from './model-repository';
import { ModelRolloutConsumer } from './model-rollout.consumer';
import type { RegistryClient } from './registry.client';

const SHA = (c: string): string => c.repeat(64);
const facts = (version: number): ModelVersionFacts => ({
  version,
  artifactUri: `file:///data/models/credit/${version}/model.onnx`,
  artifactSha256: SHA(String(version)),
  artifactFormat: 'onnx',
  signature: { inputs: [{ name: 'input', type: 'float32' }], outputs: [{ name: 'probability', type: 'float32' }] },
  metrics: { roc_auc: 0.8 },
  referenceProfileUri: null,
  referenceProfileSha256: null,
});

/** Records what the consumers ask of the repository (the real one needs ONNX files; covered by the int specs). */
function fakeRepository() {
  const loads: Array<[ModelVersionDescriptor, string | null | undefined]> = [];
  const routes: Array<ServingRoute | null> = [];
  const repo = {
    loads,
    routes,
    load: async (d: ModelVersionDescriptor, o: { alias?: string | null } = {}) => (loads.push([d, o.alias]), null),
    unsetAlias: () => undefined,
    loadedVersions: () => [] as number[],
    setRoute: (_n: string, r: ServingRoute | null) => void routes.push(r),
  };
  return repo;
}
function countingRegistry() {
  const calls: string[] = [];
  return {
    calls,
    getVersion: async (name: string, version: number): Promise<ModelVersionDescriptor> => {
      calls.push(`${name}@${version}`);
      if (version === 99) throw new NotFoundError(`Model version '${name}@99' not found`);
      return { name, version, artifactUri: `file:///registry/${version}.onnx`, artifactSha256: SHA('f') };
    },
  };
}
const ctx = { eventId: 'ce-1' } as EventContext;
const alias: ModelAliasChangedV1 = { modelName: 'credit', alias: 'champion', fromVersion: 1, toVersion: 2, actor: 'alice', reason: '', changedAt: '2026-12-01T10:00:00.000Z' };

describe('serving applies registry changes from the event facts, the registry only as a fallback', () => {
  beforeAll(() => Logger.overrideLogger(false));

  it('alias change with toVersionFacts: loaded from the event, no registry call', async () => {
    const repo = fakeRepository();
    const registry = countingRegistry();
    const consumer = new ModelAliasConsumer(repo as unknown as ModelRepository, registry as unknown as RegistryClient);
    await consumer.onAliasChanged({ ...alias, toVersionFacts: facts(2) }, ctx);
    expect(registry.calls).toEqual([]);
    expect(repo.loads).toEqual([[{ name: 'credit', version: 2, artifactUri: 'file:///data/models/credit/2/model.onnx', artifactSha256: SHA('2') }, 'champion']]);
    consumer.onApplicationShutdown();
  });

  it('alias change without facts (older event): asks the registry', async () => {
    const repo = fakeRepository();
    const registry = countingRegistry();
    const consumer = new ModelAliasConsumer(repo as unknown as ModelRepository, registry as unknown as RegistryClient);
    await consumer.onAliasChanged(alias, ctx);
    expect(registry.calls).toEqual(['credit@2']);
    expect(repo.loads).toEqual([[{ name: 'credit', version: 2, artifactUri: 'file:///registry/2.onnx', artifactSha256: SHA('f') }, 'champion']]);
    await consumer.onAliasChanged({ ...alias, toVersion: 99 }, ctx); // unknown: logged, not retried
    expect(repo.loads).toHaveLength(1);
    consumer.onApplicationShutdown();
  });

  it('rollout with routeVersionFacts: both versions from the event; facts of one version only: the other from the registry', async () => {
    const route = { mode: 'canary' as const, championVersion: 1, challengerVersion: 2, challengerWeight: 0.25, stickyKey: null };
    const rollout: ModelRolloutChangedV1 = { modelName: 'credit', rolloutId: 'r-1', action: 'started', route, actor: 'alice', reason: '', changedAt: '2026-12-01T10:00:00.000Z' };
    const repo = fakeRepository();
    const registry = countingRegistry();
    const consumer = new ModelRolloutConsumer(repo as unknown as ModelRepository, registry as unknown as RegistryClient);
    await consumer.onRolloutChanged({ ...rollout, routeVersionFacts: [facts(1), facts(2)] }, ctx);
    expect(registry.calls).toEqual([]);
    expect(repo.loads.map(([d, a]) => [d.version, d.artifactUri, a])).toEqual([
      [1, 'file:///data/models/credit/1/model.onnx', null],
      [2, 'file:///data/models/credit/2/model.onnx', null],
    ]);
    expect(repo.routes).toEqual([{ rolloutId: 'r-1', ...route }]);

    await consumer.onRolloutChanged({ ...rollout, rolloutId: 'r-2', routeVersionFacts: [facts(2)] }, ctx);
    expect(registry.calls).toEqual(['credit@1']);
    consumer.onApplicationShutdown();
  });
});
