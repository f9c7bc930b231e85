import { InvalidArgumentError } from '@strata/shared/util-errors';
import { computeRequestFeatures, parseUtc } from './request-features';

describe('computeRequestFeatures', () => {
  it('computes hour and ISO weekday in UTC (2020-01-06 was a Monday)', () => {
    expect(computeRequestFeatures({ trip_distance: 2.5, fare_amount: 11, passenger_count: 1, pickup_datetime: '2020-01-06T23:30:00Z' })).toEqual({
      trip_distance: 2.5, fare_amount: 11, passenger_count: 1, pickup_hour: 23, pickup_weekday: 1,
    });
    // Sunday 2020-01-12 → 7; an offset is converted to UTC first (01:30+02:00 = Saturday 23:30 UTC → 6)
    expect(computeRequestFeatures({ pickup_datetime: '2020-01-12T05:00:00Z' }).pickup_weekday).toBe(7);
    const shifted = computeRequestFeatures({ pickup_datetime: '2020-01-12T01:30:00+02:00' });
    expect([shifted.pickup_hour, shifted.pickup_weekday]).toEqual([23, 6]);
  });

  it('reads naive times as UTC and missing numbers as null', () => {
    expect(computeRequestFeatures({ pickup_datetime: '2020-01-07 08:15:00', passenger_count: null })).toEqual({
      trip_distance: null, fare_amount: null, passenger_count: null, pickup_hour: 8, pickup_weekday: 2,
    });
  });

  it('rejects a non-ISO pickup_datetime naming the field', () => {
    expect(() => parseUtc('yesterday')).toThrow(InvalidArgumentError);
    expect(() => parseUtc('yesterday')).toThrow(/request.pickup_datetime: 'yesterday' is not an ISO-8601 date-time/);
  });
});
