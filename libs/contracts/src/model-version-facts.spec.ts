import * as fs from 'node:fs';
import * as path from 'node:path';
import { ModelAliasChangedV1, ModelRolloutChangedV1, ModelVersionFacts, ModelVersionRegisteredV1 } from './index';

const fixture = (topic: string): Record<string, unknown> =>
  JSON.parse(fs.readFileSync(path.join(__dirname, '__fixtures__', `${topic}.json`), 'utf8')) as Record<string, unknown>;

describe('model version facts: compatible evolution of the v1 registry events', () => {
  it('events published before the facts existed still parse (the facts are optional)', () => {
    const registered = fixture(ModelVersionRegisteredV1.topic);
    delete registered['referenceProfileUri'];
    delete registered['referenceProfileSha256'];
    registered['signature'] = { inputs: [{ name: 'features', type: 'float32', shape: [-1, 23] }], outputs: [{ name: 'probabilities', type: 'float32' }] };
    expect(ModelVersionRegisteredV1.schema.safeParse(registered).success).toBe(true);

    const alias = fixture(ModelAliasChangedV1.topic);
    delete alias['toVersionFacts'];
    expect(ModelAliasChangedV1.schema.parse(alias).toVersionFacts).toBeUndefined();

    const rollout = fixture(ModelRolloutChangedV1.topic);
    delete rollout['routeVersionFacts'];
    expect(ModelRolloutChangedV1.schema.parse(rollout).routeVersionFacts).toBeUndefined();
  });

  it('the fixtures carry the facts consumers act on', () => {
    const alias = ModelAliasChangedV1.schema.parse(fixture(ModelAliasChangedV1.topic));
    expect(alias.toVersionFacts).toMatchObject({
      version: 7,
      artifactUri: 'file:///var/lib/strata/artifacts/run-5d2c9a/model.onnx',
      referenceProfileSha256: '2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae',
    });
    expect(alias.toVersionFacts?.signature.featureRefs).toEqual(['customer_credit_stats:credit_limit', 'customer_credit_stats:age', 'application:pay_0']);
    const rollout = ModelRolloutChangedV1.schema.parse(fixture(ModelRolloutChangedV1.topic));
    expect(rollout.routeVersionFacts?.map((f) => [f.version, f.referenceProfileUri])).toEqual([
      [2, 'file:///var/lib/strata/artifacts/run-a1/reference-profile.json'],
      [3, null],
    ]);
  });

  it('facts must describe the version the event names', () => {
    const alias = fixture(ModelAliasChangedV1.topic);
    const facts = alias['toVersionFacts'] as Record<string, unknown>;
    const wrong = ModelAliasChangedV1.schema.safeParse({ ...alias, toVersionFacts: { ...facts, version: 6 } });
    expect(wrong.success).toBe(false);
    expect(wrong.error?.issues[0]?.path).toEqual(['toVersionFacts', 'version']);
    expect(ModelAliasChangedV1.schema.safeParse({ ...alias, toVersion: null }).success).toBe(false);

    const rollout = fixture(ModelRolloutChangedV1.topic);
    const [f2] = rollout['routeVersionFacts'] as Array<Record<string, unknown>>;
    expect(ModelRolloutChangedV1.schema.safeParse({ ...rollout, routeVersionFacts: [{ ...f2, version: 9 }] }).success).toBe(false);
    expect(ModelRolloutChangedV1.schema.safeParse({ ...rollout, route: null }).success).toBe(false);
    expect(ModelRolloutChangedV1.schema.safeParse({ ...rollout, route: null, routeVersionFacts: undefined }).success).toBe(true);
  });

  it('a reference profile URI goes with its sha256, and feature references are view:feature', () => {
    const facts = (fixture(ModelAliasChangedV1.topic)['toVersionFacts'] as Record<string, unknown>);
    expect(ModelVersionFacts.safeParse({ ...facts, referenceProfileSha256: null }).success).toBe(false);
    expect(ModelVersionFacts.safeParse({ ...facts, referenceProfileUri: null, referenceProfileSha256: null }).success).toBe(true);
    const signature = facts['signature'] as Record<string, unknown>;
    expect(ModelVersionFacts.safeParse({ ...facts, signature: { ...signature, featureRefs: ['no_view'] } }).success).toBe(false);
  });
});
