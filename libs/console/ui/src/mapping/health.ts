/** One service on the Platform page. */
export interface ServiceHealth {
  service: string;
  /** `up` (ready), `degraded` (answers 503: named checks down), `unreachable` (the console could not reach it). */
  state: 'up' | 'degraded' | 'unreachable';
  /** Checks that are down with their error, e.g. `postgres: connect ECONNREFUSED`; for `unreachable`, why. */
  problems: string[];
  /** Checks that are up. */
  upChecks: string[];
}

/**
 * A service's readiness probe through the console (`GET /api/{service}/health/ready`) → its row.
 * 200 → up; 503 with `checks` → degraded, naming the checks down; 502/504 from the proxy (or
 * anything else) → unreachable with the proxy's `error` text.
 */
export function serviceHealth(service: string, status: number, body: unknown): ServiceHealth {
  const b = (body && typeof body === 'object' ? body : {}) as { checks?: Record<string, { status?: string; error?: string }>; error?: string };
  const checks = Object.entries(b.checks ?? {});
  const upChecks = checks.filter(([, c]) => c.status === 'up').map(([n]) => n).sort();
  const down = checks.filter(([, c]) => c.status !== 'up').map(([n, c]) => (c.error ? `${n}: ${c.error}` : n)).sort();
  if (status === 200) return { service, state: 'up', problems: down, upChecks };
  if (status === 503 && checks.length) return { service, state: 'degraded', problems: down, upChecks };
  return { service, state: 'unreachable', problems: [typeof b.error === 'string' ? b.error : `HTTP ${status}`], upChecks };
}
