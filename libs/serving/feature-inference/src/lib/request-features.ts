import { InvalidArgumentError } from '@strata/shared/util-errors';

/** Name of the on-demand feature view computed at request time (examples/taxi/feature_repo/trip_request.yaml). */
export const REQUEST_FEATURE_VIEW = 'trip_request';
/** Features of {@link REQUEST_FEATURE_VIEW}, in the view's order. */
export const REQUEST_FEATURES = ['trip_distance', 'fare_amount', 'passenger_count', 'pickup_hour', 'pickup_weekday'] as const;

/** The trip request of `POST /models/{m}/predict`. */
export interface TripRequest {
  trip_distance?: number | null;
  fare_amount?: number | null;
  passenger_count?: number | null;
  /** ISO-8601; a time without offset is read as UTC (as the training data's naive timestamps). */
  pickup_datetime: string;
}

/**
 * Parses an ISO-8601 date-time; a value without `Z`/offset is taken as UTC.
 * @throws InvalidArgumentError naming `request.pickup_datetime`.
 */
export function parseUtc(value: string, where = 'request.pickup_datetime'): Date {
  const hasZone = /(Z|[+-]\d{2}:?\d{2})$/i.test(value.trim());
  const iso = /^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?/.test(value.trim());
  const d = new Date(hasZone || !iso ? value : `${value.trim().replace(' ', 'T')}Z`);
  if (!iso || Number.isNaN(d.getTime())) throw new InvalidArgumentError(`${where}: '${value}' is not an ISO-8601 date-time`);
  return d;
}

/**
 * Request features exactly as the on-demand view `trip_request` defines them:
 * trip_distance, fare_amount, passenger_count as given (null when absent);
 * pickup_hour = hour(pickup_datetime) in UTC (0–23); pickup_weekday = ISO day of week in UTC
 * (1 = Monday … 7 = Sunday, DuckDB `isodow`).
 */
export function computeRequestFeatures(request: TripRequest): Record<(typeof REQUEST_FEATURES)[number], number | null> {
  const t = parseUtc(request.pickup_datetime);
  return {
    trip_distance: request.trip_distance ?? null,
    fare_amount: request.fare_amount ?? null,
    passenger_count: request.passenger_count ?? null,
    pickup_hour: t.getUTCHours(),
    pickup_weekday: ((t.getUTCDay() + 6) % 7) + 1,
  };
}
