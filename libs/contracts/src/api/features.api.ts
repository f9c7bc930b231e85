import { z } from 'zod';
import { defineEndpoint, NoParams } from './define-endpoint';

/** Features HTTP API (docs/service-apis.md, "features"). */

export const JobStatusSchema = z.enum(['RUNNING', 'SUCCEEDED', 'FAILED']);

/** A training set build (`POST /training-sets` → 202, `GET /training-sets/{id}`). */
export const TrainingSetBuildSchema = z.looseObject({
  id: z.string(),
  trainingSet: z.string(),
  status: JobStatusSchema,
  uri: z.string().nullable(),
  sha256: z.string().nullable(),
  rowCount: z.number().int().nullable(),
  /** Output columns with their role: `join_key`, `event_timestamp`, `feature`, `label` or `extra`. */
  columns: z.array(z.object({ name: z.string(), dtype: z.string(), role: z.enum(['join_key', 'event_timestamp', 'feature', 'label', 'extra']) })).nullable(),
  featureRefs: z.array(z.string()),
  /** Feature views joined, pinned to the materializations whose offline files were read. */
  featureViews: z.array(z.object({ name: z.string(), materializationId: z.string().optional(), materializationIds: z.array(z.string()).optional() })),
  datasetVersions: z.array(z.object({ datasetName: z.string(), versionId: z.string(), contentSha256: z.string() })),
  error: z.string().optional(),
  createdAt: z.string(),
  completedAt: z.string().nullable(),
});
export type TrainingSetBuild = z.infer<typeof TrainingSetBuildSchema>;

/** One materialization run. Times ISO-8601 UTC. */
export const MaterializationSchema = z.looseObject({
  id: z.string(),
  featureView: z.string(),
  status: JobStatusSchema,
  /** `full`, `range`, `incremental` or `push`. */
  mode: z.enum(['full', 'range', 'incremental', 'push']),
  rowCount: z.number().int().nullable(),
  onlineRowCount: z.number().int().nullable(),
  offlineUri: z.string().nullable(),
  offlineSha256: z.string().nullable(),
  startTime: z.string(),
  endTime: z.string(),
  minEventTime: z.string().nullable(),
  maxEventTime: z.string().nullable(),
  datasetVersions: z.array(z.object({ datasetName: z.string(), versionId: z.string(), contentSha256: z.string() })),
  trigger: z.string().nullable(),
  error: z.string().nullable(),
  startedAt: z.string(),
  completedAt: z.string().nullable(),
});
export type Materialization = z.infer<typeof MaterializationSchema>;

/** `GET /feature-views`: batch and on-demand views (the fields serving reads; others pass through). */
export const FeatureViewSummarySchema = z.looseObject({
  kind: z.string().optional(),
  name: z.string(),
  features: z.array(z.looseObject({ name: z.string(), dtype: z.string().optional() })),
  entities: z.array(z.string()).optional(),
  requestSchema: z.array(z.looseObject({ name: z.string(), dtype: z.string() })).optional(),
  /** Batch views: max age of a feature row, seconds (0: no limit), and the dataset the view reads. */
  ttlSeconds: z.number().optional(),
  source: z.looseObject({ datasetName: z.string() }).optional(),
  description: z.string().optional(),
});

export type FeatureViewSummary = z.infer<typeof FeatureViewSummarySchema>;

/** `POST /get-online-features` answer (Feast's shape). */
export const OnlineFeaturesResponseSchema = z.looseObject({
  metadata: z.looseObject({ feature_names: z.array(z.string()) }),
  results: z.array(z.looseObject({ values: z.array(z.unknown()), statuses: z.array(z.string()), event_timestamps: z.array(z.unknown()).optional() })),
});
export type OnlineFeaturesResponse = z.infer<typeof OnlineFeaturesResponseSchema>;

/** `GET /feature-views/{name}/watermark`: how far a batch view is materialized (times ISO-8601 UTC). */
export const WatermarkSchema = z.looseObject({
  featureView: z.string(),
  /** Newest event time materialized by a SUCCEEDED batch run. */
  maxEventTime: z.string().nullable(),
  /** End (exclusive) of the event time covered: the next incremental start. */
  materializedUntil: z.string().nullable(),
  materializationId: z.string(),
  updatedAt: z.string(),
});
export type Watermark = z.infer<typeof WatermarkSchema>;

/** `GET /entities` item. */
export const EntitySchema = z.looseObject({ name: z.string(), joinKey: z.string(), valueType: z.string(), description: z.string().optional() });
export type Entity = z.infer<typeof EntitySchema>;

/** `GET /feature-services` item: feature references `view:feature`, in output order. */
export const FeatureServiceSchema = z.looseObject({ name: z.string(), features: z.array(z.string()), description: z.string().optional() });
export type FeatureService = z.infer<typeof FeatureServiceSchema>;

const DatasetVersionInput = z.object({ datasetName: z.string(), versionId: z.string() });

