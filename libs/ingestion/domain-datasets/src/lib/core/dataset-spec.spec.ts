import { checkLiteralProblem, parseDatasetSpec } from './dataset-spec';
import { DatasetSpecError } from './ingestion.errors';

describe('dataset spec check literals agree with the column type', () => {
  it.each([
    ['INT32', 7],
    ['INT32', '2147483647'],
    ['INT64', -5],
    ['INT64', '9223372036854775807'],
    ['FLOAT32', 1.5],
    ['FLOAT64', '0.25'],
    ['BOOL', true],
    ['DATE', '2020-02-29'],
    ['TIMESTAMP', '2020-01-31T12:00:00Z'],
    ['TIMESTAMP', '2020-01-31 12:00:00+02:00'],
    ['TIMESTAMP', '2020-01-31'],
    ['STRING', 'anything'],
    ['STRING', 5],
  ] as const)('accepts %s %p', (type, v) => {
    expect(checkLiteralProblem(type, v)).toBeUndefined();
  });

  it.each([
    ['INT32', 2 ** 31],
    ['INT32', 1.5],
    ['INT64', '9223372036854775808'],
    ['INT64', 2.6e16 + 0.5],
    ['FLOAT32', 1e39],
    ['FLOAT64', ''],
    ['FLOAT64', 'Infinity'],
    ['BOOL', 'yes'],
    ['DATE', 'ò«xe'],
    ['DATE', '2020-02-30'],
    ['TIMESTAMP', 21139694820815250],
    ['TIMESTAMP', 'March 7 2020'],
  ] as const)('refuses %s %p', (type, v) => {
    expect(checkLiteralProblem(type, v)).toMatch(new RegExp(`${type} column`));
  });

  it('a PUT /datasets body with a bad min/max/allowed value is a DatasetSpecError (400) naming the field', () => {
    const spec = {
      name: 'd',
      columns: [
        { name: 'LZ', type: 'DATE', max: 'not-a-date' },
        { name: 'f', type: 'FLOAT32', min: '' },
        { name: 'ok', type: 'INT64', allowedValues: [1, 'two'] },
      ],
    };
    expect(() => parseDatasetSpec(spec, 'request body')).toThrow(DatasetSpecError);
    try {
      parseDatasetSpec(spec, 'request body');
    } catch (e) {
      expect((e as DatasetSpecError).message).toContain('columns[0].max: must be a date YYYY-MM-DD for a DATE column');
      expect((e as DatasetSpecError).message).toContain('columns[1].min: must be a finite number for a FLOAT32 column');
      expect((e as DatasetSpecError).message).toContain('columns[2].allowedValues[1]: must be an integer for a INT64 column');
    }
  });
});
