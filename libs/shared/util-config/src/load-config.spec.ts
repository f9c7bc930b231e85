import { z } from 'zod';
import { ConfigValidationError, brokersVar, loadConfig, portVar, postgresUrlVar } from './load-config';

describe(loadConfig.name, () => {
  const schema = z.object({ DATABASE_URL: postgresUrlVar(), KAFKA_BROKERS: brokersVar(), PORT: portVar(3004) });

  it('parses, coerces and applies defaults', () => {
    const config = loadConfig('t', schema, { DATABASE_URL: 'postgres://a:b@127.0.0.1:5432/db', KAFKA_BROKERS: '127.0.0.1:9092,h:1' });
    expect(config).toEqual({ DATABASE_URL: 'postgres://a:b@127.0.0.1:5432/db', KAFKA_BROKERS: ['127.0.0.1:9092', 'h:1'], PORT: 3004 });
  });

  it('lists every missing or invalid variable in one error', () => {
    let error: unknown;
    try {
      loadConfig('registry', schema, { KAFKA_BROKERS: 'nope', PORT: 'abc' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigValidationError);
    const problems = (error as ConfigValidationError).problems.map((p) => p.variable).sort();
    expect(problems).toEqual(['DATABASE_URL', 'KAFKA_BROKERS', 'PORT']);
    expect((error as Error).message).toContain('Invalid configuration for registry (3 problems)');
    expect((error as Error).message).toMatch(/DATABASE_URL: required/);
  });
});
