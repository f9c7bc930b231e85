import { z } from 'zod';
import { defineEndpoint, NoParams } from './define-endpoint';
import { DisparityMetricSchema } from './monitoring.api';

/**
 * Registry HTTP API (docs/service-apis.md, "registry"): the bodies other services, the CLI and
 * tests read. Response schemas mirror what the registry serialises; the inferred types are THE
 * declaration (`@strata/registry/data-access` and the client re-export them).
 */

/** A metric value: a finite number, or one of the strings standing for a non-finite number. */
export const MetricValueSchema = z.union([z.number(), z.literal('NaN'), z.literal('Infinity'), z.literal('-Infinity')]);
export type MetricValue = z.infer<typeof MetricValueSchema>;

/** One immutable version of a registered model. Timestamps ISO-8601 UTC. */
export const ModelVersionSchema = z.looseObject({
  name: z.string(),
  /** Version number (integer ≥ 1). */
  version: z.number().int().min(1),
  runId: z.string(),
  workflowId: z.string().nullable(),
  artifactUri: z.string().min(1),
  /** sha256 of the artifact; null for a non-servable source registered through the MLflow API. */
  artifactSha256: z.string().regex(/^[0-9a-fA-F]{64}$/).nullable(),
  /** Whether Strata can serve it (ONNX with a tensor signature, in the artifact store). */
  servable: z.boolean(),
  /** Why it cannot be served (null when servable). */
  notServableReason: z.string().nullable(),
  /** MLflow `source` as given (null: native registration, whose source is `artifactUri`). */
  source: z.string().nullable(),
  /** MLflow `run_id` as given (null: native registration, whose run is `runId`). */
  sourceRunId: z.string().nullable(),
  /** MLflow's deprecated stage: `None` | `Staging` | `Production` | `Archived`. */
  currentStage: z.string(),
  signature: z.record(z.string(), z.unknown()),
  metrics: z.record(z.string(), MetricValueSchema),
  params: z.record(z.string(), z.unknown()),
  lineage: z.record(z.string(), z.unknown()),
  referenceProfileUri: z.string().nullable(),
  referenceProfileSha256: z.string().nullable(),
  /** MLflow `ModelVersionStatus`. */
  status: z.enum(['PENDING_REGISTRATION', 'READY', 'FAILED_REGISTRATION']),
  description: z.string().nullable(),
  tags: z.record(z.string(), z.string()),
  /** Aliases currently pointing at this version, sorted. */
  aliases: z.array(z.string()),
  createdBy: z.string(),
  createdAt: z.string(),
  /** Last change of description, tags or stage (= `createdAt` when never changed). */
  updatedAt: z.string(),
});
export type ModelVersion = z.infer<typeof ModelVersionSchema>;
/** MLflow `ModelVersionStatus` values. */
export type ModelVersionStatus = ModelVersion['status'];

