import { InvalidArgumentError } from '@strata/shared/util-errors';
import { checkRequest, parseUtc, resolvePredictSignature, type FeatureViewInfo } from './predict-signature';

const views: FeatureViewInfo[] = [
  { kind: 'feature_view', name: 'account_stats', entities: ['account_id'], features: [{ name: 'balance' }, { name: 'orders_7d' }] },
  { kind: 'feature_view', name: 'region_stats', entities: ['region'], features: [{ name: 'orders_7d' }] },
  {
    kind: 'on_demand_feature_view',
    name: 'order_request',
    requestSchema: [{ name: 'amount', dtype: 'FLOAT64' }, { name: 'channel', dtype: 'STRING' }, { name: 'placed_at', dtype: 'TIMESTAMP' }],
    features: [{ name: 'is_web' }, { name: 'placed_hour' }, { name: 'amount' }],
  },
];
const model = (metadata: Record<string, string>) => ({ name: 'churn', version: 3, metadata });

describe('resolvePredictSignature', () => {
  it('uses the references recorded at training, in input order, and the request fields of their on-demand views', () => {
    const sig = resolvePredictSignature(
      model({ 'strata.feature_names': '["orders_7d","is_web","placed_hour"]', 'strata.feature_refs': '["region_stats:orders_7d","order_request:is_web","order_request:placed_hour"]' }),
      views,
    );
    expect(sig).toEqual({
      columns: [
        { name: 'orders_7d', ref: 'region_stats:orders_7d' },
        { name: 'is_web', ref: 'order_request:is_web' },
        { name: 'placed_hour', ref: 'order_request:placed_hour' },
      ],
      requestFields: [{ name: 'amount', dtype: 'FLOAT64' }, { name: 'channel', dtype: 'STRING' }, { name: 'placed_at', dtype: 'TIMESTAMP' }],
      source: 'recorded',
    });
  });

  it('resolves versions without recorded references: view__feature, or a bare name found in exactly one view', () => {
    const sig = resolvePredictSignature(model({ 'strata.feature_names': '["account_stats__orders_7d","balance"]' }), views);
    expect(sig).toEqual({ columns: [{ name: 'account_stats__orders_7d', ref: 'account_stats:orders_7d' }, { name: 'balance', ref: 'account_stats:balance' }], requestFields: [], source: 'resolved' });
  });

  it('refuses what it cannot resolve, naming the feature', () => {
    expect(() => resolvePredictSignature(model({ 'strata.feature_names': '["orders_7d"]' }), views)).toThrow(
      "Model 'churn' v3: feature 'orders_7d' is in several feature views (account_stats, region_stats); retrain so the version records its feature references",
    );
    expect(() => resolvePredictSignature(model({ 'strata.feature_names': '["nope"]' }), views)).toThrow("Model 'churn' v3: feature 'nope' is in no feature view of the feature repo");
    expect(() => resolvePredictSignature(model({ 'strata.feature_names': '["x"]', 'strata.feature_refs': '["gone:x"]' }), views)).toThrow(
      "Model 'churn' v3: input 'x' needs feature 'gone:x', which the feature repo does not define",
    );
    expect(() => resolvePredictSignature(model({ 'strata.feature_names': '["a","b"]', 'strata.feature_refs': '["account_stats:balance"]' }), views)).toThrow(/1 references for 2 feature names/);
    expect(() => resolvePredictSignature(model({}), views)).toThrow(InvalidArgumentError);
  });
});

describe('checkRequest', () => {
  const fields = [{ name: 'amount', dtype: 'FLOAT64' }, { name: 'channel', dtype: 'STRING' }, { name: 'placed_at', dtype: 'TIMESTAMP' }];
  const m = { name: 'churn', version: 3 };

  it('passes values through, normalizes timestamps to UTC ISO (naive = UTC), keeps nulls', () => {
    expect(checkRequest(m, fields, { amount: 12.5, channel: 'web', placed_at: '2020-01-12T01:30:00+02:00' }, {})).toEqual({ amount: 12.5, channel: 'web', placed_at: '2020-01-11T23:30:00.000Z' });
    expect(checkRequest(m, fields, { amount: null, channel: null, placed_at: '2020-01-07 08:15:00' }, {})).toEqual({ amount: null, channel: null, placed_at: '2020-01-07T08:15:00.000Z' });
  });

  it('400 naming an unknown, missing or mistyped field and listing what the model takes', () => {
    const takes = 'model churn v3 takes request fields amount (FLOAT64), channel (STRING), placed_at (TIMESTAMP)';
    expect(() => checkRequest(m, fields, { amount: 1, channel: 'web', placed_at: '2020-01-01T00:00:00Z', foo: 1 }, {})).toThrow(new InvalidArgumentError(`request.foo: unknown field; ${takes}`));
    expect(() => checkRequest(m, fields, { amount: 1, placed_at: '2020-01-01T00:00:00Z' }, {})).toThrow(new InvalidArgumentError(`request.channel: missing; ${takes}`));
    expect(() => checkRequest(m, fields, { amount: 'far', channel: 'web', placed_at: '2020-01-01T00:00:00Z' }, {})).toThrow(new InvalidArgumentError(`request.amount: expected FLOAT64, got "far"; ${takes}`));
    expect(() => checkRequest(m, fields, { amount: 1, channel: 7, placed_at: '2020-01-01T00:00:00Z' }, {})).toThrow(/request.channel: expected STRING, got 7/);
    expect(() => checkRequest(m, fields, { amount: 1, channel: 'web', placed_at: 'yesterday' }, {})).toThrow("request.placed_at: 'yesterday' is not an ISO-8601 date-time");
    expect(() => checkRequest(m, [{ name: 'n', dtype: 'INT64' }], { n: 1.5 }, {})).toThrow(/request.n: expected INT64, got 1.5/);
    expect(() => checkRequest(m, [], { foo: 1 }, {})).toThrow('request.foo: unknown field; model churn v3 takes no request fields');
  });

  it('a field the view reads may come from the entity row instead', () => {
    expect(checkRequest(m, [{ name: 'region', dtype: 'STRING' }], {}, { region: 'eu' })).toEqual({});
  });
});

describe('parseUtc', () => {
  it('reads offsets, naive times as UTC, and rejects non-ISO text naming the field', () => {
    expect(parseUtc('2020-01-12T01:30:00+02:00', 'x').toISOString()).toBe('2020-01-11T23:30:00.000Z');
    expect(parseUtc('2020-01-07 08:15:00', 'x').toISOString()).toBe('2020-01-07T08:15:00.000Z');
    expect(() => parseUtc('yesterday', 'eventTime')).toThrow(/eventTime: 'yesterday' is not an ISO-8601 date-time/);
  });
});
