import { z } from 'zod';
import { defineEndpoint, NoParams } from './define-endpoint';

/** Monitoring HTTP API (docs/service-apis.md, "monitoring"). */

/**
 * One calibration bin of a window: predicted probability in [lower, upper) (the last bin includes 1),
 * its row count, mean prediction and observed positive rate (null for an empty bin). Computed by
 * `calibrationByDecile` in `@strata/shared/util-model-evaluation`.
 */
export const CalibrationBinSchema = z.looseObject({
  bin: z.number(),
  lower: z.number(),
  upper: z.number(),
  count: z.number(),
  meanPredicted: z.number().nullable(),
  observedRate: z.number().nullable(),
});
export type CalibrationBin = z.infer<typeof CalibrationBinSchema>;

/** One report window of a model (the fields clients read; the service sends more, which pass through). */
export const MonitoringWindowSchema = z.looseObject({
  windowStart: z.string().nullable(),
  windowEnd: z.string().nullable(),
  modelVersion: z.union([z.number(), z.string()]).optional(),
  predictionCount: z.number(),
  labeledCount: z.number(),
  drift: z.array(z.looseObject({ feature: z.string(), method: z.string(), score: z.number().nullable(), threshold: z.number(), drifted: z.boolean() })),
  datasetDrift: z.boolean(),
  performance: z
    .looseObject({
      rocAuc: z.number().nullable(),
      accuracy: z.number().nullable(),
      logLoss: z.number().nullable(),
      calibration: z.array(CalibrationBinSchema).optional(),
    })
    .nullable(),
});
export type MonitoringWindow = z.infer<typeof MonitoringWindowSchema>;

/** One group (segment value) of a fairness window: counts and rates at threshold 0.5 (null without a denominator). */
export const FairnessGroupSchema = z.looseObject({
  group: z.string(),
  predictionCount: z.number(),
  predictedPositiveCount: z.number(),
  labeledCount: z.number(),
  tp: z.number(),
  fp: z.number(),
  tn: z.number(),
  fn: z.number(),
  selectionRate: z.number().nullable(),
  truePositiveRate: z.number().nullable(),
  falsePositiveRate: z.number().nullable(),
  positivePredictiveValue: z.number().nullable(),
});
export type FairnessGroup = z.infer<typeof FairnessGroupSchema>;

/**
 * The disparity metrics a threshold or a promotion gate can name (definitions:
 * `@strata/shared/util-model-evaluation` fairness.ts, which re-exports this list).
 */
export const DISPARITY_METRICS = [
  'demographic_parity_difference',
  'demographic_parity_ratio',
  'equal_opportunity_difference',
  'equalized_odds_difference',
  'predictive_parity_difference',
] as const;
/** One of {@link DISPARITY_METRICS}. */
export const DisparityMetricSchema = z.enum(DISPARITY_METRICS);

const RateInterval = z.object({ low: z.number(), high: z.number() }).nullable();
/** One disparity metric of a segment (definitions: `@strata/shared/util-model-evaluation` fairness.ts). */
export const DisparitySchema = z.looseObject({
  metric: DisparityMetricSchema,
  /** Null when fewer than two groups are eligible (or the ratio's max selection rate is 0). */
  value: z.number().nullable(),
  status: z.enum(['ok', 'insufficient_groups']),
  /** Group with the largest / smallest rate (for equalized odds: of the rate that gave the value). */
  max: z.object({ group: z.string(), rate: z.number() }).nullable(),
  min: z.object({ group: z.string(), rate: z.number() }).nullable(),
  /** Groups that passed the minimum-count rule. */
  eligibleGroups: z.array(z.string()),
  /** Groups left out by the minimum-count rule, with their denominator count. */
  excludedGroups: z.array(z.object({ group: z.string(), count: z.number() })),
  /** 95% Wilson score intervals of the max / min group's rate. */
  maxInterval: RateInterval,
  minInterval: RateInterval,
  significant: z.boolean().nullable(),
  threshold: z.number().nullable(),
  breached: z.boolean(),
});
export type DisparityReport = z.infer<typeof DisparitySchema>;

