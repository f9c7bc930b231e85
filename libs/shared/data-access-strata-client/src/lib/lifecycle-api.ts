import type { Readable } from 'node:stream';
import type {
  BatchScoringJob,
  Dataset,
  EndpointInput,
  FairnessWindow,
  FeedbackItemInput,
  FeaturesApi,
  FeatureViewSummary,
  HealthRow,
  MaterializeResponse,
  MonitoringApi,
  OnlineFeaturesResponse,
  Prediction,
  PromotionDecision,
  RegisteredModel,
  RegisteredModelDetail,
  RepoPlan,
  Rollout,
  RolloutComparison,
  SegmentConfigView,
  SegmentWindow,
  StartBatchScoringResponse,
  StartTrainingSearchResponse,
  TrainingRunLogs,
  TrainingSearch,
  UploadStatus,
} from '@strata/contracts/api';
import type { DatasetVersion, DatasetVersionRef, ModelVersion, MonitoringWindow, StrataClient, TrainingRun, TrainingSetBuild } from './strata-client';

// Response types are declared once, in the API contracts (inferred from their zod schemas).
export type {
  BatchScoringJob,
  FairnessWindow,
  HealthRow,
  MaterializeResponse,
  Prediction,
  RegisteredModel,
  RepoPlan,
  Rollout,
  RolloutComparison,
  SegmentConfigView,
  SegmentWindow,
  StartBatchScoringResponse,
  StartTrainingSearchResponse,
  UploadStatus,
} from '@strata/contracts/api';

const enc = encodeURIComponent;

/**
 * The lifecycle endpoints the `strata` CLI needs beyond {@link StrataClient}'s own methods. Each
 * method calls its contract endpoint (`client.api.<service>.<endpoint>`, `@strata/contracts/api`),
 * so request and response types are declared once there; only raw-body / CSV endpoints (dataset
 * upload, quarantine CSV) use the per-service `ServiceClient`s directly. Same credential,
 * same `StrataHttpError` / `StrataUnreachableError` as the client.
 */
export class StrataLifecycleApi {
  constructor(readonly client: StrataClient) {}

  // ingestion
  /** `GET /datasets` (contract `IngestionApi.listDatasets`): every dataset, by name. */
  listDatasets(): Promise<Dataset[]> {
    return this.client.api.ingestion.listDatasets({});
  }
  /** `GET /datasets/{name}/versions` (contract `IngestionApi.listDatasetVersions`): oldest first. */
  listDatasetVersions(name: string): Promise<DatasetVersion[]> {
    return this.client.api.ingestion.listDatasetVersions({ params: { name } });
  }
  /** `GET /datasets/{name}/versions/{id}` (contract `IngestionApi.getDatasetVersion`). */
  getDatasetVersion(name: string, versionId: string): Promise<DatasetVersion> {
    return this.client.api.ingestion.getDatasetVersion({ params: { name, versionId } });
  }
  /** Streams `body` as a new version (`POST /datasets/{name}/versions`, raw body with the socket's backpressure: bounded memory; answers once ingested). */
  uploadDataset(name: string, body: Readable, query: { format: string; policy?: string; uploadId: string }): Promise<DatasetVersion> {
    const contentType = { csv: 'text/csv', ndjson: 'application/x-ndjson', parquet: 'application/vnd.apache.parquet' }[query.format] ?? 'application/octet-stream';
    return this.client.ingestion
      .request<DatasetVersion>('POST', `/datasets/${enc(name)}/versions`, { raw: { body, contentType }, query, timeoutMs: 3_600_000 })
      .then((r) => r.body);
  }
  /** `GET /uploads/{id}` (contract `IngestionApi.getUpload`): progress of a streamed upload (5 s deadline). */
  getUpload(uploadId: string): Promise<UploadStatus> {
    return this.client.api.ingestion.getUpload({ params: { id: uploadId } }, { timeoutMs: 5000 });
  }
  /** Quarantined rows of an upload whose accepted rows were an existing version's, as CSV text (`GET /datasets/{name}/quarantines/{id}?format=csv`). */
  quarantineCsvById(name: string, quarantineId: string): Promise<string> {
    return this.client.ingestion.get(`/datasets/${enc(name)}/quarantines/${enc(quarantineId)}`, { query: { format: 'csv' }, headers: { accept: 'text/csv' } });
  }
  /** Quarantined rows of a version as CSV text (`GET …/quarantine?format=csv`). */
  quarantineCsv(name: string, versionId: string): Promise<string> {
    return this.client.ingestion.get(`/datasets/${enc(name)}/versions/${enc(versionId)}/quarantine`, { query: { format: 'csv' }, headers: { accept: 'text/csv' } });
  }

