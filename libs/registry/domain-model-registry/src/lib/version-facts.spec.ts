import { ModelAliasChangedV1, ModelRolloutChangedV1, ModelVersionRegisteredV1 } from '@strata/contracts';
import type { ModelVersion } from '@strata/registry/data-access';
import type { EntityManager } from 'typeorm';
import { RegisterModelVersionBody } from './registry.schemas';
import { factsOf, servingSignatureOf, versionRegisteredPayload, withAliasFacts, withRouteFacts, type VersionReader } from './version-facts';

const SHA = (c: string): string => c.repeat(64);
/** A registration as training sends it: OIP signature with the ONNX metadata (feature names/refs as JSON strings). */
const body = {
  runId: 'run-42',
  artifactUri: 'file:///data/models/credit/run-42/model.onnx',
  artifactSha256: SHA('a'),
  signature: {
    inputs: [{ name: 'input', datatype: 'FP32', shape: [-1, 2] }],
    outputs: [{ name: 'probability', datatype: 'FP32', shape: [-1, 1] }, { name: 'debug', datatype: 'FP16' }],
    metadata: {
      'strata.feature_names': JSON.stringify(['account_stats__balance', 'amount']),
      'strata.feature_refs': JSON.stringify(['account_stats:balance', 'order_request:amount']),
      'strata.model_type': 'logistic_regression',
    },
    requestFields: [{ name: 'amount', dtype: 'FLOAT64' }],
  },
  metrics: { roc_auc: 0.81, logloss: 'NaN' },
  lineage: { datasetVersions: [{ datasetName: 'adult', versionId: 'v1', contentSha256: SHA('b') }], featureViews: ['account_stats'] },
  referenceProfileUri: 'file:///data/models/credit/run-42/reference-profile.json',
  referenceProfileSha256: SHA('c'),
  tags: { team: 'risk' },
};
const input = RegisterModelVersionBody.parse(body);
const stored = (version: number, over: Partial<ModelVersion> = {}): ModelVersion =>
  ({
    name: 'credit', version, runId: `run-${version}`, workflowId: null, artifactUri: `file:///data/models/credit/${version}/model.onnx`, artifactSha256: SHA(String(version)),
    signature: input.signature as Record<string, unknown>, metrics: input.metrics, params: {}, lineage: input.lineage,
    referenceProfileUri: body.referenceProfileUri, referenceProfileSha256: body.referenceProfileSha256, status: 'READY', description: null, tags: {},
    aliases: [], createdBy: 'alice', createdAt: '2026-12-01T00:00:00.000Z', ...over,
  }) as ModelVersion;
const m = {} as EntityManager;
const reader = (versions: ModelVersion[]): VersionReader & { calls: number[] } => {
  const calls: number[] = [];
  return { calls, getVersion: async (_m, _name, v) => (calls.push(v), versions.find((x) => x.version === v) ?? null) };
};

describe('servingSignatureOf', () => {
  it('keeps contract-typed tensors and reads feature names/refs from the ONNX metadata, request fields as recorded', () => {
    expect(servingSignatureOf(input.signature as Record<string, unknown>)).toEqual({
      inputs: [{ name: 'input', type: 'float32', shape: [-1, 2] }],
      outputs: [{ name: 'probability', type: 'float32', shape: [-1, 1] }],
      featureNames: ['account_stats__balance', 'amount'],
      featureRefs: ['account_stats:balance', 'order_request:amount'],
      requestFields: [{ name: 'amount', dtype: 'FLOAT64' }],
    });
  });

  it('leaves out lists it cannot trust: refs not matching the names, malformed refs, bad JSON', () => {
    const sig = (metadata: Record<string, string>) => ({ inputs: [{ name: 'x', type: 'float32' }], outputs: [{ name: 'y', type: 'float32' }], metadata });
    expect(servingSignatureOf(sig({ 'strata.feature_names': '["a","b"]', 'strata.feature_refs': '["v:a"]' }))).toEqual({
      inputs: [{ name: 'x', type: 'float32' }], outputs: [{ name: 'y', type: 'float32' }], featureNames: ['a', 'b'],
    });
    expect(servingSignatureOf(sig({ 'strata.feature_refs': '["no_view"]' })).featureRefs).toBeUndefined();
    expect(servingSignatureOf(sig({ 'strata.feature_names': '[not json' })).featureNames).toBeUndefined();
  });
});

