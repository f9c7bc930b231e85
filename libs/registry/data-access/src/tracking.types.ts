import type { DisparityMetric } from '@strata/shared/util-model-evaluation';

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

/** Promotion policy of a model. */
export interface PromotionPolicy {
  name: string;
  metric: string;
  direction: 'maximize' | 'minimize';
  /** Minimum improvement (in metric units, ≥ 0) for a challenger to replace the champion. */
  minMargin: number;
  /** Evaluate automatically when the `challenger` alias is set. */
  autoPromote: boolean;
  /**
   * Closed loop: when set, a new `challenger` starts this rollout (instead of the offline
   * decision), and the live comparison on the rollout's traffic decides (promote or roll back).
   */
  rollout: PolicyRollout | null;
  /** Offline disparity gate (issue #17), or null: see {@link PolicyFairness}. */
  fairness: PolicyFairness | null;
  updatedBy: string;
  updatedAt: string;
}

/**
 * The disparity gate of an offline promotion decision: `metric` between the groups of `segment`
 * on each version's per-group evaluation (`lineage.evaluation.segments[segment]`, recorded by
 * training), under the minimum-count rule `minCount`. The challenger may not widen the gap by more
 * than `maxWidening`, nor exceed `maxValue` (`_difference` metrics) / fall below `minValue` (the
 * ratio). Fewer than two eligible groups on a needed side refuses (insufficient data).
 */
export interface PolicyFairness {
  segment: string;
  metric: DisparityMetric;
  maxWidening: number | null;
  maxValue: number | null;
  minValue: number | null;
  minCount: number;
  /** Count a widened / exceeded gap only when the challenger's disparity is significant (95% Wilson intervals; absent = false). */
  significantOnly?: boolean;
  /** Numeric segment: bucket edges (training's evaluation and monitoring's segment config use the same ones); absent = values are groups. */
  buckets?: number[];
}

/** The rollout a promotion policy starts for a new challenger. */
export interface PolicyRollout {
  mode: 'canary' | 'shadow';
  /** Challenger share in canary mode, in [0, 1]. */
  challengerWeight: number;
  /** Request parameter that pins a caller to one version, or null. */
  stickyKey: string | null;
  /** Labeled predictions each version needs on the rollout's traffic before a live decision. */
  minLabeledPerVersion: number;
}

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
