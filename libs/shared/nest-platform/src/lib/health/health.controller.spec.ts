import { runReadinessChecks } from './health.controller';
import { ReadinessRegistry } from './readiness.registry';

describe(runReadinessChecks.name, () => {
  it('is ok only when every check answers, and names what is down with its error', async () => {
    const report = await runReadinessChecks('registry', [
      { name: 'postgres', check: async () => undefined },
      { name: 'kafka', check: async () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:9092')) },
    ]);
    expect(report.status).toBe('unavailable');
    expect(report.checks['postgres']?.status).toBe('up');
    expect(report.checks['kafka']).toMatchObject({ status: 'down', error: 'connect ECONNREFUSED 127.0.0.1:9092' });
  });

  it('bounds a hanging check by the timeout', async () => {
    const report = await runReadinessChecks('training', [{ name: 'temporal', check: () => new Promise<void>(() => undefined) }], 50);
    expect(report.checks['temporal']).toMatchObject({ status: 'down', error: 'temporal did not answer within 50 ms' });
    expect(report.status).toBe('unavailable');
  });

  it('is ok with all checks up', async () => {
    const report = await runReadinessChecks('serving', [{ name: 'postgres', check: async () => undefined }]);
    expect(report).toMatchObject({ status: 'ok', service: 'serving' });
  });

  it('adds checks from a source at each call (consumer groups) with their details, and names a group that is not running', async () => {
    const registry = new ReadinessRegistry();
    registry.register({ name: 'kafka', check: async () => undefined });
    let state = 'running';
    registry.registerSource(() => [
      {
        name: 'consumer-group:serving',
        check: () => (state === 'running' ? Promise.resolve() : Promise.reject(new Error("consumer group 'serving' is restarting since 2026-01-01T00:00:00.000Z (1 restart(s) so far; last error: Failed to find group coordinator)"))),
        details: () => ({ groupId: 'serving', state }),
      },
    ]);
    expect(await runReadinessChecks('serving', registry.list())).toMatchObject({
      status: 'ok',
      checks: { kafka: { status: 'up' }, 'consumer-group:serving': { status: 'up', details: { state: 'running' } } },
    });
    state = 'restarting';
    const report = await runReadinessChecks('serving', registry.list());
    expect(report.status).toBe('unavailable');
    expect(report.checks['kafka']?.status).toBe('up');
    expect(report.checks['consumer-group:serving']).toMatchObject({
      status: 'down',
      error: expect.stringContaining("consumer group 'serving' is restarting") as unknown,
      details: { groupId: 'serving', state: 'restarting' },
    });
  });
});