  // features
  /** `POST /feature-repo/plan` (contract `FeaturesApi.planFeatureRepo`): the definitions and what apply would change (writes nothing). */
  planFeatureRepo(documents: Array<{ file: string; content: string }>, allowDeletes = false): Promise<RepoPlan> {
    return this.client.api.features.planFeatureRepo({ body: { documents, allowDeletes } });
  }
  /** `POST /materializations` (contract `FeaturesApi.materialize`; 30 min deadline): the run, or `UP_TO_DATE`. */
  materialize(body: EndpointInput<typeof FeaturesApi.materialize>['body']): Promise<MaterializeResponse> {
    return this.client.api.features.materialize({ body }, { timeoutMs: 1_800_000 });
  }
  /** `GET /feature-views` (contract `FeaturesApi.listFeatureViews`): batch and on-demand views. */
  listFeatureViews(): Promise<FeatureViewSummary[]> {
    return this.client.api.features.listFeatureViews({});
  }
  /** `POST /get-online-features` (contract `FeaturesApi.getOnlineFeatures`, Feast's shape). */
  getOnlineFeatures(body: EndpointInput<typeof FeaturesApi.getOnlineFeatures>['body']): Promise<OnlineFeaturesResponse> {
    return this.client.api.features.getOnlineFeatures({ body });
  }
  /** `POST /training-sets` (contract `FeaturesApi.startTrainingSet`): the build, RUNNING (202). */
  startTrainingSet(trainingSet: string, datasetVersions: DatasetVersionRef[], featureService?: string): Promise<TrainingSetBuild> {
    return this.client.api.features.startTrainingSet({ body: { trainingSet, datasetVersions, ...(featureService ? { featureService } : {}) } });
  }

  // training
  /** `GET /training-runs?modelName=&limit=` (contract `TrainingApi.listTrainingRuns`): newest first. */
  listTrainingRuns(query: { modelName?: string; limit?: number }): Promise<TrainingRun[]> {
    return this.client.api.training.listTrainingRuns({ query });
  }
  /** `GET /training-runs/{id}/logs?attempt=` (contract `TrainingApi.trainingRunLogs`): the captured chunks, oldest first, and their text. */
  trainingRunLogs(runId: string, attempt?: number): Promise<TrainingRunLogs> {
    return this.client.api.training.trainingRunLogs({ params: { runId }, query: { attempt } });
  }
  /** `POST /training-searches` (contract `TrainingApi.startTrainingSearch`): the search id and one `{ runId, params }` per trial. */
  startSearch(body: Record<string, unknown>): Promise<StartTrainingSearchResponse> {
    return this.client.api.training.startTrainingSearch({ body });
  }
  /** `GET /training-searches/{id}` (contract `TrainingApi.getTrainingSearch`): the search with its trials. */
  getSearch(searchId: string): Promise<TrainingSearch> {
    return this.client.api.training.getTrainingSearch({ params: { searchId } });
  }

  // registry
  /** `GET /registered-models?search=&limit=` (first page; name substring search). */
  async listModels(query: { search?: string; limit?: number } = {}): Promise<RegisteredModel[]> {
    return (await this.client.api.registry.listModels({ query })).registeredModels;
  }
  /** `GET /registered-models/{m}` (contract `RegistryApi.getModel`): the model with its 5 newest versions. */
  getModel(name: string): Promise<RegisteredModelDetail> {
    return this.client.api.registry.getModel({ params: { name } });
  }
  /** `GET /registered-models/{m}/versions?limit=` (contract `RegistryApi.listVersions`; first page, newest first). */
  async listModelVersions(name: string, limit = 100): Promise<ModelVersion[]> {
    return (await this.client.api.registry.listVersions({ params: { name }, query: { limit } })).modelVersions;
  }
  /** `GET /registered-models/{m}/promotion-decisions` (contract `RegistryApi.listDecisions`; first page, newest first). */
  async listPromotionDecisions(name: string, limit = 100): Promise<PromotionDecision[]> {
    return (await this.client.api.registry.listDecisions({ params: { name }, query: { limit } })).decisions;
  }
  /** `GET /registered-models/{m}/versions/{v}` (contract `RegistryApi.getModelVersion`). */
  getModelVersion(name: string, version: number): Promise<ModelVersion> {
    return this.client.api.registry.getModelVersion({ params: { name, version } });
  }
  /** `POST /models/{m}/rollouts` (contract `RegistryApi.startRollout`): the started rollout (409 when one is active). */
  startRollout(model: string, body: { mode: 'canary' | 'shadow'; challengerVersion?: number; challengerWeight?: number; stickyKey?: string; reason?: string }): Promise<Rollout> {
    return this.client.api.registry.startRollout({ params: { name: model }, body });
  }
  /** `GET /models/{m}/rollouts/current` (contract `RegistryApi.getCurrentRollout`; 404 when none). */
  currentRollout(model: string): Promise<Rollout> {
    return this.client.api.registry.getCurrentRollout({ params: { name: model } });
  }
  /** `POST /models/{m}/rollouts/current/promote|rollback` (contract `RegistryApi.promoteRollout` / `rollbackRollout`): the ended rollout. */
  endRollout(model: string, how: 'promote' | 'rollback', reason: string): Promise<Rollout> {
    const input = { params: { name: model }, body: { reason } };
    return how === 'promote' ? this.client.api.registry.promoteRollout(input) : this.client.api.registry.rollbackRollout(input);
  }

