import { execFile } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from '@strata/shared/testing';

/** A part of tools/stack that the chaos suite can stop and start on its own. */
export type StackPart = 'pg' | 'kafka' | 'temporal' | 'redis';

/** Ports of a private stack (never the shared stack's defaults: faults restart its parts). */
export interface PrivateStackPorts {
  pg: number;
  kafka: number;
  kafkaController: number;
  temporal: number;
  temporalUi: number;
  temporalMetrics: number;
  redis: number;
  s3: number;
}

/** The chaos suite's default ports (CHAOS_*_PORT override each; see chaos.e2e-spec.ts). */
export const CHAOS_PORTS: PrivateStackPorts = {
  pg: 15432,
  kafka: 19092,
  kafkaController: 19093,
  temporal: 17233,
  temporalUi: 18233,
  temporalMetrics: 18000,
  redis: 16379,
  s3: 19000,
};

/**
 * A private copy of tools/stack (PostgreSQL, Kafka, Temporal, Redis) in its own state dir and
 * ports, driven through `tools/stack/stack.sh` (`up --with redis`, `stop|start|restart <part>`,
 * `down`). Every call has a deadline (`timeoutMs`); a command that overruns is killed and throws
 * with its stderr.
 */
export class PrivateStack {
  constructor(
    readonly stateDir: string,
    readonly cacheDir: string,
    readonly ports: PrivateStackPorts = CHAOS_PORTS,
  ) {}

  get databaseUrl(): string {
    return `postgres://strata:strata@127.0.0.1:${this.ports.pg}/strata`;
  }
  get kafkaBrokers(): string {
    return `127.0.0.1:${this.ports.kafka}`;
  }
  get temporalAddress(): string {
    return `127.0.0.1:${this.ports.temporal}`;
  }
  get redisUrl(): string {
    return `redis://127.0.0.1:${this.ports.redis}`;
  }

  /** Environment of stack.sh for this stack. */
  env(): Record<string, string> {
    const p = this.ports;
    return {
      STRATA_STATE_DIR: this.stateDir,
      STRATA_CACHE_DIR: this.cacheDir,
      STRATA_PG_PORT: String(p.pg),
      STRATA_KAFKA_PORT: String(p.kafka),
      STRATA_KAFKA_CONTROLLER_PORT: String(p.kafkaController),
      STRATA_TEMPORAL_PORT: String(p.temporal),
      STRATA_TEMPORAL_UI_PORT: String(p.temporalUi),
      STRATA_TEMPORAL_METRICS_PORT: String(p.temporalMetrics),
      STRATA_REDIS_PORT: String(p.redis),
      STRATA_S3_PORT: String(p.s3),
      STRATA_STACK_WAIT_SECONDS: '150',
      STRATA_STACK_WITH: '',
    };
  }

  up(timeoutMs = 240_000): Promise<string> {
    return this.run(['up', '--with', 'redis'], timeoutMs);
  }
  down(timeoutMs = 150_000): Promise<string> {
    return this.run(['down'], timeoutMs);
  }
  stop(part: StackPart, timeoutMs = 90_000): Promise<string> {
    return this.run(['stop', part], timeoutMs);
  }
  start(part: StackPart, timeoutMs = 180_000): Promise<string> {
    return this.run(['start', part], timeoutMs);
  }
  restart(part: StackPart, timeoutMs = 240_000): Promise<string> {
    return this.run(['restart', part], timeoutMs);
  }

  /** Runs `stack.sh <args>`; resolves with its stderr (the log lines), throws naming the command. */
  run(args: string[], timeoutMs: number): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile(
        'bash',
        [path.join(REPO_ROOT, 'tools/stack/stack.sh'), ...args],
        { cwd: REPO_ROOT, env: { ...process.env, ...this.env() }, timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 16 * 1024 * 1024 },
        (err, _stdout, stderr) => (err ? reject(new Error(`stack.sh ${args.join(' ')} failed (${err.message}):\n${stderr.slice(-3000)}`)) : resolve(stderr)),
      );
    });
  }
}
