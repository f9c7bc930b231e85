/**
 * A PRIVATE Kafka broker for fault tests that kill and restart it: `tools/stack/stack.sh up --only
 * kafka` on its own ports and its own STRATA_STATE_DIR (a fresh temp folder), with the jars from
 * the repo's `.stack/cache` (STRATA_CACHE_DIR), so the shared broker other tests use is never
 * touched. Ports: STRATA_PRIVATE_KAFKA_PORT / STRATA_PRIVATE_KAFKA_CONTROLLER_PORT (default
 * 29092 / 29093). The broker is always stopped: {@link PrivateKafka.destroy} in afterAll, and a
 * SIGKILL of its pid on process exit in case afterAll never runs.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from './harness';

const STACK = path.join(REPO_ROOT, 'tools/stack/stack.sh');

export interface PrivateKafka {
  /** `127.0.0.1:<port>`. */
  readonly brokers: string;
  readonly stateDir: string;
  /** Starts the broker (first call formats its log dir) and waits until it answers; bounded. */
  start(timeoutMs?: number): Promise<void>;
  /** Kills the broker process at once (SIGKILL: no controlled shutdown). */
  kill(): void;
  /** Stops the broker (`stack.sh down`) and deletes its state dir. Never throws. */
  destroy(): Promise<void>;
}

function run(args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [STACK, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`stack.sh ${args.join(' ')} failed (${signal ?? `exit ${code}`}, limit ${timeoutMs} ms): ${stderr}`));
    });
  });
}

export function privateKafka(): PrivateKafka {
  const port = Number(process.env.STRATA_PRIVATE_KAFKA_PORT ?? 29092);
  const controllerPort = Number(process.env.STRATA_PRIVATE_KAFKA_CONTROLLER_PORT ?? 29093);
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-private-kafka-'));
  fs.chmodSync(stateDir, 0o755);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    STRATA_STATE_DIR: stateDir,
    STRATA_CACHE_DIR: process.env.STRATA_CACHE_DIR ?? path.join(REPO_ROOT, '.stack/cache'),
    STRATA_KAFKA_PORT: String(port),
    STRATA_KAFKA_CONTROLLER_PORT: String(controllerPort),
    STRATA_STACK_WITH: '',
    // only the test's own topics: fewer partitions to recover after a SIGKILL, faster restarts
    STRATA_KAFKA_CREATE_TOPICS: '0',
  };
  const pidFile = path.join(stateDir, 'kafka/pid');
  const pid = (): number | undefined => {
    try {
      const n = Number(fs.readFileSync(pidFile, 'utf8').trim());
      return n > 0 ? n : undefined;
    } catch {
      return undefined;
    }
  };
  const killNow = (): void => {
    const p = pid();
    if (p === undefined) return;
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      /* already gone */
    }
  };
  process.once('exit', killNow);
  return {
    brokers: `127.0.0.1:${port}`,
    stateDir,
    start: (timeoutMs = 180_000) => run(['up', '--only', 'kafka'], env, timeoutMs),
    kill: killNow,
    destroy: async () => {
      await run(['down', '--only', 'kafka'], env, 90_000).catch(() => killNow());
      killNow();
      process.removeListener('exit', killNow);
      fs.rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
