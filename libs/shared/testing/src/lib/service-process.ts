import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import fs from 'node:fs';
import { eventually } from './eventually';
import { infraEnv } from './infra-env';
import { dropSchemas } from './nest-test-app';

/** Repository root (tests spawn services from source, as `npm run up` does). */
export const REPO_ROOT = path.resolve(__dirname, '../../../../..');

export interface RunningService {
  name: string;
  port: number;
  baseUrl: string;
  process: ChildProcess;
  /** Everything the process printed (stdout + stderr). */
  output(): string;
  /** Sends SIGTERM and resolves with the exit code (or signal) once the process ended. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  exited: Promise<number | null>;
}

/**
 * Starts `apps/<name>/src/main.ts` as a child process with the given environment (merged over
 * process.env), on `port`. Does not wait for readiness; use {@link waitReady}.
 *
 * `STRATA_AUTH_MODE` defaults to `'off'` ONLY when neither `env` nor process.env sets it:
 * component tests opt out; authentication is covered by the auth e2e tests and the demo e2e
 * runs enforced (those pass `STRATA_AUTH_MODE: 'enforce'` and each service's own
 * `STRATA_API_KEY`, e.g. from `createTestCredentials`).
 */
export function startService(name: string, port: number, env: Record<string, string | undefined>): RunningService {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', `apps/${name}/src/main.ts`], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      ...env,
      STRATA_AUTH_MODE: ('STRATA_AUTH_MODE' in env ? env['STRATA_AUTH_MODE'] : process.env['STRATA_AUTH_MODE']) ?? 'off',
      [`${name.toUpperCase()}_PORT`]: String(port),
      LOG_LEVEL: env['LOG_LEVEL'] ?? 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    name,
    port,
    baseUrl: `http://127.0.0.1:${port}`,
    process: child,
    output: () => out,
    exited,
    stop: async (signal: NodeJS.Signals = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Waits until `GET /health/ready` answers 200 (or throws with the last answer and the logs). */
export async function waitReady(service: RunningService, timeoutMs = 90_000): Promise<void> {
  let exited = false;
  void service.exited.then(() => (exited = true));
  await eventually(async () => {
    if (exited) return; // reported below, without waiting out the timeout
    const res = await fetch(`${service.baseUrl}/health/ready`);
    if (res.status !== 200) throw new Error(`${service.name} /health/ready ${res.status}: ${await res.text()}`);
  }, timeoutMs, 250);
  if (exited) throw new Error(`${service.name} exited (${String(service.process.exitCode)}):\n${service.output().slice(-3000)}`);
}

/**
 * The environment every service started by a test needs on the test stack: `DATABASE_URL` and
 * `KAFKA_BROKERS` from {@link infraEnv}, its own PostgreSQL schema (`<NAME>_DB_SCHEMA`) and Kafka
 * consumer group (`<NAME>_KAFKA_GROUP_ID`, both `schema`), and `STRATA_DATA_DIR`. Spread it into
 * {@link startService}'s env and add the service's own settings.
 */
export function stackServiceEnv(name: string, schema: string, dataDir: string): Record<string, string> {
  const infra = infraEnv();
  const prefix = name.toUpperCase();
  return { DATABASE_URL: infra.databaseUrl, KAFKA_BROKERS: infra.kafkaBrokers.join(','), [`${prefix}_DB_SCHEMA`]: schema, [`${prefix}_KAFKA_GROUP_ID`]: schema, STRATA_DATA_DIR: dataDir };
}

/**
 * Stops a service that may be stuck (e.g. on a black-holed dependency): SIGTERM, then SIGKILL if
 * it has not exited after `killAfterMs` milliseconds. Resolves once the process ended; a missing
 * service (a failed `beforeAll`) is a no-op.
 */
export async function stopOrKill(service: RunningService | undefined, killAfterMs = 20_000): Promise<void> {
  const killer = setTimeout(() => service?.process.kill('SIGKILL'), killAfterMs);
  try {
    await service?.stop();
  } finally {
    clearTimeout(killer);
  }
}

/**
 * The afterAll of a spec that started one service on its own schema(s) and data directory:
 * stops `service` (a missing one, from a failed `beforeAll`, is skipped), then drops `schemas`
 * (`IF EXISTS … CASCADE`) and removes `dirs` recursively (undefined or missing ones skipped).
 */
export async function stopServiceAndClean(service: RunningService | undefined, schemas: string[], dirs: Array<string | undefined>): Promise<void> {
  await service?.stop();
  await dropSchemas(...schemas);
  for (const dir of dirs) if (dir) await fs.promises.rm(dir, { recursive: true, force: true });
}
