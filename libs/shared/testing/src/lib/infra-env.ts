/** Real infrastructure endpoints for integration tests (set by the jest globalSetup). */
export interface InfraEnv {
  databaseUrl: string;
  kafkaBrokers: string[];
  temporalAddress: string;
  temporalNamespace: string;
}

/**
 * Reads the endpoints the integration globalSetup put in the environment.
 * @throws Error naming the missing variable (the test is then misconfigured, not skipped)
 */
export function infraEnv(): InfraEnv {
  const get = (k: string): string => {
    const v = process.env[k];
    if (!v) throw new Error(`${k} is not set: integration tests need real infrastructure (run 'npm run stack:up' or 'npm test')`);
    return v;
  };
  return {
    databaseUrl: get('DATABASE_URL'),
    kafkaBrokers: get('KAFKA_BROKERS').split(','),
    temporalAddress: get('TEMPORAL_ADDRESS'),
    temporalNamespace: process.env['TEMPORAL_NAMESPACE'] ?? 'default',
  };
}

/** A name unique to this test run, safe for topics, groups, schemas and task queues. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
}
