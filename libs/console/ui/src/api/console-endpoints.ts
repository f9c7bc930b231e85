import { z } from 'zod';
import { defineEndpoint, IngestionApi, ModelVersionSchema, MonitoringApi, PromotionDecisionSchema, RegisteredModelSchema, RegistryApi, TrainingApi } from '@strata/contracts/api';

/** `GET /registered-models/{name}/aliases/{alias}/history` item (registry `AliasChange`). */
export const AliasChangeSchema = z.looseObject({
  id: z.number(),
  alias: z.string(),
  fromVersion: z.number().nullable(),
  toVersion: z.number().nullable(),
  actor: z.string(),
  reason: z.string(),
  changedAt: z.string(),
});
export type AliasChange = z.infer<typeof AliasChangeSchema>;

/** `GET /health/ready` of a service (200 ok / 503 naming what is down). */
export const ReadinessSchema = z.looseObject({
  status: z.string(),
  checks: z.record(z.string(), z.looseObject({ status: z.string(), error: z.string().optional() })).optional(),
});
export type Readiness = z.infer<typeof ReadinessSchema>;

const Model = z.object({ name: z.string() });
const Page = z.object({ limit: z.number().int().optional(), pageToken: z.string().optional() });

/**
 * The registry endpoints the console reads that `RegistryApi` does not declare yet (docs/service-apis.md,
 * "registry"); declared the same way, so they can move into `@strata/contracts/api` as they are.
 */
export const ConsoleRegistryApi = {
  getModel: defineEndpoint({ service: 'registry', method: 'GET', path: '/registered-models/{name}', summary: 'One registered model', params: Model, response: RegisteredModelSchema }),
  listVersions: defineEndpoint({ service: 'registry', method: 'GET', path: '/registered-models/{name}/versions', summary: 'Versions, newest first', params: Model, query: Page, response: z.object({ modelVersions: z.array(ModelVersionSchema), nextPageToken: z.string().optional() }) }),
  listDecisions: defineEndpoint({ service: 'registry', method: 'GET', path: '/registered-models/{name}/promotion-decisions', summary: 'Promotion decisions, newest first', params: Model, query: Page, response: z.object({ decisions: z.array(PromotionDecisionSchema), nextPageToken: z.string().optional() }) }),
  aliasHistory: defineEndpoint({ service: 'registry', method: 'GET', path: '/registered-models/{name}/aliases/{alias}/history', summary: 'Changes of an alias, newest first', params: z.object({ name: z.string(), alias: z.string() }), response: z.array(AliasChangeSchema) }),
} as const;

/** Every endpoint the console calls, by view. */
export const Endpoints = {
  listModels: RegistryApi.listModels,
  getModelVersion: RegistryApi.getModelVersion,
  ...ConsoleRegistryApi,
  windows: MonitoringApi.windows,
  fairness: MonitoringApi.fairness,
  getDatasetVersion: IngestionApi.getDatasetVersion,
  getTrainingRun: TrainingApi.getTrainingRun,
} as const;
