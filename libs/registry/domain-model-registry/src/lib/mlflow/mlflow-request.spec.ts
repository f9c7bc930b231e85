import { registrySearch, str, int, tagsOf, runIdOf } from './mlflow-request';
import { validateMlflowSource } from './mlflow-source';

describe('MLflow request fields (MLflow wording)', () => {
  it('refuses a wrong type or a missing value as MLflow does', () => {
    expect(() => str({ run_id: 31 }, 'run_id')).toThrow("Invalid value 31 for parameter 'run_id' supplied. Hint: Value was of type 'int'.");
    expect(() => int({ step: 'foo' }, 'step', 0)).toThrow(`Invalid value "foo" for parameter 'step' supplied. Hint: Value was of type 'str'.`);
    expect(() => str({ key: null }, 'key')).toThrow("Missing value for required parameter 'key'.");
    expect(() => tagsOf({ tags: '5' })).toThrow(`Invalid value "5" for parameter 'tags' supplied`);
    expect(() => runIdOf({})).toThrow("Missing value for required parameter 'run_id'.");
    expect(runIdOf({ run_uuid: 'r1' })).toBe('r1');
    expect(tagsOf({ tags: [{ key: 'numeric value', value: 12345 }, { key: 'k' }] })).toEqual({ 'numeric value': '12345', k: '' });
    expect(int({ step: '7' }, 'step', 0)).toBe(7);
  });
});

describe('registrySearch (registered-models / model-versions filter and order_by)', () => {
  it('maps name, tags, run_id, source_path and version_number with their operators', () => {
    expect(registrySearch("name ILIKE '%rm%00%' AND tags.`a b` != 'x'", ['name DESC'], 'models')).toEqual({
      name: [{ op: 'ILIKE', value: '%rm%00%' }],
      runId: [],
      source: [],
      version: [],
      tags: [{ key: 'a b', op: '!=', value: 'x' }],
      orderBy: [{ field: 'name', desc: true }],
    });
    const v = registrySearch("run_id IN ('a', 'b') AND source_path = 'runs:/a/model' AND version_number = 3", ['version_number DESC'], 'versions');
    expect([v.runId, v.source, v.version, v.orderBy]).toEqual([
      [{ op: 'IN', value: ['a', 'b'] }],
      [{ op: '=', value: 'runs:/a/model' }],
      [{ op: '=', value: '3' }],
      [{ field: 'version', desc: true }],
    ]);
  });

  it('refuses what the grammar does not have, naming the term', () => {
    expect(() => registrySearch("run_id = 'a'", undefined, 'models')).toThrow(/unsupported term 'run_id = "a"'/);
    expect(() => registrySearch('tags.x = 1', undefined, 'models')).toThrow(/unsupported term 'tags.x = 1'/);
    expect(() => registrySearch(undefined, ['foo ASC'], 'versions')).toThrow("Invalid order_by clause 'foo'");
  });
});

describe('validateMlflowSource (MLflow 2.17 _validate_source)', () => {
  const runArtifacts = 'file:///data/mlflow/1/r1/artifacts';

  it('accepts a local source only inside the run artifact directory', () => {
    expect(() => validateMlflowSource('/data/mlflow/1/r1/artifacts/model', runArtifacts)).not.toThrow();
    expect(() => validateMlflowSource(`${runArtifacts}/model/..`, runArtifacts)).not.toThrow();
    expect(() => validateMlflowSource('/data/mlflow/1/r1/artifacts', null)).toThrow('To use a local path as a model version source');
    expect(() => validateMlflowSource('file:///tmp', runArtifacts)).toThrow('To use a local path as a model version source');
  });

  it('refuses relative references in other sources, decoded or not', () => {
    for (const ok of ['runs:/r1/model', 'models:/m/1', 'mlflow-artifacts:/models///', 'mlflow-artifacts://host:9000/models/artifact/..../']) {
      expect(() => validateMlflowSource(ok, null)).not.toThrow();
    }
    for (const bad of ['mlflow-artifacts://host:9000/models/../../../', 'http://host:9000/models/../../../', 'mlflow-artifacts://host:9000/models/..%2f..%2fartifacts', 'mlflow-artifacts://host:9000/models/artifact%00', 'dbfs:/r1/artifacts/a%3f/../../../']) {
      expect(() => validateMlflowSource(bad, null)).toThrow('Invalid model version source');
    }
  });

  it('refuses a file URI on a remote host with a 500, as MLflow does', () => {
    expect(() => validateMlflowSource('file://123.456.789.123/path/to/source', runArtifacts)).toThrow(
      expect.objectContaining({ httpStatus: 500, message: expect.stringContaining('is not a valid remote uri') }),
    );
  });
});