/** Kind of a segment / fairness window: a calendar window, or `count` (windows of `size` consecutive predictions of a version). */
export const SegmentWindowKindSchema = z.enum(['month', 'week', 'day', 'count']);
export type SegmentWindowKind = z.infer<typeof SegmentWindowKindSchema>;

/** The header every segment and fairness window starts with. */
const SegmentWindowHeaderShape = {
  windowKind: SegmentWindowKindSchema,
  /** Calendar windows: UTC ISO-8601 [start, end); null for count windows. */
  windowStart: z.string().nullable(),
  windowEnd: z.string().nullable(),
  /** Count windows (`window=count`): [start, end) of the version's prediction sequence numbers; null for calendar windows. */
  sequenceStart: z.number().nullable(),
  sequenceEnd: z.number().nullable(),
  modelVersion: z.number(),
  /** Predictions / labeled predictions of the whole window (all segment values). */
  predictionCount: z.number(),
  labeledCount: z.number(),
};

/** One window of `GET /models/{m}/fairness` (issue #17): per segment, its groups' rates and every disparity metric. */
export const FairnessWindowSchema = z.looseObject({
  ...SegmentWindowHeaderShape,
  /** The minimum-count rule of the model's segment config. */
  minCount: z.number(),
  segments: z.array(z.looseObject({ segment: z.string(), groups: z.array(FairnessGroupSchema), disparities: z.array(DisparitySchema) })),
});
export type FairnessWindow = z.infer<typeof FairnessWindowSchema>;

/**
 * One segment value of a `GET /models/{m}/segments` window: the group's counts and rates at 0.5,
 * its label coverage (labeled / predictions, null without predictions) and its performance
 * (as the overall window's: ROC AUC, accuracy, precision/recall/F1, log loss, Brier, calibration).
 */
export const SegmentValueSchema = FairnessGroupSchema.extend({
  labelCoverage: z.number().nullable(),
  performance: z.looseObject({
    /** ROC AUC over the probability bins (ties within a bin count ½); null with one class or no labels. */
    rocAuc: z.number().nullable(),
    /** Upper bound of |rocAuc − exact ROC AUC| (0 when no two rows of different labels share a bin). */
    rocAucMaxError: z.number().nullable(),
    accuracy: z.number().nullable(),
    precision: z.number().nullable(),
    recall: z.number().nullable(),
    f1: z.number().nullable(),
    logLoss: z.number().nullable(),
    brierScore: z.number().nullable(),
    /** Labeled positives. */
    positives: z.number(),
    calibration: z.array(CalibrationBinSchema),
  }),
});
export type SegmentValue = z.infer<typeof SegmentValueSchema>;

/** One window of `GET /models/{m}/segments` (issue #17): per segment, its values (top N, the rest as `__other__`). */
export const SegmentWindowSchema = z.looseObject({
  ...SegmentWindowHeaderShape,
  segments: z.array(z.looseObject({ segment: z.string(), values: z.array(SegmentValueSchema) })),
});
export type SegmentWindow = z.infer<typeof SegmentWindowSchema>;

/** Latency percentiles of `PredictionLoggedV1.latencyMs`, in seconds (DDSketch, relative error `relativeAccuracy`); null without predictions. */
export const LatencySecondsSchema = z.looseObject({ p50: z.number().nullable(), p95: z.number().nullable(), p99: z.number().nullable(), relativeAccuracy: z.number() });

/** Serving health counters: predictions, failed predictions (`InferenceFailedV1` rows), errorRate = errors / (predictions + errors) (null when both 0). */
const ServiceHealthShape = {
  predictionCount: z.number(),
  errorCount: z.number(),
  errorRate: z.number().nullable(),
  latencySeconds: LatencySecondsSchema,
};

