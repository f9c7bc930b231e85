import { parse as parseYaml } from 'yaml';
import { projectFiles } from './init';
import { detectDelimiter, inferColumns, splitCsvLine } from './init-infer';

const CSV = [
  'person_id,event_time,age,score,workclass,joined,income,flag',
  '1,1704067200,39,0.5,State-gov,2024-01-01T00:00:00Z,<=50K,true',
  '2,1704068100,50,,"Self-emp, inc",2024-01-02,>50K,false',
].join('\n');

describe('strata init', () => {
  it('splits CSV lines with quotes', () => {
    expect(splitCsvLine('a,"b, c","d ""e"""')).toEqual(['a', 'b, c', 'd "e"']);
  });

  it('infers spec types: integers, epoch seconds for the timestamp column, floats (nullable when empty), ISO times, text, booleans', () => {
    expect(inferColumns(CSV, 'event_time')).toEqual([
      { name: 'person_id', type: 'INT64', nullable: false },
      { name: 'event_time', type: 'TIMESTAMP', nullable: false, format: 'epoch_s' },
      { name: 'age', type: 'INT64', nullable: false },
      { name: 'score', type: 'FLOAT64', nullable: true },
      { name: 'workclass', type: 'STRING', nullable: false },
      { name: 'joined', type: 'TIMESTAMP', nullable: false },
      { name: 'income', type: 'STRING', nullable: false },
      { name: 'flag', type: 'BOOL', nullable: false },
    ]);
    expect(inferColumns('id,t\n1,1704067200000', 't')[1]).toEqual({ name: 't', type: 'TIMESTAMP', nullable: false, format: 'epoch_ms' });
    expect(() => inferColumns('', 't')).toThrow('no header row');
    // Tab-separated under a .csv name (Feast's driver_orders.csv): read with its delimiter.
    const tsv = 'event_timestamp\tdriver_id\ttrip_completed\n2021-04-16 20:29:28+00:00\t1001\t1\n';
    expect(detectDelimiter(tsv.split('\n')[0] ?? '')).toBe('\t');
    expect(detectDelimiter('"a,b";c;d')).toBe(';');
    expect(detectDelimiter('single')).toBe(',');
    expect(inferColumns(tsv, 'event_timestamp').map((c) => [c.name, c.type])).toEqual([['event_timestamp', 'TIMESTAMP'], ['driver_id', 'INT64'], ['trip_completed', 'INT64']]);
    const files = projectFiles({ dataset: 'orders', columns: inferColumns(tsv, 'event_timestamp'), delimiter: '\t', entity: 'driver_id', timestamp: 'event_timestamp', label: 'trip_completed' });
    expect(files['dataset.yaml']).toContain('csv:\n  delimiter: "\\t"');
  });

  it('writes a spec, an entity, a view of the numeric columns and a training set with the label as SQL', () => {
    const files = projectFiles({ dataset: 'adult_people', columns: inferColumns(CSV, 'event_time'), entity: 'person_id', timestamp: 'event_time', label: 'income', positive: ">50K" });
    expect(Object.keys(files).sort()).toEqual(['README.md', 'dataset.yaml', 'feature_repo/adult_people_features.yaml', 'feature_repo/entities.yaml', 'feature_repo/training_set.yaml']);
    const spec = parseYaml(files['dataset.yaml']!) as { name: string; columns: Array<{ name: string }> };
    expect(spec.name).toBe('adult_people');
    expect(spec.columns.map((c) => c.name)).toEqual(['person_id', 'event_time', 'age', 'score', 'workclass', 'joined', 'income', 'flag']);
    expect(parseYaml(files['feature_repo/entities.yaml']!)).toEqual({ kind: 'Entity', name: 'person', joinKey: 'person_id', valueType: 'INT64', description: 'one person (join key person_id)' });
    const view = parseYaml(files['feature_repo/adult_people_features.yaml']!) as { features: Array<{ name: string; dtype: string }>; timestampField: string };
    expect(view.timestampField).toBe('event_time');
    expect(view.features).toEqual([
      { name: 'age', dtype: 'INT64' },
      { name: 'score', dtype: 'FLOAT64' },
      { name: 'flag', dtype: 'INT64' },
    ]);
    expect(files['feature_repo/adult_people_features.yaml']).toContain('String columns (categories) not listed here: workclass');
    const ts = parseYaml(files['feature_repo/training_set.yaml']!) as { entitySql: string; features: string[] };
    expect(ts.entitySql).toContain("(income = '>50K') AS label");
    expect(ts.features).toEqual(['adult_people_features:age', 'adult_people_features:score', 'adult_people_features:flag']);
  });

  it('refuses unknown or unsuitable columns, naming them', () => {
    const columns = inferColumns(CSV, 'event_time');
    expect(() => projectFiles({ dataset: 'd', columns, entity: 'nope', timestamp: 'event_time' })).toThrow('--entity nope: no such column');
    expect(() => projectFiles({ dataset: 'd', columns, entity: 'score', timestamp: 'event_time' })).toThrow('a join key must be INT64 or STRING, not FLOAT64');
    expect(() => projectFiles({ dataset: 'd', columns, entity: 'person_id', timestamp: 'age' })).toThrow('--timestamp age: not a time column');
  });
});
