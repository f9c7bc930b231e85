import { InvalidArgumentError } from 'commander';
import { binaryLabel, collect, datasetRef, entityColumns, isoInstant, keyValue, oneOf, positiveInt, scalar, searchDimension, unitInterval } from './parse';

describe('argument parsers', () => {
  it('key=value: JSON scalars become numbers/booleans, other text stays text, repeated options accumulate', () => {
    expect(scalar('39')).toBe(39);
    expect(scalar('-1.5e3')).toBe(-1500);
    expect(scalar('true')).toBe(true);
    expect(scalar('Male')).toBe('Male');
    expect(scalar('"02139"')).toBe('02139');
    expect(scalar('>50K')).toBe('>50K');
    // JSON.stringify would send 1e400 as null and 2^53+ integers as other numbers: refused, naming the value.
    expect(() => scalar('1e400')).toThrow("'1e400' is out of the range of a number");
    expect(() => scalar('99999999999999999999')).toThrow("'99999999999999999999' is beyond ±2^53-1");
    expect(scalar('9007199254740991')).toBe(9007199254740991);
    expect(scalar('"99999999999999999999"')).toBe('99999999999999999999');
    expect(keyValue('marital_status=Married-civ-spouse', keyValue('age=39'))).toEqual({ age: 39, marital_status: 'Married-civ-spouse' });
    expect(keyValue('expr=a=b')).toEqual({ expr: 'a=b' });
    expect(() => keyValue('novalue')).toThrow(InvalidArgumentError);
    expect(() => keyValue('=x')).toThrow("'=x' is not key=value");
  });

  it('entity columns, lists and dataset refs', () => {
    expect(entityColumns('person_id=1,2', entityColumns('zip=a'))).toEqual({ zip: ['a'], person_id: [1, 2] });
    expect(collect('a:b, c:d', ['x:y'])).toEqual(['x:y', 'a:b', 'c:d']);
    expect(datasetRef('adult_people')).toEqual({ datasetName: 'adult_people' });
    expect(datasetRef('adult_people@v-123')).toEqual({ datasetName: 'adult_people', versionId: 'v-123' });
    expect(() => datasetRef('a@b@c')).toThrow('is not <dataset>[@<versionId>]');
    expect(() => datasetRef('a@')).toThrow(InvalidArgumentError);
  });

  it('numbers, times and choices name the bad value', () => {
    expect(positiveInt('3')).toBe(3);
    expect(() => positiveInt('0')).toThrow("'0' is not a positive integer");
    expect(() => positiveInt('2.5')).toThrow(InvalidArgumentError);
    expect(unitInterval('0.5')).toBe(0.5);
    expect(() => unitInterval('1.2')).toThrow("'1.2' is not a number in [0, 1]");
    expect(() => unitInterval('')).toThrow(InvalidArgumentError);
    expect(isoInstant('2024-02-01T00:00:00Z')).toBe('2024-02-01T00:00:00.000Z');
    expect(isoInstant('2024-02-01T05:00:00+05:00')).toBe('2024-02-01T00:00:00.000Z');
    expect(isoInstant('2024-02-01 10:30')).toBe('2024-02-01T10:30:00.000Z'); // naive = UTC, as the services read it
    expect(isoInstant('2024-02-01')).toBe('2024-02-01T00:00:00.000Z');
    expect(() => isoInstant('yesterday')).toThrow("'yesterday' is not an ISO-8601 time");
    // Not guessed: Date.parse reads these month-first in the machine's time zone (2024-09-05 here).
    expect(() => isoInstant('09/05/2024')).toThrow("'09/05/2024' is not an ISO-8601 time");
    expect(() => isoInstant('May 9 2024 08:00')).toThrow(InvalidArgumentError);
    expect(isoInstant('2024-05-09T08:00:00.250-02:00')).toBe('2024-05-09T10:00:00.250Z');
    expect(oneOf('csv', 'parquet')('csv')).toBe('csv');
    expect(() => oneOf('csv', 'parquet')('xls')).toThrow("'xls' is not one of csv, parquet");
    expect(binaryLabel('1')).toBe(1);
    expect(() => binaryLabel('2')).toThrow("'2' is not 0 or 1");
  });

  it('search dimensions: ranges with flags, or value lists (the POST /training-searches space shape)', () => {
    expect(searchDimension('l2=0.0001:1:log')).toEqual({ l2: { min: 0.0001, max: 1, scale: 'log', type: 'float' } });
    expect(searchDimension('maxIterations=50:500:int', { l2: { values: [0.1] } })).toEqual({ l2: { values: [0.1] }, maxIterations: { min: 50, max: 500, scale: 'linear', type: 'int' } });
    expect(searchDimension('classWeight=balanced,none')).toEqual({ classWeight: { values: ['balanced', 'none'] } });
    expect(searchDimension('l2=0.001,0.1')).toEqual({ l2: { values: [0.001, 0.1] } });
    expect(() => searchDimension('l2=1:0')).toThrow('min < max');
    expect(() => searchDimension('l2=0:1:cubic')).toThrow("unknown range flag 'cubic'");
    expect(() => searchDimension('l2')).toThrow(InvalidArgumentError);
  });
});