/** A registered model. */
export const RegisteredModelSchema = z.looseObject({
  name: z.string(),
  description: z.string().nullable(),
  tags: z.record(z.string(), z.string()),
  /** Highest version number assigned so far (0 if none); never decreases. */
  latestVersion: z.number().int().min(0),
  /** Alias → version. */
  aliases: z.record(z.string(), z.number().int()),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type RegisteredModel = z.infer<typeof RegisteredModelSchema>;

/** `GET /registered-models`: one page of models (`nextPageToken` when there are more). */
export const RegisteredModelListSchema = z.object({ registeredModels: z.array(RegisteredModelSchema), nextPageToken: z.string().optional() });
export type RegisteredModelList = z.infer<typeof RegisteredModelListSchema>;

/** The live evidence recorded with a `live-rollout` decision (`PromotionDecision.evidence`). */
export const LiveDecisionEvidenceSchema = z.object({
  rolloutId: z.string(),
  championLabeled: z.number(),
  challengerLabeled: z.number(),
  trainingDataCutoff: z.string().nullable(),
  championExcluded: z.object({ predictions: z.number(), labels: z.number() }),
  challengerExcluded: z.object({ predictions: z.number(), labels: z.number() }),
  /** The disparity gate's numbers, when the model's segment config has a gate (issue #17). */
  disparity: z.looseObject({}).optional(),
});
export type LiveDecisionEvidence = z.infer<typeof LiveDecisionEvidenceSchema>;

/**
 * The disparity gate of a decision (issue #17): the metric on each side, the widening, the bounds,
 * `passed`, `status` (`passed` | `widened` | `limit_exceeded` | `insufficient_data`) and the reason;
 * an offline decision adds `champion` / `challenger` with each side's groups and rates.
 */
export const DisparityGateEvidenceSchema = z.looseObject({
  segment: z.string(),
  metric: z.string(),
  championValue: z.number().nullable(),
  challengerValue: z.number().nullable(),
  widening: z.number().nullable(),
  passed: z.boolean(),
  status: z.string().optional(),
  reason: z.string(),
});
/** The evidence of an offline decision gated by the policy's `fairness`. */
export const OfflineDecisionEvidenceSchema = z.looseObject({ disparity: DisparityGateEvidenceSchema });

/** One recorded promotion decision. */
export const PromotionDecisionSchema = z.looseObject({
  id: z.number().int(),
  name: z.string(),
  challengerVersion: z.number().int(),
  championVersion: z.number().int().nullable(),
  metric: z.string(),
  direction: z.enum(['maximize', 'minimize']),
  minMargin: z.number(),
  challengerValue: MetricValueSchema.nullable(),
  championValue: MetricValueSchema.nullable(),
  /** Signed improvement in the policy's direction (challenger − champion for maximize, champion − challenger for minimize). */
  improvement: z.number().nullable(),
  challengerEvaluationDigest: z.string().nullable(),
  championEvaluationDigest: z.string().nullable(),
  /** Live evidence of a `live-rollout` decision; the disparity gate's numbers of an offline decision under a `fairness` policy; null otherwise. */
  evidence: z.union([LiveDecisionEvidenceSchema, OfflineDecisionEvidenceSchema]).nullable(),
  outcome: z.enum(['promoted', 'rejected']),
  /** false for a dry run (`apply: false`) or a rejection. */
  applied: z.boolean(),
  reason: z.string(),
  /** `challenger-alias-set` (automatic) or `request`. */
  trigger: z.string(),
  actor: z.string(),
  requestId: z.string().nullable(),
  decidedAt: z.string(),
});
export type PromotionDecision = z.infer<typeof PromotionDecisionSchema>;

/** `GET /registered-models/{name}`: the model with its newest versions (at most 5, newest first). */
export const RegisteredModelDetailSchema = RegisteredModelSchema.extend({ latestVersions: z.array(ModelVersionSchema) });
export type RegisteredModelDetail = z.infer<typeof RegisteredModelDetailSchema>;

/** `GET /registered-models/{name}/versions`: one page of versions, newest first (`nextPageToken` when there are more). */
export const ModelVersionListSchema = z.object({ modelVersions: z.array(ModelVersionSchema), nextPageToken: z.string().optional() });
export type ModelVersionList = z.infer<typeof ModelVersionListSchema>;

/** `GET /registered-models/{name}/promotion-decisions`: one page of decisions, newest first. */
export const PromotionDecisionListSchema = z.object({ decisions: z.array(PromotionDecisionSchema), nextPageToken: z.string().optional() });
export type PromotionDecisionList = z.infer<typeof PromotionDecisionListSchema>;

/** One change of an alias (`GET …/aliases/{alias}/history` item): set (`fromVersion` null), move, or delete (`toVersion` null). `changedAt` ISO-8601 UTC. */
export const AliasChangeSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  alias: z.string(),
  fromVersion: z.number().int().nullable(),
  toVersion: z.number().int().nullable(),
  actor: z.string(),
  reason: z.string(),
  changedAt: z.string(),
});
export type AliasChange = z.infer<typeof AliasChangeSchema>;

