import type { TrainModelTimeouts } from '@strata/training/workflows';

/** DI token of {@link TrainingModuleOptions}. */
export const TRAINING_OPTIONS = Symbol('TRAINING_OPTIONS');

/** Options of `TrainingModule.forRoot`. */
export interface TrainingModuleOptions {
  /** Temporal frontend, e.g. `127.0.0.1:7233`. */
  temporalAddress: string;
  /** Temporal namespace (default `default`). */
  temporalNamespace: string;
  featuresUrl: string;
  registryUrl: string;
  ingestionUrl: string;
  /** Run the Temporal worker in this process (default true). */
  workerEnabled: boolean;
  /** Root of the object store (lake + artifacts), an absolute path. */
  dataDir: string;
  /** Service code version, recorded in lineage. */
  codeVersion: string;
  /** Task queue (default `TRAINING_TASK_QUEUE`); tests use a unique one. */
  taskQueue?: string;
  /** Delay between Temporal connection attempts, ms (default 2000). */
  retryDelayMs?: number;
  /** Deadline of one Temporal client call in a request path (start, cancel, describe, schedules), ms (`TEMPORAL_RPC_TIMEOUT_MS`, default 10 000). */
  temporalRpcTimeoutMs?: number;
  /** External command trainers by name (`trainer: 'command:<name>'`). */
  commandTrainers?: Record<string, { command: string[]; cwd?: string; env?: Record<string, string> }>;
  /** Cost rates for the estimate on each run (default 0 = no estimate beyond 0). */
  cost?: { perCpuHour: number; perGbHour: number; currency: string };
  /** Act on drift-detected / performance-degraded events (default true); false records them as `DISABLED`. */
  retrainOnEvents?: boolean;
  /** Minimum time between two started retrainings of one model, seconds (default 3600). */
  retrainCooldownSeconds?: number;
  /** Timeouts given to every run, search trial and retraining (e.g. a shorter heartbeat timeout); default the workflow's. */
  runTimeouts?: TrainModelTimeouts;
}
