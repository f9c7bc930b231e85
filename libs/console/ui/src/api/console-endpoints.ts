import { z } from 'zod';
import { FeaturesApi, IngestionApi, MonitoringApi, platformApi, RegistryApi, TrainingApi } from '@strata/contracts/api';

/** `GET /health/ready` of a service (200 ok / 503 naming what is down). */
export const ReadinessSchema = z.looseObject({
  status: z.string(),
  checks: z.record(z.string(), z.looseObject({ status: z.string(), error: z.string().optional() })).optional(),
});
export type Readiness = z.infer<typeof ReadinessSchema>;

/** Every endpoint the console calls, by view: all declared in `@strata/contracts/api` (the tables the services and the CLI use). */
export const Endpoints = {
  listModels: RegistryApi.listModels,
  getModel: RegistryApi.getModel,
  getModelVersion: RegistryApi.getModelVersion,
  listVersions: RegistryApi.listVersions,
  listDecisions: RegistryApi.listDecisions,
  aliasHistory: RegistryApi.aliasHistory,
  windows: MonitoringApi.windows,
  fairness: MonitoringApi.fairness,
  getDatasetVersion: IngestionApi.getDatasetVersion,
  getTrainingRun: TrainingApi.getTrainingRun,
  // data pages
  listDatasets: IngestionApi.listDatasets,
  listDatasetVersions: IngestionApi.listDatasetVersions,
  listFeatureViews: FeaturesApi.listFeatureViews,
  getWatermark: FeaturesApi.getWatermark,
  listMaterializations: FeaturesApi.listMaterializations,
  listEntities: FeaturesApi.listEntities,
  listFeatureServices: FeaturesApi.listFeatureServices,
  // rollouts
  listRollouts: RegistryApi.listRollouts,
  promoteRollout: RegistryApi.promoteRollout,
  rollbackRollout: RegistryApi.rollbackRollout,
  rolloutComparison: MonitoringApi.rolloutComparison,
  // runs and searches
  listTrainingRuns: TrainingApi.listTrainingRuns,
  trainingRunLogs: TrainingApi.trainingRunLogs,
  listTrainingSearches: TrainingApi.listTrainingSearches,
  getTrainingSearch: TrainingApi.getTrainingSearch,
  searchExperiments: RegistryApi.searchExperiments,
  searchTrackedRuns: RegistryApi.searchRuns,
  metricHistory: RegistryApi.metricHistory,
  // the caller's permissions (any service answers; the registry is asked)
  whoami: platformApi('registry').whoami,
} as const;