/**
 * The disparity gate of an offline promotion decision (issue #17; validated on write by
 * `FairnessGateSchema` of `@strata/shared/util-model-evaluation`): `metric` between the groups of
 * `segment` on each version's per-group evaluation (`lineage.evaluation.segments[segment]`,
 * recorded by training), under the minimum-count rule `minCount`. The challenger may not widen the
 * gap by more than `maxWidening`, nor exceed `maxValue` (`_difference` metrics) / fall below
 * `minValue` (the ratio). Fewer than two eligible groups on a needed side refuses (insufficient data).
 */
export const PolicyFairnessSchema = z.looseObject({
  segment: z.string(),
  metric: DisparityMetricSchema,
  maxWidening: z.number().nullable(),
  maxValue: z.number().nullable(),
  minValue: z.number().nullable(),
  minCount: z.number().int(),
  /** Count a widened / exceeded gap only when the challenger's disparity is significant (95% Wilson intervals; absent = false). */
  significantOnly: z.boolean().optional(),
  /** Numeric segment: bucket edges (training's evaluation and monitoring's segment config use the same ones); absent = values are groups. */
  buckets: z.array(z.number()).optional(),
});
export type PolicyFairness = z.infer<typeof PolicyFairnessSchema>;

/** The rollout a promotion policy starts for a new challenger (closed loop). */
export const PolicyRolloutSchema = z.looseObject({
  mode: z.enum(['canary', 'shadow']),
  /** Challenger share in canary mode, in [0, 1]. */
  challengerWeight: z.number(),
  /** Request parameter that pins a caller to one version, or null. */
  stickyKey: z.string().nullable(),
  /** Labeled predictions each version needs on the rollout's traffic before a live decision. */
  minLabeledPerVersion: z.number().int().min(1),
});
export type PolicyRollout = z.infer<typeof PolicyRolloutSchema>;

/** Promotion policy of a model (`GET|PUT /registered-models/{name}/promotion-policy`); `updatedAt` ISO-8601 UTC. */
export const PromotionPolicySchema = z.looseObject({
  name: z.string(),
  metric: z.string().min(1),
  direction: z.enum(['maximize', 'minimize']),
  /** Minimum improvement (in metric units, ≥ 0) for a challenger to replace the champion. */
  minMargin: z.number(),
  /** Evaluate automatically when the `challenger` alias is set. */
  autoPromote: z.boolean(),
  /**
   * Closed loop: when set, a new `challenger` starts this rollout (instead of the offline
   * decision), and the live comparison on the rollout's traffic decides (promote or roll back).
   */
  rollout: PolicyRolloutSchema.nullable(),
  /** Offline disparity gate (issue #17), or null. */
  fairness: PolicyFairnessSchema.nullable(),
  updatedBy: z.string(),
  updatedAt: z.string(),
});
export type PromotionPolicy = z.infer<typeof PromotionPolicySchema>;

/** A run tracked by the registry (`GET /runs/{id}`); times are epoch ms. */
export const TrackedRunSchema = z.looseObject({
  runId: z.string(),
  experimentId: z.string(),
  runName: z.string(),
  userId: z.string(),
  status: z.string(),
  startTime: z.number(),
  endTime: z.number().nullable(),
  artifactUri: z.string(),
  params: z.record(z.string(), z.string()),
  tags: z.record(z.string(), z.string()),
  latestMetrics: z.record(z.string(), z.object({ key: z.string(), value: z.union([z.number(), z.string()]), step: z.number(), timestamp: z.number() })),
});
export type TrackedRun = z.infer<typeof TrackedRunSchema>;

/** Status of a rollout: `active` until promoted, rolled back or ended. */
export const RolloutStatusSchema = z.enum(['active', 'rolled-back', 'promoted', 'ended']);

/**
 * A rollout of the registry (`GET /models/{name}/rollouts` item; answer of `POST /models/{name}/rollouts`,
 * `GET …/rollouts/current`, `…/current/promote` and `/rollback`). Times ISO-8601 UTC; `endedBy` /
 * `endReason` / `endedAt` null while active.
 */
