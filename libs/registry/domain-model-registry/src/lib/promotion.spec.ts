import type { ModelVersion } from '@strata/registry/data-access';
import { parseFilter, parseOrderBy } from './mlflow/mlflow-filter';
import { decidePromotion, evaluationDigestOf } from './promotion';

const D = evaluationDigestOf([{ datasetName: 'taxi', versionId: 'v1', contentSha256: 'a'.repeat(64) }], '2020-01-01');
const mv = (version: number, metrics: ModelVersion['metrics'], digest: string | null = D): ModelVersion =>
  ({ name: 'm', version, metrics, lineage: digest ? { evaluation: { digest } } : {} }) as unknown as ModelVersion;

describe('decidePromotion', () => {
  const policy = { metric: 'auc', direction: 'maximize' as const, minMargin: 0.1 };

  it('promotes at exactly the margin (with float noise) and rejects just below', () => {
    expect(decidePromotion(policy, mv(2, { auc: 0.85 }), mv(1, { auc: 0.75 }))).toEqual(
      expect.objectContaining({ outcome: 'promoted', challengerValue: 0.85, championValue: 0.75, reason: 'auc 0.85 (v2) vs 0.75 (v1), maximize: improvement 0.09999999999999998 >= margin 0.1' }),
    );
    expect(decidePromotion(policy, mv(2, { auc: 0.8499 }), mv(1, { auc: 0.75 })).outcome).toBe('rejected');
  });

  it('minimize uses champion − challenger', () => {
    const d = decidePromotion({ metric: 'loss', direction: 'minimize', minMargin: 0 }, mv(2, { loss: 0.25 }), mv(1, { loss: 0.5 }));
    expect([d.outcome, d.improvement]).toEqual(['promoted', 0.25]);
  });

  it('refuses without a champion, on other evaluation data, on missing or non-finite metrics', () => {
    expect(decidePromotion(policy, mv(2, { auc: 1 }), null).reason).toBe('model has no champion to compare version 2 with; set the champion alias explicitly');
    expect(decidePromotion(policy, mv(2, { auc: 1 }, 'e'.repeat(64)), mv(1, { auc: 0.5 })).reason).toBe(
      `not evaluated on the same data: challenger version 2 on ${'e'.repeat(64)}, champion version 1 on ${D}`,
    );
    expect(decidePromotion(policy, mv(2, { auc: 1 }, null), mv(1, { auc: 0.5 })).reason).toMatch(/^challenger version 2 has no evaluation data digest/);
    expect(decidePromotion(policy, mv(2, {}), mv(1, { auc: 0.5 })).reason).toBe("challenger version 2 has no metric 'auc'");
    expect(decidePromotion(policy, mv(2, { auc: 1 }), mv(1, { auc: '-Infinity' })).reason).toBe('champion version 1 has a non-finite auc (-Infinity)');
    expect(decidePromotion(policy, mv(1, { auc: 1 }), mv(1, { auc: 1 })).reason).toBe('version 1 already is the champion');
  });

  it('digests evaluation data independently of dataset order', () => {
    const a = { datasetName: 'a', versionId: '1', contentSha256: 'a'.repeat(64) };
    const b = { datasetName: 'b', versionId: '2', contentSha256: 'b'.repeat(64) };
    expect(evaluationDigestOf([a, b], 's')).toBe(evaluationDigestOf([b, a], 's'));
    expect(evaluationDigestOf([a, b], 's')).not.toBe(evaluationDigestOf([a, b], 't'));
  });
});

describe('parseFilter / parseOrderBy (MLflow search syntax)', () => {
  it('parses comparisons joined by AND, quoted keys, numbers and IN lists', () => {
    expect(parseFilter("metrics.auc >= 0.5 and params.`l 2` = '0.1' AND tags.\"mlflow.user\" != 'x' and attributes.status IN ('FINISHED', 'FAILED') and run_name LIKE 'r%'")).toEqual([
      { entity: 'metrics', key: 'auc', op: '>=', value: 0.5 },
      { entity: 'params', key: 'l 2', op: '=', value: '0.1' },
      { entity: 'tags', key: 'mlflow.user', op: '!=', value: 'x' },
      { entity: 'attributes', key: 'status', op: 'IN', value: ['FINISHED', 'FAILED'] },
      { entity: '', key: 'run_name', op: 'LIKE', value: 'r%' },
    ]);
    expect(parseFilter('tags.mlflow.prompt.is_prompt != "true"')).toEqual([{ entity: 'tags', key: 'mlflow.prompt.is_prompt', op: '!=', value: 'true' }]);
    expect(parseFilter('metrics.loss < -1.5e-3')).toEqual([{ entity: 'metrics', key: 'loss', op: '<', value: -0.0015 }]);
    expect(parseFilter('  ')).toEqual([]);
  });

  it('rejects OR, unterminated strings and bare words with 400 naming the filter', () => {
    expect(() => parseFilter("metrics.a > 1 OR metrics.b > 1")).toThrow("Invalid filter 'metrics.a > 1 OR metrics.b > 1': OR is not supported (as in MLflow); use AND");
    expect(() => parseFilter("params.a = 'x")).toThrow(/unterminated '-quoted string/);
    expect(() => parseFilter('metrics.a > high')).toThrow("expected a quoted string or a number after 'metrics.a >', got 'high'");
  });

  it('parses order_by terms', () => {
    expect(parseOrderBy(['metrics.auc DESC', 'attributes.start_time', 'metrics.`my metric` asc'])).toEqual([
      { entity: 'metrics', key: 'auc', desc: true },
      { entity: 'attributes', key: 'start_time', desc: false },
      { entity: 'metrics', key: 'my metric', desc: false },
    ]);
  });
});
