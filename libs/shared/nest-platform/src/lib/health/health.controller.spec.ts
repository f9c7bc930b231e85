import { runReadinessChecks } from './health.controller';

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
});