export const RolloutSchema = z.looseObject({
  rolloutId: z.string(),
  modelName: z.string(),
  status: RolloutStatusSchema,
  mode: z.enum(['canary', 'shadow']),
  championVersion: z.number().int(),
  challengerVersion: z.number().int(),
  /** Canary share of the challenger in [0, 1] (shadow: mirrored, answers not served). */
  challengerWeight: z.number(),
  /** Request parameter / header whose value pins a caller to one version (null: none). */
  stickyKey: z.string().nullable(),
  /** The serving route (the event contract's `route`) while active; null once ended. */
  route: z.unknown(),
  /** Who started it. */
  actor: z.string(),
  reason: z.string(),
  startedAt: z.string(),
  updatedAt: z.string(),
  endedBy: z.string().nullable(),
  endReason: z.string().nullable(),
  endedAt: z.string().nullable(),
});
export type Rollout = z.infer<typeof RolloutSchema>;

/** One logged point of a tracked run's metric (`GET /runs/{runId}/metrics/{key}/history` item); `timestamp` epoch ms. */
export const MetricPointSchema = z.looseObject({ key: z.string(), value: MetricValueSchema, timestamp: z.number(), step: z.number() });
export type MetricPoint = z.infer<typeof MetricPointSchema>;

const Model = z.object({ name: z.string() });
const ModelAndVersion = z.object({ name: z.string(), version: z.number().int() });
const ModelAndAlias = z.object({ name: z.string(), alias: z.string() });
const Json = z.unknown();
/** Body of `POST /models/{name}/rollouts` (the registry validates it strictly: versions ≤ 2147483647, stickyKey 1-128 of `A-Za-z0-9_.-`). */
export const StartRolloutRequest = z.object({
  mode: z.enum(['canary', 'shadow']),
  /** Default: the version behind alias `challenger`. */
  challengerVersion: z.number().int().min(1).optional(),
  /** Canary share of the challenger in [0, 1] (default 0.1); not for shadow. */
  challengerWeight: z.number().min(0).max(1).optional(),
  stickyKey: z.string().optional(),
  reason: z.string().optional(),
});
/** Body of `POST /models/{name}/rollouts/current/promote` and `/rollback` (the reason is audited). */
const RolloutActionBody = z.object({ reason: z.string() });

/** Request body of `POST /registered-models/{name}/versions` (the registry validates it strictly). */
export const RegisterModelVersionRequest = z.looseObject({
  runId: z.string(),
  /** The tracked run that produced the version (the MLflow API's `run_id`). */
  sourceRunId: z.string().optional(),
  workflowId: z.string().optional(),
  artifactUri: z.string(),
  artifactSha256: z.string(),
  signature: z.unknown().optional(),
  metrics: z.record(z.string(), z.unknown()).optional(),
  params: z.record(z.string(), z.unknown()).optional(),
  lineage: z.record(z.string(), z.unknown()).optional(),
  referenceProfileUri: z.string().optional(),
  referenceProfileSha256: z.string().optional(),
  description: z.string().optional(),
  tags: z.record(z.string(), z.string()).optional(),
});

export const TrackedRunCreateRequest = z.object({
  experimentName: z.string().optional(),
  experimentId: z.string().optional(),
  runName: z.string().optional(),
  triggeredBy: z.string().optional(),
  startTime: z.number().optional(),
  tags: z.record(z.string(), z.string()).optional(),
  params: z.record(z.string(), z.string()).optional(),
});

export const LogBatchRequest = z.object({
  metrics: z.array(z.object({ key: z.string(), value: z.union([z.number(), z.string()]), step: z.number().optional(), timestamp: z.number().optional() })).optional(),
  params: z.record(z.string(), z.string()).optional(),
  tags: z.record(z.string(), z.string()).optional(),
});

