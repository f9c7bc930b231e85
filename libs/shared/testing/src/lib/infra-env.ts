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

/**
 * The Redis endpoint of the optional stack part `redis` (`tools/stack/stack.sh up --with redis`,
 * which `npm test` and CI start).
 * @throws Error naming REDIS_URL when it is not set (the test is misconfigured, never skipped)
 */
export function redisUrl(): string {
  const v = process.env['REDIS_URL'];
  if (!v) throw new Error("REDIS_URL is not set: start Redis with 'bash tools/stack/stack.sh up --with redis' (npm test does)");
  return v;
}

/** Endpoint and credentials of the S3-compatible server of the optional stack part `s3`. */
export interface S3Env {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
}

/**
 * The S3 endpoint of the optional stack part `s3` (`tools/stack/stack.sh up --with s3`: moto's
 * server on 127.0.0.1:9000, which `npm test` and CI start).
 * @throws Error naming S3_ENDPOINT when it is not set
 */
export function s3Env(): S3Env {
  const endpoint = process.env['S3_ENDPOINT'];
  if (!endpoint) throw new Error("S3_ENDPOINT is not set: start the S3 endpoint with 'bash tools/stack/stack.sh up --with s3' (npm test does)");
  return {
    endpoint,
    region: process.env['AWS_REGION'] ?? 'us-east-1',
    accessKeyId: process.env['AWS_ACCESS_KEY_ID'] ?? 'strata',
    secretAccessKey: process.env['AWS_SECRET_ACCESS_KEY'] ?? 'strata-secret',
  };
}
