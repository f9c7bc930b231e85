import { Gauge, register } from 'prom-client';

const NAME = 'strata_features_freshness_seconds';
const latest = new Map<string, number>();

/**
 * `strata_features_freshness_seconds{feature_view}`: seconds between now and the newest
 * event time materialized (by a SUCCEEDED run) for the view. Computed at scrape time.
 */
export function freshnessGauge(): Gauge<string> {
  const existing = register.getSingleMetric(NAME);
  if (existing) return existing as Gauge<string>;
  return new Gauge({
    name: NAME,
    help: 'Seconds since the newest event time materialized for a feature view (age of its freshest online data)',
    labelNames: ['feature_view'],
    collect() {
      this.reset();
      const now = Date.now();
      for (const [view, t] of latest) this.set({ feature_view: view }, Math.max(0, (now - t) / 1000));
    },
  });
}

/**
 * Records the newest materialized (or pushed) event time of `view` (ms since epoch).
 * @param onlyForward keep the current value when it is newer (pushes).
 */
export function setLatestEventTime(view: string, eventTimeMs: number | null, onlyForward = false): void {
  freshnessGauge();
  if (eventTimeMs === null) latest.delete(view);
  else if (!onlyForward || eventTimeMs > (latest.get(view) ?? -Infinity)) latest.set(view, eventTimeMs);
}
