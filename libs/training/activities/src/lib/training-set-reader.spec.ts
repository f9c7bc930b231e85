import { InvalidArgumentError } from '@strata/shared/util-errors';
import { featureRefsOfColumns, selectFeatureColumns } from './training-set-reader';

describe(selectFeatureColumns.name, () => {
  const columns = [
    { name: 'pickup_location_id', type: 'INTEGER' },
    { name: 'event_timestamp', type: 'TIMESTAMP WITH TIME ZONE' },
    { name: 'trip_distance', type: 'DOUBLE' },
    { name: 'zone_trip_stats__trips_1h', type: 'BIGINT' },
    { name: 'trip_request__trip_distance', type: 'DOUBLE' },
    { name: 'vendor', type: 'VARCHAR' },
    { name: 'tags', type: 'VARCHAR[]' },
    { name: 'label', type: 'BOOLEAN' },
  ];

  it('maps feature refs to full feature names first, in ref order', () => {
    expect(selectFeatureColumns(columns, ['zone_trip_stats:trips_1h', 'trip_request:trip_distance'])).toEqual(['zone_trip_stats__trips_1h', 'trip_request__trip_distance']);
  });

  it('falls back to the short name when the set has no full names', () => {
    expect(selectFeatureColumns(columns, ['other_view:trip_distance'])).toEqual(['trip_distance']);
  });

  it('without refs takes numeric columns except label, timestamps and *_id keys', () => {
    expect(selectFeatureColumns(columns, [])).toEqual(['trip_distance', 'zone_trip_stats__trips_1h', 'trip_request__trip_distance']);
  });

  it('rejects a ref without a column and a feature that is neither numeric nor a string, naming them', () => {
    expect(() => selectFeatureColumns(columns, ['v:missing'])).toThrow(new InvalidArgumentError("Training set has no column for feature 'v:missing' (looked for 'v__missing', 'missing', 'v:missing')"));
    expect(() => selectFeatureColumns(columns, ['x:tags'])).toThrow("Feature column 'tags' has type VARCHAR[]; only numeric, boolean and string (categorical) features are supported");
  });

  it('takes a string column named by a ref as a categorical feature (never without refs)', () => {
    expect(selectFeatureColumns(columns, ['x:vendor', 'trip_request:trip_distance'])).toEqual(['vendor', 'trip_request__trip_distance']);
    expect(selectFeatureColumns(columns, [])).not.toContain('vendor');
  });
});

describe(featureRefsOfColumns.name, () => {
  const columns = [
    { name: 'event_timestamp', type: 'TIMESTAMP WITH TIME ZONE' },
    { name: 'trips_1h', type: 'BIGINT' },
    { name: 'trip_request__pickup_hour', type: 'INTEGER' },
    { name: 'label', type: 'BOOLEAN' },
  ];

  it('gives the reference of each chosen column, bare or full name, in column order', () => {
    const refs = ['trip_request:pickup_hour', 'zone_trip_stats:trips_1h'];
    const chosen = selectFeatureColumns(columns, refs);
    expect(chosen).toEqual(['trip_request__pickup_hour', 'trips_1h']);
    expect(featureRefsOfColumns(columns, refs, chosen)).toEqual(['trip_request:pickup_hour', 'zone_trip_stats:trips_1h']);
  });

  it('is undefined when the columns were not chosen by references', () => {
    expect(featureRefsOfColumns(columns, [], ['trips_1h'])).toBeUndefined();
  });
});
