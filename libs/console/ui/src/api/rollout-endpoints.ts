import { z } from 'zod';
import { defineEndpoint, NoParams } from '@strata/contracts/api';

/**
 * The endpoints of the console's rollout, run/search and monitoring-health pages that
 * `@strata/contracts/api` does not declare yet (docs/service-apis.md), declared the same way so
 * they can move into the contracts as they are. The console does not validate answers: the
 * schemas are the shapes the services serialise (see each service's controller doc comment).
 */

/** A rollout of the registry (`RolloutsService.Rollout`); times ISO-8601 UTC. */
export const RolloutSchema = z.looseObject({
  rolloutId: z.string(),
  modelName: z.string(),
  status: z.enum(['active', 'rolled-back', 'promoted', 'ended']),
  mode: z.enum(['canary', 'shadow']),
  championVersion: z.number().int(),
  challengerVersion: z.number().int(),
  /** Canary share of the challenger in [0, 1] (shadow: mirrored, answers not served). */
  challengerWeight: z.number(),
  stickyKey: z.string().nullable(),
  actor: z.string(),
  reason: z.string(),
  startedAt: z.string(),
  updatedAt: z.string(),
  endedBy: z.string().nullable(),
  endReason: z.string().nullable(),
  endedAt: z.string().nullable(),
});
export type Rollout = z.infer<typeof RolloutSchema>;

/** Latency percentiles in seconds (DDSketch, relative error `relativeAccuracy`); null without predictions. */
const Latency = z.looseObject({ p50: z.number().nullable(), p95: z.number().nullable(), p99: z.number().nullable(), relativeAccuracy: z.number() });

/** One side of a live comparison (monitoring `RolloutArm`). */
export const RolloutArmSchema = z.looseObject({
  role: z.enum(['champion', 'challenger']),
  version: z.number().int(),
  requestCount: z.number(),
  predictionCount: z.number(),
  errorCount: z.number(),
  /** errors / (predictions + errors); null when no request. */
  errorRate: z.number().nullable(),
  latencySeconds: Latency,
  /** Labeled predictions the comparison counts (after the challenger's training data cutoff). */
  labeledCount: z.number(),
  unlabeledCount: z.number(),
  /** The declared metric on the compared labeled traffic (null without labels). */
  metricValue: z.number().nullable(),
  excluded: z.looseObject({ predictionCount: z.number(), labeledCount: z.number() }).optional(),
});
export type RolloutArm = z.infer<typeof RolloutArmSchema>;

/** Thresholds of the rollout guard (monitoring `RolloutGuardOptions`; rates in [0, 1], latency in seconds, 0 = ratio check off). */
export const GuardThresholdsSchema = z.looseObject({
  intervalMs: z.number(),
  minRequests: z.number(),
  maxErrorRate: z.number(),
  maxErrorRateRatio: z.number(),
  maxP99Seconds: z.number(),
  maxP99Ratio: z.number(),
  metric: z.string(),
});
export type GuardThresholds = z.infer<typeof GuardThresholdsSchema>;

/** `GET /models/{m}/rollouts/current/comparison` (monitoring `RolloutComparison`). */
export const RolloutComparisonSchema = z.looseObject({
  modelName: z.string(),
  rolloutId: z.string(),
  mode: z.enum(['canary', 'shadow']).nullable(),
  status: z.string(),
  startedAt: z.string(),
  challengerWeight: z.number().nullable(),
  trainingDataCutoff: z.string().nullable(),
  metric: z.looseObject({ name: z.string(), higherIsBetter: z.boolean() }),
  champion: RolloutArmSchema,
  challenger: RolloutArmSchema,
  disparityGate: z.looseObject({ segment: z.string(), metric: z.string(), passed: z.boolean(), reason: z.string() }).nullable().optional(),
  guard: z.looseObject({
    enabled: z.boolean(),
    thresholds: GuardThresholdsSchema.nullable(),
    breaches: z.array(z.string()),
    rollbackRequestedAt: z.string().nullable(),
    rollbackReason: z.string().nullable(),
  }),
});
export type RolloutComparison = z.infer<typeof RolloutComparisonSchema>;

/** `GET /auth/whoami` (every service): the caller and the permissions its roles grant (`null`: auth off, all allowed). */
export const WhoAmISchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  via: z.string(),
  roles: z.array(z.string()),
  projects: z.array(z.string()).nullable(),
  authEnforced: z.boolean(),
  permissions: z.array(z.string()).nullable(),
});
export type WhoAmI = z.infer<typeof WhoAmISchema>;

/** `GET /models/{m}/health` row of monitoring: per window, version and alias. */
export const HealthRowSchema = z.looseObject({
  windowStart: z.string(),
  windowEnd: z.string(),
  modelVersion: z.union([z.number(), z.string()]),
  alias: z.string(),
  requestCount: z.number(),
  predictionCount: z.number(),
  errorCount: z.number(),
  errorRate: z.number().nullable(),
  latencySeconds: Latency,
});
export type HealthRow = z.infer<typeof HealthRowSchema>;

const Model = z.object({ name: z.string() });
const Reason = z.object({ reason: z.string() });

/** Rollout reads and actions of the registry, the live comparison and health of monitoring, the caller's permissions. */
export const RolloutEndpoints = {
  listRollouts: defineEndpoint({ service: 'registry', method: 'GET', path: '/models/{name}/rollouts', summary: 'Every rollout of a model, newest first', params: Model, response: z.array(RolloutSchema) }),
  promote: defineEndpoint({ service: 'registry', method: 'POST', path: '/models/{name}/rollouts/current/promote', summary: 'Promotes the challenger and ends the active rollout (404 none; 409 changed meanwhile)', params: Model, body: Reason, response: RolloutSchema }),
  rollback: defineEndpoint({ service: 'registry', method: 'POST', path: '/models/{name}/rollouts/current/rollback', summary: 'Rolls the active rollout back (404 none; 409 changed meanwhile)', params: Model, body: Reason, response: RolloutSchema }),
  comparison: defineEndpoint({ service: 'monitoring', method: 'GET', path: '/models/{model}/rollouts/current/comparison', summary: 'Champion vs challenger of the active rollout on live traffic (404 none)', params: z.object({ model: z.string() }), response: RolloutComparisonSchema }),
  health: defineEndpoint({ service: 'monitoring', method: 'GET', path: '/models/{model}/health', summary: 'Latency percentiles and error rate per window, version and alias', params: z.object({ model: z.string() }), query: z.object({ window: z.enum(['day', 'week', 'month']).optional(), version: z.number().int().optional() }), response: z.array(HealthRowSchema) }),
  whoami: defineEndpoint({ service: 'registry', method: 'GET', path: '/auth/whoami', summary: 'The caller and its permissions', params: NoParams, response: WhoAmISchema }),
} as const;
