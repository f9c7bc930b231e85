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
}
