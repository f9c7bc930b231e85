import { mulberry32 } from '@strata/shared/util-random';

/**
 * Seeded synthetic "taxi tip" data for tests and benchmarks (not exported from the lib).
 * Ten numeric features shaped like the demo's: trip distance, fare, passengers, hour, weekday
 * and per-zone trailing aggregates, some missing (null) as for zones without history.
 */
export const TAXI_FEATURES = [
  'trip_distance',
  'fare_amount',
  'passenger_count',
  'pickup_hour',
  'pickup_weekday',
  'zone_trip_count_7d',
  'zone_mean_fare_7d',
  'zone_card_share_7d',
  'zone_mean_tip_rate_7d',
  'zone_night_share_7d',
] as const;

export interface SyntheticTaxi {
  features: string[];
  rows: Array<Array<number | null>>;
  labels: number[];
}

export function syntheticTaxi(n: number, seed = 1, missingRate = 0.05): SyntheticTaxi {
  const rnd = mulberry32(seed);
  const normal = (): number => {
    const u = Math.max(rnd(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd());
  };
  const rows: Array<Array<number | null>> = [];
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const dist = Math.exp(0.8 + 0.7 * normal());
    const fare = 3 + 2.5 * dist + 2 * rnd();
    const pax = 1 + Math.floor(rnd() * rnd() * 5);
    const hour = Math.floor(rnd() * 24);
    const weekday = Math.floor(rnd() * 7);
    const miss = (): boolean => rnd() < missingRate;
    const tripCount = miss() ? null : Math.floor(50 + 500 * rnd());
    const meanFare = miss() ? null : 10 + 8 * rnd();
    const cardShare = miss() ? null : 0.4 + 0.5 * rnd();
    const tipRate = miss() ? null : 0.1 + 0.15 * rnd();
    const night = miss() ? null : 0.1 + 0.3 * rnd();
    const logit =
      -1.2 + 0.15 * dist - 0.02 * fare - 0.1 * (pax - 1) + (hour >= 18 ? 0.4 : 0) - (weekday >= 5 ? 0.3 : 0) +
      3 * ((cardShare ?? 0.65) - 0.65) + 12 * ((tipRate ?? 0.175) - 0.175) + 0.5 * normal();
    labels.push(rnd() < 1 / (1 + Math.exp(-logit)) ? 1 : 0);
    rows.push([dist, fare, pax, hour, weekday, tripCount, meanFare, cardShare, tipRate, night]);
  }
  return { features: [...TAXI_FEATURES], rows, labels };
}