/** `GET /models/{m}/health` item: serving health per window, version and alias. Windows ISO-8601 UTC [start, end). */
export const HealthRowSchema = z.looseObject({
  windowStart: z.string(),
  windowEnd: z.string(),
  modelVersion: z.number().int(),
  /** Alias the requests were routed through; `none` = addressed by version. */
  alias: z.string(),
  /** predictionCount + errorCount. */
  requestCount: z.number(),
  ...ServiceHealthShape,
});
export type HealthRow = z.infer<typeof HealthRowSchema>;

/** One side (champion or challenger) of the live comparison of a rollout, since it started. */
export const RolloutArmSchema = z.looseObject({
  role: z.enum(['champion', 'challenger']),
  version: z.number().int(),
  /** predictionCount + errorCount. */
  requestCount: z.number(),
  ...ServiceHealthShape,
  /** Labeled predictions the comparison counts (event time after the challenger's training data cutoff). */
  labeledCount: z.number(),
  /** Compared predictions without a label yet. */
  unlabeledCount: z.number(),
  /** The declared metric on the compared labeled traffic (null without labels, or ROC AUC with one class). */
  metricValue: z.number().nullable(),
  /**
   * Rollout predictions at or before the challenger's training data cutoff, left out of the
   * comparison (and how many are labeled). Requests, errors and latency above cover all rollout traffic.
   */
  excluded: z.looseObject({ predictionCount: z.number(), labeledCount: z.number() }),
  /** The same numbers per alias the requests were routed through (`none` = by version), sorted by alias. */
  byAlias: z.array(
    z.looseObject({
      alias: z.string(),
      requestCount: z.number(),
      predictionCount: z.number(),
      errorCount: z.number(),
      errorRate: z.number().nullable(),
      latencySeconds: LatencySecondsSchema,
      labeledCount: z.number(),
      metricValue: z.number().nullable(),
    }),
  ),
});
export type RolloutArm = z.infer<typeof RolloutArmSchema>;

/** Metrics the rollout comparison can declare (`MONITORING_ROLLOUT_METRIC`). */
export const ROLLOUT_METRICS = ['roc_auc', 'accuracy', 'log_loss', 'f1', 'precision', 'recall'] as const;
export const RolloutMetricSchema = z.enum(ROLLOUT_METRICS);

/** Thresholds of the rollout guard (rates in [0, 1], latency in seconds, ratios × the champion's with 0 = check off; interval ms). */
export const GuardThresholdsSchema = z.looseObject({
  intervalMs: z.number(),
  minRequests: z.number(),
  maxErrorRate: z.number(),
  maxErrorRateRatio: z.number(),
  maxP99Seconds: z.number(),
  maxP99Ratio: z.number(),
  /** Metric compared on labeled traffic. */
  metric: RolloutMetricSchema,
  /** X-Strata-Actor of the rollback call, when configured (default `monitoring:auto-rollback`). */
  actor: z.string().optional(),
});
export type GuardThresholds = z.infer<typeof GuardThresholdsSchema>;

/**
 * The verdict of a disparity gate (issue #17; `@strata/shared/util-model-evaluation` disparity-gate.ts):
 * each side's value of `metric` on `segment`, the widening (null when a value is missing), the
 * rule's bounds and minimum count, `passed`, `status` and the reason in words. A `significantOnly`
 * rule adds `significantOnly: true` and whether the challenger's disparity was significant.
 */
export const DisparityGateVerdictSchema = z.looseObject({
  segment: z.string(),
  metric: DisparityMetricSchema,
  championVersion: z.number(),
  challengerVersion: z.number(),
  championValue: z.number().nullable(),
  challengerValue: z.number().nullable(),
  widening: z.number().nullable(),
  maxWidening: z.number().nullable(),
  maxValue: z.number().nullable(),
  minValue: z.number().nullable(),
  minCount: z.number(),
  passed: z.boolean(),
  status: z.enum(['passed', 'widened', 'limit_exceeded', 'not_significant', 'insufficient_data']),
  significantOnly: z.literal(true).optional(),
  challengerSignificant: z.boolean().nullable().optional(),
  reason: z.string(),
});
export type DisparityGateVerdictView = z.infer<typeof DisparityGateVerdictSchema>;

