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

/** One Kafka consumer group of a service on the Platform page. */
export interface ConsumerGroupHealth {
  service: string;
  groupId: string;
  /** True while the group is joined (its readiness check is up). */
  joined: boolean;
  /** The runner's state: `running` (joined), `starting`, `restarting` or `stopped`. */
  state: string;
  topics: string[];
  /** ISO time the group entered `state`, if reported. */
  since: string | null;
  restarts: number;
  /** Why it is not joined (the check's error), or the last crash if it recovered; null if none. */
  problem: string | null;
  /** Records not yet processed as of the last batches the service fetched (null before its first batch since joining). */
  lag: number | null;
  /** Partitions that lag covers and when it was observed (ISO), when known. */
  lagPartitions: number | null;
  lagAt: string | null;
}

const CONSUMER_GROUP_CHECK = 'consumer-group:';

/**
 * The consumer groups in a service's `/health/ready` answer (checks `consumer-group:<groupId>`,
 * `details` = `{ groupId, state, topics, since, restarts, lastError?, lag?: { records, partitions, at } }`
 * as `@strata/messaging` reports them) → one row each, sorted by group id. Empty when the service
 * runs no consumers or did not answer with checks.
 */
export function consumerGroupsOf(service: string, body: unknown): ConsumerGroupHealth[] {
  const b = (body && typeof body === 'object' ? body : {}) as { checks?: Record<string, { status?: string; error?: string; details?: Record<string, unknown> }> };
  const rows: ConsumerGroupHealth[] = [];
  for (const [name, check] of Object.entries(b.checks ?? {})) {
    if (!name.startsWith(CONSUMER_GROUP_CHECK)) continue;
    const d = check.details ?? {};
    const joined = check.status === 'up';
    const lag = (d['lag'] && typeof d['lag'] === 'object' ? d['lag'] : {}) as { records?: unknown; partitions?: unknown; at?: unknown };
    const lastError = typeof d['lastError'] === 'string' ? d['lastError'] : null;
    rows.push({
      service,
      groupId: typeof d['groupId'] === 'string' ? d['groupId'] : name.slice(CONSUMER_GROUP_CHECK.length),
      joined,
      state: typeof d['state'] === 'string' ? d['state'] : joined ? 'running' : 'unknown',
      topics: Array.isArray(d['topics']) ? d['topics'].filter((t): t is string => typeof t === 'string') : [],
      since: typeof d['since'] === 'string' ? d['since'] : null,
      restarts: typeof d['restarts'] === 'number' ? d['restarts'] : 0,
      problem: joined ? (lastError ? `recovered from: ${lastError}` : null) : (check.error ?? lastError ?? 'not joined'),
      lag: typeof lag.records === 'number' ? lag.records : null,
      lagPartitions: typeof lag.partitions === 'number' ? lag.partitions : null,
      lagAt: typeof lag.at === 'string' ? lag.at : null,
    });
  }
  return rows.sort((a, b) => a.groupId.localeCompare(b.groupId));
}
