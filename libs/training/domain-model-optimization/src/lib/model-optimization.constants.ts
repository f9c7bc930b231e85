/** Injection token of {@link ModelOptimizationModuleOptions}. */
export const MODEL_OPTIMIZATION_OPTIONS = Symbol('MODEL_OPTIMIZATION_OPTIONS');
/** Injection token of the step's registry clients and object store. */
export const MODEL_OPTIMIZATION_PORTS = 'MODEL_OPTIMIZATION_PORTS';

/** Settings of the model optimization step (apps/training config: `TRAINING_OPTIMIZE*`). */
export interface ModelOptimizationModuleOptions {
  /** Registry base URL (read the parent, register the child). */
  registryUrl: string;
  /** Local object store root (`STRATA_DATA_DIR`): artifacts and training sets, as the training worker reads them. */
  dataDir: string;
  /** Python with tools/python/model-optimize.requirements.txt (`TRAINING_OPTIMIZER_PYTHON`); unset → 503 on start. */
  python: string | undefined;
  /** Absolute path of tools/model-optimization/optimize_onnx.py. */
  script: string;
  /** Deadline of the tool per job, ms (`TRAINING_OPTIMIZE_TOOL_TIMEOUT_SECONDS` × 1000). */
  toolTimeoutMs: number;
  /** Default `maxAccuracyDrop` when a request gives none (`TRAINING_OPTIMIZE_MAX_ACCURACY_DROP`). */
  defaultMaxAccuracyDrop: number;
  /** Jobs running or queued at most (one runs at a time); more → 503. */
  maxQueued: number;
}
