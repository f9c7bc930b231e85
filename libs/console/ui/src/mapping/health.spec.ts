import { serviceHealth } from './health';

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
});
