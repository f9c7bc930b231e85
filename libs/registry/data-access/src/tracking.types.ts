/**
 * Domain objects of experiment tracking and promotion (MLflow vocabulary). Times of experiments,
 * runs and metric points are epoch milliseconds (as in MLflow); promotion times are ISO-8601 UTC.
 */
import type { MetricPoint } from '@strata/contracts/api';

/** Lifecycle of an experiment or a run (MLflow `lifecycle_stage`). */
export type LifecycleStage = 'active' | 'deleted';

/** MLflow run statuses. */
export const RUN_STATUSES = ['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED'] as const;
/** A run status. */
export type RunStatus = (typeof RUN_STATUSES)[number];

/** An experiment: a named group of runs. */
export interface Experiment {
  /** Decimal string (MLflow); `"0"` is the `Default` experiment. */
  experimentId: string;
  name: string;
  artifactLocation: string;
  lifecycleStage: LifecycleStage;
  tags: Record<string, string>;
  createdBy: string;
  /** epoch ms */
  creationTime: number;
  /** epoch ms */
  lastUpdateTime: number;
}

/** One logged point of a metric series (`timestamp` epoch ms): declared once, in the API contracts. */
export type { MetricPoint } from '@strata/contracts/api';

/** A file recorded as an artifact of a run. */
export interface RunArtifact {
  /** Path relative to the run's artifact root, e.g. `model/model.onnx`. */
  path: string;
  uri: string;
  sha256: string | null;
  sizeBytes: number | null;
}

/** A tracked run. */
export interface Run {
  runId: string;
  experimentId: string;
  runName: string;
  /** Who triggered the run (user or service). */
  userId: string;
  status: RunStatus;
  /** epoch ms */
  startTime: number;
  /** epoch ms, null while running */
  endTime: number | null;
  lifecycleStage: LifecycleStage;
  artifactUri: string;
  params: Record<string, string>;
  tags: Record<string, string>;
  /** Latest point per metric key (highest step, then timestamp, then value — MLflow's rule). */
  latestMetrics: Record<string, MetricPoint>;
  artifacts: RunArtifact[];
  /** Datasets the run used (MLflow `runs/log-inputs`), in logging order, one per (name, digest). */
  datasetInputs: DatasetInput[];
}

/** One dataset input of a run (MLflow `DatasetInput`; field names as MLflow's JSON). */
export interface DatasetInput {
  dataset: { name: string; digest: string; source_type: string; source: string; schema?: string; profile?: string };
  tags: Array<{ key: string; value: string }>;
}

/**
 * Promotion policy of a model, its offline disparity gate and the rollout it starts: declared once,
 * in the API contracts (what `GET|PUT …/promotion-policy` answer).
 */
export type { PolicyFairness, PolicyRollout, PromotionPolicy } from '@strata/contracts/api';

/** Live evidence of a rollout decision: the policy's metric on each version's labeled rollout traffic. */
export interface LiveEvidence {
  rolloutId: string;
  championValue: number | null;
  challengerValue: number | null;
  championLabeled: number;
  challengerLabeled: number;
  /** The challenger's training data cutoff the comparison used (only predictions with a later event time count), or null. */
  trainingDataCutoff?: string | null;
  /** Rollout predictions / labels of each side left out as at or before the cutoff. */
  championExcluded?: { predictions: number; labels: number };
  challengerExcluded?: { predictions: number; labels: number };
}

// Declared once, in the API contracts (inferred from zod).
export type { LiveDecisionEvidence, PromotionDecision } from '@strata/contracts/api';