/** The live disparity gate of a rollout: the verdict and where its rule came from (the promotion policy, or the legacy segment config gate). */
export const LiveDisparityGateSchema = DisparityGateVerdictSchema.extend({ source: z.enum(['promotion-policy', 'segment-config']) });
export type LiveDisparityGate = z.infer<typeof LiveDisparityGateSchema>;

/** `GET /models/{m}/rollouts/current/comparison`: champion vs challenger of the active rollout on live traffic (404 when none). */
export const RolloutComparisonSchema = z.looseObject({
  modelName: z.string(),
  rolloutId: z.string(),
  mode: z.enum(['canary', 'shadow']).nullable(),
  status: z.string(),
  startedAt: z.string(),
  challengerWeight: z.number().nullable(),
  /** The challenger's training data cutoff (ISO-8601; latest event time of its training set), null when unknown. */
  trainingDataCutoff: z.string().nullable(),
  metric: z.looseObject({ name: RolloutMetricSchema, higherIsBetter: z.boolean() }),
  champion: RolloutArmSchema,
  challenger: RolloutArmSchema,
  /**
   * The disparity gate on the compared traffic (issue #17; what the live decision sends): the
   * policy's `fairness`, else the legacy segment config gate (`source`); null without a gate.
   */
  disparityGate: LiveDisparityGateSchema.nullable(),
  guard: z.looseObject({
    enabled: z.boolean(),
    thresholds: GuardThresholdsSchema.nullable(),
    /** Breaches found now (empty below minRequests or within thresholds). */
    breaches: z.array(z.string()),
    rollbackRequestedAt: z.string().nullable(),
    rollbackReason: z.string().nullable(),
  }),
});
export type RolloutComparison = z.infer<typeof RolloutComparisonSchema>;

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** One feedback item of `POST /feedback` (the ground truth of an earlier prediction). */
export const FeedbackItem = z.object({
  predictionId: z.string().min(1).max(256),
  modelName: z.string().regex(NAME, 'must be a model name (1-128 letters, digits, ".", "_", "-")'),
  label: z.union([z.literal(0), z.literal(1)], { message: 'label must be 0 or 1' }),
  observedAt: z.iso.datetime({ message: 'must be an ISO-8601 UTC timestamp (Z suffix)' }),
  source: z.string().min(1).max(64).optional(),
});
export type FeedbackItemInput = z.input<typeof FeedbackItem>;
/** A list body of `POST /feedback` (1..10 000 items). */
export const FeedbackList = z.array(FeedbackItem).min(1).max(10_000);
/** Body of `POST /feedback`: one item or a list (1..10 000). */
export const FeedbackBody = z.union([FeedbackItem, FeedbackList]);

/**
 * A model's stored segment / fairness config (`GET|PUT /models/{m}/segments/config`; the PUT body is
 * validated by monitoring's `SegmentConfigSchema`): segment columns (numeric `buckets` edges or the
 * `values` kept), values reported per segment (`topN`), the minimum-count rule, alert thresholds per
 * disparity metric, the legacy live promotion gate (null: none), who stored it and when (ISO-8601 UTC).
 */