/** The registry endpoints called by other services, the CLI and tests. */
export const RegistryApi = {
  listModels: defineEndpoint({ service: 'registry', method: 'GET', path: '/registered-models', summary: 'One page of registered models', params: NoParams, query: z.object({ search: z.string().optional(), limit: z.number().int().optional(), pageToken: z.string().optional() }), response: RegisteredModelListSchema }),
  getModelVersion: defineEndpoint({ service: 'registry', method: 'GET', path: '/registered-models/{name}/versions/{version}', summary: 'One model version', params: ModelAndVersion, response: ModelVersionSchema }),
  getModel: defineEndpoint({ service: 'registry', method: 'GET', path: '/registered-models/{name}', summary: 'One registered model with its aliases and 5 newest versions (404 when unknown)', params: Model, response: RegisteredModelDetailSchema }),
  listVersions: defineEndpoint({ service: 'registry', method: 'GET', path: '/registered-models/{name}/versions', summary: "A model's versions, newest first (limit 1-1000, default 100; pageToken)", params: Model, query: z.object({ limit: z.number().int().optional(), pageToken: z.string().optional() }), response: ModelVersionListSchema }),
  listDecisions: defineEndpoint({ service: 'registry', method: 'GET', path: '/registered-models/{name}/promotion-decisions', summary: 'Promotion decisions of a model, newest first (limit, pageToken)', params: Model, query: z.object({ limit: z.number().int().optional(), pageToken: z.string().optional() }), response: PromotionDecisionListSchema }),
  aliasHistory: defineEndpoint({ service: 'registry', method: 'GET', path: '/registered-models/{name}/aliases/{alias}/history', summary: 'Changes of an alias (actor, from, to, reason, time), newest first (404 model unknown)', params: ModelAndAlias, response: z.array(AliasChangeSchema) }),
  registerModelVersion: defineEndpoint({ service: 'registry', method: 'POST', path: '/registered-models/{name}/versions', summary: 'Registers a version (Idempotency-Key: run id; 409 names the existing version)', params: Model, body: RegisterModelVersionRequest, response: ModelVersionSchema }),
  getAlias: defineEndpoint({ service: 'registry', method: 'GET', path: '/registered-models/{name}/aliases/{alias}', summary: 'The version an alias points at', params: ModelAndAlias, response: ModelVersionSchema }),
  setAlias: defineEndpoint({ service: 'registry', method: 'PUT', path: '/registered-models/{name}/aliases/{alias}', summary: 'Moves an alias (audited)', params: ModelAndAlias, body: z.object({ version: z.number().int(), reason: z.string().optional(), actor: z.string().optional() }), response: Json }),
  getPromotionPolicy: defineEndpoint({ service: 'registry', method: 'GET', path: '/registered-models/{name}/promotion-policy', summary: 'The promotion policy of a model (404 when none)', params: Model, response: PromotionPolicySchema }),
  setPromotionPolicy: defineEndpoint({ service: 'registry', method: 'PUT', path: '/registered-models/{name}/promotion-policy', summary: 'Sets the promotion policy', params: Model, body: z.looseObject({ metric: z.string(), direction: z.enum(['maximize', 'minimize']), minMargin: z.number().optional(), autoPromote: z.boolean().optional() }), response: PromotionPolicySchema }),
  decidePromotion: defineEndpoint({ service: 'registry', method: 'POST', path: '/registered-models/{name}/promotion-decisions', summary: 'Evaluates (and applies) a promotion', params: Model, body: z.object({ challengerVersion: z.number().int().optional(), apply: z.boolean().optional(), actor: z.string().optional() }), response: PromotionDecisionSchema }),
  decideLiveRollout: defineEndpoint({ service: 'registry', method: 'POST', path: '/registered-models/{name}/rollouts/current/decision', summary: 'Live decision of the active rollout (201 decided; 409 not decidable; 404 none)', params: Model, body: z.looseObject({ rolloutId: z.string() }), response: Json }),
  startRollout: defineEndpoint({ service: 'registry', method: 'POST', path: '/models/{name}/rollouts', summary: 'Starts a canary or shadow rollout (201; 409 when one is active or no champion; 404 unknown model / challenger)', params: Model, body: StartRolloutRequest, response: RolloutSchema }),
  getCurrentRollout: defineEndpoint({ service: 'registry', method: 'GET', path: '/models/{name}/rollouts/current', summary: 'The active rollout (404 when none)', params: Model, response: RolloutSchema }),
  listRollouts: defineEndpoint({ service: 'registry', method: 'GET', path: '/models/{name}/rollouts', summary: 'Every rollout of a model, newest first', params: Model, response: z.array(RolloutSchema) }),
  promoteRollout: defineEndpoint({ service: 'registry', method: 'POST', path: '/models/{name}/rollouts/current/promote', summary: 'Promotes the challenger (champion alias moved) and ends the active rollout (404 none; 409 changed meanwhile)', params: Model, body: RolloutActionBody, response: RolloutSchema }),
  rollbackRollout: defineEndpoint({ service: 'registry', method: 'POST', path: '/models/{name}/rollouts/current/rollback', summary: 'Rolls the active rollout back: status rolled-back, route null (404 none; 409 changed meanwhile)', params: Model, body: RolloutActionBody, response: RolloutSchema }),
  createExperiment: defineEndpoint({ service: 'registry', method: 'POST', path: '/experiments', summary: 'Creates an experiment (409 when the name exists)', params: NoParams, body: z.object({ name: z.string(), tags: z.record(z.string(), z.string()).optional() }), response: z.looseObject({ experimentId: z.string(), name: z.string() }) }),
  searchExperiments: defineEndpoint({ service: 'registry', method: 'GET', path: '/experiments', summary: 'Experiments matching a filter', params: NoParams, query: z.object({ filter: z.string().optional() }), response: z.looseObject({ experiments: z.array(z.looseObject({ experimentId: z.string(), name: z.string() })) }) }),
  createRun: defineEndpoint({ service: 'registry', method: 'POST', path: '/runs', summary: 'Starts a tracked run', params: NoParams, body: TrackedRunCreateRequest, response: TrackedRunSchema }),
  searchRuns: defineEndpoint({ service: 'registry', method: 'POST', path: '/runs/search', summary: 'Tracked runs matching a filter', params: NoParams, body: z.looseObject({ experimentIds: z.array(z.string()).optional(), filter: z.string().optional() }), response: z.looseObject({ runs: z.array(z.looseObject({ runId: z.string() })) }) }),
  getRun: defineEndpoint({ service: 'registry', method: 'GET', path: '/runs/{runId}', summary: 'One tracked run', params: z.object({ runId: z.string() }), response: TrackedRunSchema }),
  updateRun: defineEndpoint({ service: 'registry', method: 'PATCH', path: '/runs/{runId}', summary: 'Sets status / end time (epoch ms) of a tracked run', params: z.object({ runId: z.string() }), body: z.object({ status: z.enum(['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED']).optional(), endTime: z.number().nullable().optional(), runName: z.string().optional() }), response: TrackedRunSchema }),
  logRunBatch: defineEndpoint({ service: 'registry', method: 'POST', path: '/runs/{runId}/log-batch', summary: 'Logs metrics, params and tags atomically', params: z.object({ runId: z.string() }), body: LogBatchRequest, response: TrackedRunSchema }),
  recordRunArtifact: defineEndpoint({ service: 'registry', method: 'POST', path: '/runs/{runId}/artifacts', summary: 'Records an artifact of a run', params: z.object({ runId: z.string() }), body: z.object({ path: z.string(), uri: z.string(), sha256: z.string().nullable().optional(), sizeBytes: z.number().nullable().optional() }), response: Json }),
  metricHistory: defineEndpoint({ service: 'registry', method: 'GET', path: '/runs/{runId}/metrics/{key}/history', summary: 'Every point of a tracked metric, by step then timestamp (limit 1..1000, default 1000; 404 run unknown)', params: z.object({ runId: z.string(), key: z.string() }), query: z.object({ limit: z.number().int().optional() }), response: z.array(MetricPointSchema) }),
  getRunLog: defineEndpoint({ service: 'registry', method: 'GET', path: '/runs/{runId}/log', summary: "The run's log text", params: z.object({ runId: z.string() }), response: z.unknown() }),
  appendRunLog: defineEndpoint({ service: 'registry', method: 'POST', path: '/runs/{runId}/log', summary: "Appends text to the run's log", params: z.object({ runId: z.string() }), body: z.object({ text: z.string() }), response: Json }),
} as const;