/** What apply did (or plan would do) to one registry object; `retained`: absent from the documents but kept (no `allowDeletes`). */
export const RepoChangeSchema = z.looseObject({
  kind: z.string(),
  name: z.string(),
  action: z.enum(['create', 'update', 'delete', 'unchanged']),
  retained: z.boolean().optional(),
});
export type RepoChange = z.infer<typeof RepoChangeSchema>;

const Named = z.looseObject({ name: z.string() });

/**
 * Answer of `POST /feature-repo/plan` and `/feature-repo/apply`: the definitions parsed from the
 * documents (as the registry stores them) and one change per object of the registry.
 */
export const RepoPlanSchema = z.looseObject({
  entities: z.array(EntitySchema),
  featureViews: z.array(Named),
  onDemandFeatureViews: z.array(Named),
  trainingSets: z.array(Named),
  featureServices: z.array(FeatureServiceSchema),
  pushSources: z.array(Named),
  changes: z.array(RepoChangeSchema),
});
export type RepoPlan = z.infer<typeof RepoPlanSchema>;

const FeatureRepoBody = z.object({ documents: z.array(z.object({ file: z.string(), content: z.string() })), allowDeletes: z.boolean().optional() });

/** Answer of `POST /materializations` when an incremental run has nothing to do (no run is recorded). */
export const MaterializationUpToDateSchema = z.looseObject({ featureView: z.string(), status: z.literal('UP_TO_DATE'), materializedUntil: z.string().nullable() });
export type MaterializationUpToDate = z.infer<typeof MaterializationUpToDateSchema>;

/** Answer of `POST /materializations`: the run (SUCCEEDED or FAILED), or UP_TO_DATE. */
export const MaterializeResponseSchema = z.union([MaterializationSchema, MaterializationUpToDateSchema]);
export type MaterializeResponse = z.infer<typeof MaterializeResponseSchema>;

/** The features endpoints called by other services, the CLI and tests. */
export const FeaturesApi = {
  planFeatureRepo: defineEndpoint({ service: 'features', method: 'POST', path: '/feature-repo/plan', summary: 'What applying feature repo documents would change (writes nothing; 400 names file, document and field)', params: NoParams, body: FeatureRepoBody, response: RepoPlanSchema }),
  applyFeatureRepo: defineEndpoint({ service: 'features', method: 'POST', path: '/feature-repo/apply', summary: 'Applies feature repo documents (idempotent; deletes only with allowDeletes)', params: NoParams, body: FeatureRepoBody, response: RepoPlanSchema }),
  listFeatureViews: defineEndpoint({ service: 'features', method: 'GET', path: '/feature-views', summary: 'Every feature view', params: NoParams, response: z.array(FeatureViewSummarySchema) }),
  getOnlineFeatures: defineEndpoint({
    service: 'features',
    method: 'POST',
    path: '/get-online-features',
    summary: 'Online feature values of entities (Feast-compatible)',
    params: NoParams,
    body: z.looseObject({ features: z.array(z.string()).optional(), feature_service: z.string().optional(), entities: z.record(z.string(), z.array(z.unknown())), full_feature_names: z.boolean().optional(), as_of: z.string().optional(), request_data: z.record(z.string(), z.array(z.unknown())).optional() }),
    response: OnlineFeaturesResponseSchema,
  }),
  getWatermark: defineEndpoint({ service: 'features', method: 'GET', path: '/feature-views/{name}/watermark', summary: "A batch view's watermark (404 before its first SUCCEEDED run)", params: z.object({ name: z.string() }), response: WatermarkSchema }),
  listEntities: defineEndpoint({ service: 'features', method: 'GET', path: '/entities', summary: 'Every entity', params: NoParams, response: z.array(EntitySchema) }),
  listFeatureServices: defineEndpoint({ service: 'features', method: 'GET', path: '/feature-services', summary: 'Every feature service', params: NoParams, response: z.array(FeatureServiceSchema) }),
  materialize: defineEndpoint({
    service: 'features',
    method: 'POST',
    path: '/materializations',
    summary: 'Materializes a batch feature view: full, a time range [start, end), or incrementally from its watermark (default)',
    params: NoParams,
    body: z.object({ featureView: z.string(), mode: z.enum(['full', 'range', 'incremental']).optional(), start: z.string().optional(), end: z.string().optional() }),
    response: MaterializeResponseSchema,
  }),
  listMaterializations: defineEndpoint({ service: 'features', method: 'GET', path: '/materializations', summary: 'Materialization runs', params: NoParams, query: z.object({ featureView: z.string().optional(), datasetVersion: z.string().optional() }), response: z.array(MaterializationSchema) }),
  startTrainingSet: defineEndpoint({ service: 'features', method: 'POST', path: '/training-sets', summary: 'Starts a training set build (202)', params: NoParams, body: z.object({ trainingSet: z.string(), datasetVersions: z.array(DatasetVersionInput), featureService: z.string().optional(), outputKey: z.string().optional() }), response: TrainingSetBuildSchema }),
  getTrainingSet: defineEndpoint({ service: 'features', method: 'GET', path: '/training-sets/{id}', summary: 'One training set build', params: z.object({ id: z.string() }), response: TrainingSetBuildSchema }),
} as const;