  // serving
  /** `POST /models/{m}/predict` (contract `ServingApi.predict`): probability, features and their statuses. */
  predict(model: string, body: { entities: Record<string, unknown>; request?: Record<string, unknown>; eventTime?: string; predictionId?: string }): Promise<Prediction> {
    return this.client.api.serving.predict({ params: { model }, body });
  }
  /** `POST /batch-scoring-jobs` (contract `ServingApi.startBatchScoring`): the job id and workflow (202). */
  startBatchScoring(body: Record<string, unknown>): Promise<StartBatchScoringResponse> {
    return this.client.api.serving.startBatchScoring({ body });
  }
  /** `GET /batch-scoring-jobs/{id}` (contract `ServingApi.getBatchScoringJob`). */
  getBatchScoring(jobId: string): Promise<BatchScoringJob> {
    return this.client.api.serving.getBatchScoringJob({ params: { jobId } });
  }

  // monitoring
  /** `GET /models/{m}/windows?window=&version=&alias=&size=` (contract `MonitoringApi.windows`): drift and performance per window. */
  windows(model: string, query: EndpointInput<typeof MonitoringApi.windows>['query']): Promise<MonitoringWindow[]> {
    return this.client.api.monitoring.windows({ params: { model }, query });
  }
  /** `GET /models/{m}/health?window=&version=` (contract `MonitoringApi.health`): per window, version and alias; latency in seconds. */
  health(model: string, query: { window?: 'day' | 'week' | 'month'; version?: number }): Promise<HealthRow[]> {
    return this.client.api.monitoring.health({ params: { model }, query });
  }
  /** `GET /models/{m}/segments?window=&version=&size=` (contract `MonitoringApi.segments`): per window, per segment value: rates and performance. */
  segments(model: string, query: EndpointInput<typeof MonitoringApi.segments>['query']): Promise<SegmentWindow[]> {
    return this.client.api.monitoring.segments({ params: { model }, query });
  }
  /** `GET /models/{m}/fairness?window=&version=&size=` (contract `MonitoringApi.fairness`): per window, per segment: group rates and disparity metrics. */
  fairness(model: string, query: EndpointInput<typeof MonitoringApi.fairness>['query']): Promise<FairnessWindow[]> {
    return this.client.api.monitoring.fairness({ params: { model }, query });
  }
  /**
   * `PUT /models/{m}/segments/config` body `{ segments: [{ name, field?, buckets?, values? }] (1..8), topN?, minCount?,
   * thresholds?, gate? }` → the stored config (+ `modelName`, `updatedBy`, `updatedAt`); 400 names the bad field.
   * Applies to predictions and labels aggregated from then on.
   */
  putSegmentConfig(model: string, config: unknown): Promise<SegmentConfigView> {
    return this.client.api.monitoring.putSegmentConfig({ params: { model }, body: config });
  }
  /** `GET /models/{m}/segments/config` (contract `MonitoringApi.getSegmentConfig`) → the stored config; 404 when the model has none. */
  segmentConfig(model: string): Promise<SegmentConfigView> {
    return this.client.api.monitoring.getSegmentConfig({ params: { model } });
  }
  /** `GET /models/{m}/rollouts/current/comparison` (contract `MonitoringApi.rolloutComparison`): champion vs challenger on live traffic; 404 without an active rollout. */
  rolloutComparison(model: string): Promise<RolloutComparison> {
    return this.client.api.monitoring.rolloutComparison({ params: { model } });
  }
  /** `POST /feedback` (contract `MonitoringApi.sendFeedback`): ground-truth labels (0 or 1; 400 names any other) → `{ accepted }`. */
  feedback(items: Array<{ predictionId: string; modelName: string; label: number; observedAt: string }>): Promise<{ accepted: number }> {
    return this.client.api.monitoring.sendFeedback({ body: items as FeedbackItemInput[] });
  }
}
