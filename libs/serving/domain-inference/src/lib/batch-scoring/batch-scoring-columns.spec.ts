import { InvalidArgumentError } from '@strata/shared/util-errors';
import { mapFeatureColumns, passThroughColumns } from './batch-scoring.activities';

const columns = [
  { name: 'trip_id', type: 'BIGINT' },
  { name: 'pickup_location_id', type: 'BIGINT' },
  { name: 'event_timestamp', type: 'TIMESTAMP' },
  { name: 'trip_distance', type: 'DOUBLE' },
  { name: 'zone_trip_stats__trips_1h', type: 'INTEGER' },
  { name: 'vendor', type: 'VARCHAR' },
];

describe('mapFeatureColumns', () => {
  it('maps exact names first, then the feature part of view__feature names, in model order', () => {
    expect(mapFeatureColumns(['zone_trip_stats__trips_1h', 'trip_request__trip_distance'], columns)).toEqual(['zone_trip_stats__trips_1h', 'trip_distance']);
  });

  it('names every missing or non-numeric feature column in one 400', () => {
    let err: unknown;
    try {
      mapFeatureColumns(['fare_amount', 'vendor', 'trip_distance'], columns);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect((err as Error).message).toBe(
      "Input does not fit the model: feature 'fare_amount' has no input column (looked for 'fare_amount'); column 'vendor' of feature 'vendor' is VARCHAR, not numeric",
    );
  });
});

describe('passThroughColumns', () => {
  it('defaults to id/*_id keys and event_timestamp in input order', () => {
    expect(passThroughColumns(columns)).toEqual(['trip_id', 'pickup_location_id', 'event_timestamp']);
  });

  it('keeps requested columns in the requested order and refuses unknown, reserved or duplicate ones', () => {
    expect(passThroughColumns(columns, ['event_timestamp', 'vendor'])).toEqual(['event_timestamp', 'vendor']);
    expect(() => passThroughColumns(columns, ['nope'])).toThrow("outputColumns not in the input: 'nope'");
    expect(() => passThroughColumns([...columns, { name: 'probability', type: 'DOUBLE' }], ['probability'])).toThrow('must not include the prediction columns: probability');
    expect(() => passThroughColumns(columns, ['trip_id', 'trip_id'])).toThrow('duplicates');
  });
});
