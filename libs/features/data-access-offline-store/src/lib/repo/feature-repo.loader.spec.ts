import { FeatureRepoError } from '../offline-store.errors';
import { parseFeatureRepoDocuments } from './feature-repo.loader';

const base = `kind: Entity
name: customer
joinKey: customer_id
valueType: INT64
---
kind: PushSource
name: customer_push
schema:
  - { name: customer_id, dtype: INT64 }
  - { name: ts, dtype: TIMESTAMP }
  - { name: spend, dtype: FLOAT64 }
timestampField: ts
---
kind: FeatureView
name: stats
entities: [customer_id]
ttlSeconds: 3600
source: { datasetName: customers }
timestampField: ts
pushSource: customer_push
sourceLookbackSeconds: 86400
features:
  - { name: spend, dtype: FLOAT64 }
`;
const parse = (extra: string) => parseFeatureRepoDocuments([{ file: 'repo.yaml', text: base + extra }]);

describe('feature repo loader: feature services and push sources', () => {
  it('loads feature services, push sources and training sets that use a feature service', () => {
    const repo = parse(`---
kind: FeatureService
name: svc
features: [stats:spend]
---
kind: TrainingSet
name: ts
source: { datasetName: customers }
entitySql: SELECT * FROM source
eventTimestampColumn: ts
featureService: svc
`);
    expect(repo.featureServices).toEqual([{ kind: 'feature_service', name: 'svc', features: ['stats:spend'] }]);
    expect(repo.pushSources).toEqual([
      {
        kind: 'push_source',
        name: 'customer_push',
        schema: [
          { name: 'customer_id', dtype: 'INT64' },
          { name: 'ts', dtype: 'TIMESTAMP' },
          { name: 'spend', dtype: 'FLOAT64' },
        ],
        timestampField: 'ts',
      },
    ]);
    expect(repo.featureViews[0]).toMatchObject({ pushSource: 'customer_push', sourceLookbackSeconds: 86400 });
    expect(repo.trainingSets[0]).toMatchObject({ name: 'ts', featureService: 'svc', features: [] });
  });

  it('names the file, document and field of each mistake', () => {
    expect(() => parse(`---\nkind: FeatureService\nname: svc\nfeatures: [stats:nope]\n`)).toThrow("repo.yaml (document 4): features[0]: 'stats:nope': view 'stats' has no feature 'nope'");
    expect(() => parse(`---\nkind: TrainingSet\nname: t\nsource: { datasetName: c }\nentitySql: SELECT 1\neventTimestampColumn: ts\nfeatureService: gone\n`)).toThrow(
      "featureService: 'gone' is not a declared FeatureService",
    );
    expect(() => parse(`---\nkind: TrainingSet\nname: t\nsource: { datasetName: c }\nentitySql: SELECT 1\neventTimestampColumn: ts\n`)).toThrow('give exactly one of features or featureService');
    expect(() => parseFeatureRepoDocuments([{ file: 'r.yaml', text: base.replace('- { name: spend, dtype: FLOAT64 }\ntimestampField', '- { name: spend, dtype: INT64 }\ntimestampField') }])).toThrow(
      "pushSource: push source 'customer_push' column 'spend' is INT64, the view declares FLOAT64",
    );
    expect(() => parseFeatureRepoDocuments([{ file: 'r.yaml', text: base.replace('timestampField: ts\n---', 'timestampField: spend\n---') }])).toThrow("timestampField: 'spend' must have dtype TIMESTAMP (has FLOAT64)");
    expect(() => parseFeatureRepoDocuments([{ file: 'r.yaml', text: base.replace('pushSource: customer_push', 'pushSource: other') }])).toThrow("pushSource: 'other' is not a declared PushSource");
  });

  it('reports EVERY mistake, each on its own line with its place (not only the first)', () => {
    const bad = [
      { file: 'repo.yaml', text: `${base}---\nkind: FeatureService\nname: svc\nfeatures: [stats:nope, gone:x, stats:spend]\n` },
      { file: 'more.yaml', text: 'kind: FeatureView\nname: v2\nentities: [customer_id]\nttlSeconds: -1\nsource: {datasetName: d}\ntimestampField: t\nfeatures: [{name: f, dtype: NOPE}]\n' },
    ];
    let error: FeatureRepoError | undefined;
    try {
      parseFeatureRepoDocuments(bad);
    } catch (e) {
      error = e as FeatureRepoError;
    }
    expect(error).toBeInstanceOf(FeatureRepoError);
    const issues = (error!.details as { issues: string[] }).issues;
    expect(issues).toEqual([
      'more.yaml: ttlSeconds: Too small: expected number to be >=0',
      expect.stringMatching(/^more\.yaml: features\[0\]\.dtype: /),
      "repo.yaml (document 4): features[0]: 'stats:nope': view 'stats' has no feature 'nope'",
      "repo.yaml (document 4): features[1]: 'gone:x': unknown feature view 'gone'",
    ]);
    expect(error!.message).toBe(`feature repo: 4 problems:\n${issues.join('\n')}`);
  });
});
