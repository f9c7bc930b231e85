/**
 * Jest globalSetup for integration tests (`*.int-spec.ts`): makes sure real infrastructure
 * endpoints are in process.env before any test file runs.
 *
 * Order (INFRA-NOTES §5, DESIGN "Running it"):
 *  1. KAFKA_BROKERS, DATABASE_URL and TEMPORAL_ADDRESS all given → use them as they are.
 *  2. Otherwise, if a Docker engine answers and STRATA_USE_TESTCONTAINERS=1 → not wired yet
 *     in this version; we say so and fall through to 3.
 *  3. Otherwise start tools/stack with its optional parts redis and s3 (idempotent: a running
 *     stack is reused) and read .stack/env.
 * Given endpoints but no REDIS_URL / S3_ENDPOINT: values from .stack/env are added when that
 * file exists (nothing is started); tests that need them then fail naming the variable.
 *
 * Auth: for the `int` tier, STRATA_AUTH_MODE defaults to `off` when the environment does not set
 * it (component tests that build an app in-process opt out of the platform default `enforce`;
 * authentication is covered by the auth e2e tests and the demo e2e runs enforced). e2e specs set
 * STRATA_AUTH_MODE explicitly for the services they start (`startService` defaults to `off`).
 */
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '../../../..');

function readEnvFile(file) {
  const out = {};
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (m) out[m[1]] = m[2];
  }
  return out;
}

module.exports = async function globalSetup(_globalConfig, projectConfig) {
  const tier = typeof projectConfig?.displayName === 'string' ? projectConfig.displayName : projectConfig?.displayName?.name;
  if (tier === 'int' && !process.env.STRATA_AUTH_MODE) process.env.STRATA_AUTH_MODE = 'off';
  const have = ['KAFKA_BROKERS', 'DATABASE_URL', 'TEMPORAL_ADDRESS'].every((k) => process.env[k]);
  const stateDir = process.env.STRATA_STATE_DIR || path.join(root, '.stack');
  const envFile = path.join(stateDir, 'env');
  if (!have) {
    execFileSync('bash', [path.join(root, 'tools/stack/stack.sh'), 'up', '--with', 'redis,s3'], { stdio: ['ignore', 'ignore', 'inherit'] });
  }
  if (!fs.existsSync(envFile)) return;
  const env = readEnvFile(envFile);
  const keys = have ? ['REDIS_URL', 'S3_ENDPOINT', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION'] : Object.keys(env);
  for (const k of keys) if (!process.env[k] && env[k] !== undefined) process.env[k] = env[k];
};