export const SegmentConfigViewSchema = z.looseObject({
  modelName: z.string(),
  segments: z.array(z.looseObject({ name: z.string(), field: z.string().optional(), buckets: z.array(z.number()).optional(), values: z.array(z.string()).optional() })),
  topN: z.number().int(),
  minCount: z.number().int(),
  /** Alert threshold per disparity metric (a `_difference` above it / the `_ratio` below it breaches). */
  thresholds: z.partialRecord(DisparityMetricSchema, z.number()),
  /** Bounds as the promotion policy's `fairness`; `minCount` absent = the config's own; `buckets` = numeric segment edges. */
  gate: z
    .looseObject({
      segment: z.string(),
      metric: DisparityMetricSchema,
      maxWidening: z.number().nullable(),
      maxValue: z.number().nullable(),
      minValue: z.number().nullable(),
      significantOnly: z.boolean(),
      minCount: z.number().int().optional(),
      buckets: z.array(z.number()).optional(),
    })
    .nullable(),
  updatedBy: z.string(),
  updatedAt: z.string(),
});
export type SegmentConfigView = z.infer<typeof SegmentConfigViewSchema>;

/** The monitoring endpoints called by the CLI, the console and tests. */
export const MonitoringApi = {
  sendFeedback: defineEndpoint({ service: 'monitoring', method: 'POST', path: '/feedback', summary: 'Ground-truth labels of predictions', params: NoParams, body: FeedbackBody, response: z.object({ accepted: z.number().int().min(0) }) }),
  windows: defineEndpoint({
    service: 'monitoring',
    method: 'GET',
    path: '/models/{model}/windows',
    summary: 'Per-window drift and performance of a model (count windows: size predictions per window, a multiple of the block size)',
    params: z.object({ model: z.string() }),
    query: z.object({ window: z.enum(['month', 'week', 'day', 'count']).optional(), version: z.number().int().optional(), alias: z.string().optional(), size: z.number().int().optional() }),
    response: z.array(MonitoringWindowSchema),
  }),
  segments: defineEndpoint({
    service: 'monitoring',
    method: 'GET',
    path: '/models/{model}/segments',
    summary: 'Per-window, per-segment performance of a model (issue #17; 404 without a segment config)',
    params: z.object({ model: z.string() }),
    query: z.object({ window: z.enum(['month', 'week', 'day', 'count']).optional(), version: z.number().int().optional(), size: z.number().int().optional() }),
    response: z.array(SegmentWindowSchema),
  }),
  fairness: defineEndpoint({
    service: 'monitoring',
    method: 'GET',
    path: '/models/{model}/fairness',
    summary: 'Per-window, per-segment group rates and disparities of a model (issue #17)',
    params: z.object({ model: z.string() }),
    query: z.object({ window: z.enum(['month', 'week', 'day', 'count']).optional(), version: z.number().int().optional(), size: z.number().int().optional() }),
    response: z.array(FairnessWindowSchema),
  }),
  health: defineEndpoint({
    service: 'monitoring',
    method: 'GET',
    path: '/models/{model}/health',
    summary: 'Latency percentiles and error rate per window, version and alias',
    params: z.object({ model: z.string() }),
    query: z.object({ window: z.enum(['day', 'week', 'month']).optional(), version: z.number().int().optional() }),
    response: z.array(HealthRowSchema),
  }),
  getSegmentConfig: defineEndpoint({ service: 'monitoring', method: 'GET', path: '/models/{model}/segments/config', summary: "A model's segment / fairness config (404 none)", params: z.object({ model: z.string() }), response: SegmentConfigViewSchema }),
  putSegmentConfig: defineEndpoint({
    service: 'monitoring',
    method: 'PUT',
    path: '/models/{model}/segments/config',
    summary: "Sets a model's segment / fairness config: applies to predictions and labels aggregated from then on (400 names the bad field)",
    params: z.object({ model: z.string() }),
    body: z.unknown(),
    response: SegmentConfigViewSchema,
  }),
  rolloutComparison: defineEndpoint({ service: 'monitoring', method: 'GET', path: '/models/{model}/rollouts/current/comparison', summary: 'Champion vs challenger of the active rollout on live traffic (404 none)', params: z.object({ model: z.string() }), response: RolloutComparisonSchema }),
} as const;
