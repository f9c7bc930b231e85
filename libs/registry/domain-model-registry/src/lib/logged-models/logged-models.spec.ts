import { InvalidArgumentError } from '@strata/shared/util-errors';
import { toMlflowLoggedModel } from './logged-models.controller';
import { parseLoggedModelFilter, parseLoggedModelStatus } from './logged-models.service';

describe('logged models: filter, status and JSON', () => {
  it('parses the supported filter terms', () => {
    expect(parseLoggedModelFilter("name = 'model' AND source_run_id = 'abc'")).toEqual([
      { column: 'name', op: '=', value: 'model' },
      { column: 'source_run_id', op: '=', value: 'abc' },
    ]);
    expect(parseLoggedModelFilter("attributes.status IN ('LOGGED_MODEL_READY') and tags.`mlflow.source` != 'x' and params.C LIKE '1%'")).toEqual([
      { column: 'status', op: 'IN', value: ['LOGGED_MODEL_READY'] },
      { column: 'tags', key: 'mlflow.source', op: '!=', value: 'x' },
      { column: 'params', key: 'C', op: 'LIKE', value: '1%' },
    ]);
    expect(parseLoggedModelFilter(undefined)).toEqual([]);
  });

  it.each([
    ['metrics.acc > 0.5', /metrics are not/],
    ["name > 'a'", /operators are/],
    ['name = 5', /quoted strings/],
    ["owner = 'me'", /supported are name, model_id/],
  ])('refuses %j with a 400 naming why', (f, why) => {
    expect(() => parseLoggedModelFilter(f)).toThrow(InvalidArgumentError);
    expect(() => parseLoggedModelFilter(f)).toThrow(why);
  });

  it('accepts a status as MLflow enum name or number', () => {
    expect(parseLoggedModelStatus('LOGGED_MODEL_READY')).toBe('LOGGED_MODEL_READY');
    expect(parseLoggedModelStatus(3)).toBe('LOGGED_MODEL_UPLOAD_FAILED');
    expect(() => parseLoggedModelStatus('READY')).toThrow("Invalid value \"READY\" for parameter 'status'");
  });

  it('renders MLflow LoggedModel JSON', () => {
    expect(
      toMlflowLoggedModel({
        modelId: 'm-' + 'a'.repeat(32),
        experimentId: '4',
        name: 'model',
        artifactLocation: `mlflow-artifacts:/4/models/m-${'a'.repeat(32)}/artifacts`,
        status: 'LOGGED_MODEL_READY',
        statusMessage: null,
        modelType: null,
        sourceRunId: 'r1',
        createdBy: 'anonymous',
        params: { C: '1.0' },
        tags: { 'mlflow.user': 'me' },
        lifecycleStage: 'active',
        creationTimestampMs: 1700000000000,
        lastUpdatedTimestampMs: 1700000000500,
      }),
    ).toEqual({
      info: {
        model_id: 'm-' + 'a'.repeat(32),
        experiment_id: '4',
        name: 'model',
        creation_timestamp_ms: 1700000000000,
        last_updated_timestamp_ms: 1700000000500,
        artifact_uri: `mlflow-artifacts:/4/models/m-${'a'.repeat(32)}/artifacts`,
        status: 'LOGGED_MODEL_READY',
        source_run_id: 'r1',
        tags: [{ key: 'mlflow.user', value: 'me' }],
        registrations: [],
      },
      data: { params: [{ key: 'C', value: '1.0' }], metrics: [] },
    });
  });
});