describe('versionRegisteredPayload', () => {
  it('carries artifact, finite metrics, signature with refs, lineage and the reference profile, valid for the contract', () => {
    const payload = versionRegisteredPayload(stored(3), input, 'training', new Date('2026-12-01T10:00:00Z'));
    expect(ModelVersionRegisteredV1.schema.parse(payload)).toEqual(payload);
    expect(payload).toMatchObject({
      modelName: 'credit', version: 3, runId: 'run-3', artifactUri: 'file:///data/models/credit/3/model.onnx', artifactSha256: SHA('3'),
      metrics: { roc_auc: 0.81 }, featureViews: [{ name: 'account_stats' }], tags: { team: 'risk' }, registeredBy: 'training',
      registeredAt: '2026-12-01T10:00:00.000Z', referenceProfileUri: body.referenceProfileUri, referenceProfileSha256: SHA('c'),
    });
    expect(payload.signature.featureRefs).toEqual(['account_stats:balance', 'order_request:amount']);
  });

  it('says null for a version without a reference profile', () => {
    const payload = versionRegisteredPayload(stored(1, { referenceProfileUri: null, referenceProfileSha256: null }), input, 'a', new Date());
    expect([payload.referenceProfileUri, payload.referenceProfileSha256]).toEqual([null, null]);
  });

  it('drops the signature lists (keeps the tensors) when they would exceed the 64 KiB inline limit', () => {
    const many = Array.from({ length: 3000 }, (_, i) => `view_${i}:feature_with_a_long_name_${i}`);
    const big = { ...input.signature, metadata: { 'strata.feature_refs': JSON.stringify(many) } };
    const payload = versionRegisteredPayload(stored(2, { signature: big }), { ...input, signature: big }, 'a', new Date());
    expect(payload.signature).toEqual({ inputs: [{ name: 'input', type: 'float32', shape: [-1, 2] }], outputs: [{ name: 'probability', type: 'float32', shape: [-1, 1] }] });
  });
});

describe('withAliasFacts / withRouteFacts', () => {
  const alias = { modelName: 'credit', alias: 'champion', fromVersion: 1, toVersion: 2, actor: 'alice', reason: 'better', changedAt: '2026-12-01T10:00:00.000Z' };

  it('adds the facts of toVersion read in the transaction', async () => {
    const store = reader([stored(1), stored(2)]);
    const payload = await withAliasFacts(m, store, alias);
    expect(store.calls).toEqual([2]);
    expect(ModelAliasChangedV1.schema.parse(payload)).toEqual(payload);
    expect(payload.toVersionFacts).toEqual(factsOf(stored(2)));
    expect(payload.toVersionFacts).toMatchObject({ version: 2, artifactSha256: SHA('2'), metrics: { roc_auc: 0.81 }, referenceProfileUri: body.referenceProfileUri });
  });

  it('adds nothing for a deleted alias or a version it cannot read', async () => {
    const store = reader([]);
    expect(await withAliasFacts(m, store, { ...alias, toVersion: null })).toEqual({ ...alias, toVersion: null });
    expect(store.calls).toEqual([]);
    expect(await withAliasFacts(m, store, alias)).toEqual(alias);
  });

  it('adds the facts of both route versions, none when the route is cleared', async () => {
    const route = { mode: 'canary' as const, championVersion: 1, challengerVersion: 2, challengerWeight: 0.2, stickyKey: null };
    const rollout = { modelName: 'credit', rolloutId: 'r-1', action: 'started' as const, route, actor: 'alice', reason: '', changedAt: '2026-12-01T10:00:00.000Z' };
    const payload = await withRouteFacts(m, reader([stored(1), stored(2)]), rollout);
    expect(ModelRolloutChangedV1.schema.parse(payload)).toEqual(payload);
    expect(payload.routeVersionFacts?.map((f) => [f.version, f.artifactUri])).toEqual([
      [1, 'file:///data/models/credit/1/model.onnx'],
      [2, 'file:///data/models/credit/2/model.onnx'],
    ]);
    expect(await withRouteFacts(m, reader([stored(1)]), rollout)).toEqual(rollout);
    expect(await withRouteFacts(m, reader([stored(1), stored(2)]), { ...rollout, route: null, action: 'ended' })).toEqual({ ...rollout, route: null, action: 'ended' });
  });
});
