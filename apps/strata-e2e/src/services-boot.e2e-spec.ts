/**
 * The six services boot against the real stack and report ready; a service with an
 * unreachable PostgreSQL reports 503 naming it (and keeps running); a bad environment fails
 * fast with one message listing every problem; SIGTERM shuts a service down cleanly.
 * Services run on ports 13001-13006 so a developer's `npm run up` (3001-3006) is untouched.
 * They run as deployed: STRATA_AUTH_MODE=enforce, each with its OWN `service:<name>` key.
 */
import { type RunningService, authHeaders, createTestCredentials, infraEnv, startService, waitReady } from '@strata/shared/testing';

jest.setTimeout(240_000);

const SERVICES = ['ingestion', 'features', 'training', 'registry', 'serving', 'monitoring'] as const;

describe('Strata services on the real stack', () => {
  const env = infraEnv();
  const baseEnv = {
    DATABASE_URL: env.databaseUrl,
    KAFKA_BROKERS: env.kafkaBrokers.join(','),
    TEMPORAL_ADDRESS: env.temporalAddress,
    STRATA_AUTH_MODE: 'enforce',
    STRATA_API_KEY_FILE: undefined,
  };
  const running: RunningService[] = [];
  afterAll(async () => {
    await Promise.all(running.map((s) => s.stop('SIGKILL')));
  });

  it('all six answer /health/ready 200 and /metrics openly, refuse everything else without credentials, and stop cleanly on SIGTERM', async () => {
    const keys = await createTestCredentials(env.databaseUrl, SERVICES.map((s) => `service:${s}` as const));
    SERVICES.forEach((name, i) => running.push(startService(name, 13001 + i, { ...baseEnv, STRATA_API_KEY: keys[`service:${name}`] })));
    await Promise.all(running.map((s) => waitReady(s)));
    for (const service of running) {
      const ownKey = keys[`service:${service.name as (typeof SERVICES)[number]}`];
      const ready = (await (await fetch(`${service.baseUrl}/health/ready`)).json()) as { checks: Record<string, { status: string }> };
      expect(ready.checks['postgres']?.status).toBe('up');
      expect(ready.checks['kafka']?.status).toBe('up');
      if (service.name === 'training') expect(ready.checks['temporal']?.status).toBe('up');
      const metrics = await fetch(`${service.baseUrl}/metrics`);
      expect(metrics.headers.get('content-type')).toContain('text/plain');
      expect(await metrics.text()).toContain('process_resident_memory_bytes');
      // default-deny: no credentials → 401; the service's own key lacks keys:read → 403
      const anonymous = await fetch(`${service.baseUrl}/auth/keys`);
      expect(anonymous.status).toBe(401);
      expect(((await anonymous.json()) as { code: string }).code).toBe('UNAUTHENTICATED');
      expect((await fetch(`${service.baseUrl}/auth/keys`, { headers: authHeaders(ownKey) })).status).toBe(403);
      // OpenAPI is served outside the guard, so it is not published under enforce (STRATA_OPENAPI_PUBLIC unset)
      expect((await fetch(`${service.baseUrl}/docs-json`)).status).toBe(404);
    }
    const codes = await Promise.all(running.splice(0).map((s) => s.stop('SIGTERM')));
    expect(codes).toEqual(SERVICES.map(() => 0));
  });

  it('reports 503 naming postgres when the database is unreachable, without exiting', async () => {
    const service = startService('registry', 13014, { ...baseEnv, DATABASE_URL: 'postgres://strata:strata@127.0.0.1:1/strata' });
    running.push(service);
    let body = '';
    for (let i = 0; i < 200; i++) {
      try {
        const res = await fetch(`${service.baseUrl}/health/ready`);
        body = await res.text();
        if (res.status === 503) break;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    const report = JSON.parse(body) as { status: string; checks: Record<string, { status: string; error?: string }> };
    expect(report.status).toBe('unavailable');
    expect(report.checks['postgres']?.status).toBe('down');
    expect(report.checks['postgres']?.error).toMatch(/ECONNREFUSED/);
    expect(report.checks['kafka']?.status).toBe('up');
    expect(service.process.exitCode).toBeNull();
  });

  it('reports 503 naming kafka when the broker is unreachable', async () => {
    const service = startService('monitoring', 13016, { ...baseEnv, KAFKA_BROKERS: '127.0.0.1:1' });
    running.push(service);
    let report: { status: string; checks: Record<string, { status: string }> } | undefined;
    for (let i = 0; i < 200 && report?.checks['kafka'] === undefined; i++) {
      try {
        const res = await fetch(`${service.baseUrl}/health/ready`);
        if (res.status === 503) report = (await res.json()) as typeof report;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(report?.checks['kafka']?.status).toBe('down');
  });

  it('refuses to start with a bad environment, listing every problem in one message', async () => {
    const service = startService('serving', 13025, { DATABASE_URL: 'mysql://nope', KAFKA_BROKERS: '', SERVING_PORT: 'x' });
    // startService sets SERVING_PORT itself; override afterwards is not possible, so check the others
    const code = await service.exited;
    expect(code).toBe(1);
    expect(service.output()).toContain('Invalid configuration for serving');
    expect(service.output()).toMatch(/DATABASE_URL: expected a postgres:\/\/ URL/);
    expect(service.output()).toMatch(/KAFKA_BROKERS/);
    expect(service.output()).not.toMatch(/\n\s+at /); // no stack trace for a config error
  });
});
