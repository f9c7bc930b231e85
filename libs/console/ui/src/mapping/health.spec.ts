import { consumerGroupsOf, serviceHealth } from './health';

describe('platform health mapping', () => {
  it('a ready service is up with its checks', () => {
    expect(serviceHealth('registry', 200, { status: 'ok', checks: { postgres: { status: 'up' }, kafka: { status: 'up' } } })).toEqual({ service: 'registry', state: 'up', problems: [], upChecks: ['kafka', 'postgres'] });
  });

  it('a 503 names the checks that are down', () => {
    const h = serviceHealth('monitoring', 503, { status: 'unavailable', checks: { postgres: { status: 'up' }, 'consumer-group:monitoring': { status: 'down', error: "consumer group 'monitoring' is restarting" } } });
    expect(h).toEqual({ service: 'monitoring', state: 'degraded', problems: ["consumer-group:monitoring: consumer group 'monitoring' is restarting"], upChecks: ['postgres'] });
  });

  it("the proxy's 502 says the service is unreachable, with the proxy's reason", () => {
    const h = serviceHealth('serving', 502, { error: 'serving is unreachable at http://127.0.0.1:3005: fetch failed: connect ECONNREFUSED 127.0.0.1:3005', code: 'UNAVAILABLE', details: { service: 'serving' } });
    expect(h.state).toBe('unreachable');
    expect(h.problems).toEqual(['serving is unreachable at http://127.0.0.1:3005: fetch failed: connect ECONNREFUSED 127.0.0.1:3005']);
  });
  it("lists each consumer group of a service's readiness answer: joined with its lag, or not joined with the reason", () => {
    // the /health/ready body of monitoring as @strata/messaging and the platform report it
    const body = {
      status: 'unavailable',
      service: 'monitoring',
      checks: {
        postgres: { status: 'up', latencyMs: 2 },
        kafka: { status: 'up', latencyMs: 5 },
        'consumer-group:monitoring': {
          status: 'up',
          latencyMs: 0,
          details: { groupId: 'monitoring', state: 'running', topics: ['strata.serving.prediction-logged.v1', 'strata.monitoring.label-ingested.v1'], since: '2026-12-07T10:00:00.000Z', restarts: 1, lastError: 'Failed to find group coordinator', lastErrorAt: '2026-12-07T09:59:58.000Z', lag: { records: 1250, partitions: 3, at: '2026-12-07T10:05:00.000Z' } },
        },
        'consumer-group:monitoring-broadcast-7f3a': {
          status: 'down',
          latencyMs: 0,
          error: "consumer group 'monitoring-broadcast-7f3a' is restarting since 2026-12-07T10:04:00.000Z (2 restart(s) so far; last error: The coordinator is not aware of this member)",
          details: { groupId: 'monitoring-broadcast-7f3a', state: 'restarting', topics: ['strata.registry.alias-changed.v1'], since: '2026-12-07T10:04:00.000Z', restarts: 2, lastError: 'The coordinator is not aware of this member' },
        },
      },
    };
    expect(consumerGroupsOf('monitoring', body)).toEqual([
      {
        service: 'monitoring', groupId: 'monitoring', joined: true, state: 'running', topics: ['strata.serving.prediction-logged.v1', 'strata.monitoring.label-ingested.v1'], since: '2026-12-07T10:00:00.000Z', restarts: 1,
        problem: 'recovered from: Failed to find group coordinator', lag: 1250, lagPartitions: 3, lagAt: '2026-12-07T10:05:00.000Z',
      },
      {
        service: 'monitoring', groupId: 'monitoring-broadcast-7f3a', joined: false, state: 'restarting', topics: ['strata.registry.alias-changed.v1'], since: '2026-12-07T10:04:00.000Z', restarts: 2,
        problem: "consumer group 'monitoring-broadcast-7f3a' is restarting since 2026-12-07T10:04:00.000Z (2 restart(s) so far; last error: The coordinator is not aware of this member)", lag: null, lagPartitions: null, lagAt: null,
      },
    ]);
  });

  it('a service without consumers, or one that did not answer, lists no group', () => {
    expect(consumerGroupsOf('registry', { status: 'ok', checks: { postgres: { status: 'up' }, kafka: { status: 'up' } } })).toEqual([]);
    expect(consumerGroupsOf('serving', { error: 'serving is unreachable' })).toEqual([]);
    expect(consumerGroupsOf('serving', undefined)).toEqual([]);
  });
});
