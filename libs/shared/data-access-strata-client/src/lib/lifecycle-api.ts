import type { Readable } from 'node:stream';
import type { PromotionDecision, RegisteredModelDetail, TrainingRunLogs, TrainingSearch } from '@strata/contracts/api';
import type { DatasetVersion, DatasetVersionRef, Materialization, ModelVersion, MonitoringWindow, StrataClient, TrainingRun, TrainingSetBuild } from './strata-client';

/**
 * The lifecycle endpoints the `strata` CLI needs beyond {@link StrataClient}'s own methods
 * (docs/service-apis.md is the contract of every path here). Built on the client's public
 * per-service {@link HttpJsonClient}s, so it sends the same credential and throws the same
 * `StrataHttpError` / `StrataUnreachableError`.
 */

/** `GET /uploads/{id}` of ingestion (streamed upload progress). */
export interface UploadStatus {
  id: string;
  state: 'receiving' | 'ingesting' | 'done' | 'failed';
  bytesReceived: number;
  rowsReceived: number | null;
  percent: number | null;
  versionId: string | null;
  rowsAccepted: number | null;
  rowsInvalid: number | null;
  error: string | null;
}

/** A registered model (`GET /registered-models`): `aliases` maps alias → version. */
export interface RegisteredModelSummary {
  name: string;
  description: string | null;
  latestVersion: number;
  aliases: Record<string, number>;
  createdAt: string;
  updatedAt: string;
}

/** A rollout as the registry returns it (`/models/{m}/rollouts`). */
export interface Rollout {
  rolloutId: string;
  modelName: string;
  status: string;
  mode: 'canary' | 'shadow';
  championVersion: number;
  challengerVersion: number;
  challengerWeight: number;
  stickyKey: string | null;
  actor: string;
  reason: string;
  startedAt: string;
  endedAt: string | null;
  endReason: string | null;
}

/** A batch scoring job of serving (`/batch-scoring-jobs`). */
export interface BatchScoringJob {
  jobId: string;
  status: 'PENDING' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';
  modelName: string;
  modelVersion: number | null;
  progress: { rowsDone: number; rowsTotal: number | null } | null;
  outputUri: string | null;
  rowCount: number | null;
  errorCode: string | null;
  error: string | null;
}

/** One row of `GET /models/{m}/health` (monitoring), latency in seconds. */
export interface HealthWindow {
  windowStart: string;
  windowEnd: string;
  modelVersion: number | string;
  alias: string;
  requestCount: number;
  predictionCount: number;
  errorCount: number;
  errorRate: number | null;
  latencySeconds: { p50: number | null; p95: number | null; p99: number | null };
}

/** Answer of `POST /models/{m}/predict` (serving). */
export interface Prediction {
  predictionId: string;
  modelName: string;
  modelVersion: number;
  probability: number;
  features: Record<string, unknown>;
  featureStatuses: Record<string, string>;
}

/** A model's segment / fairness config as monitoring stores it (`/models/{m}/segments/config`, docs/service-apis.md). */
export interface SegmentConfigView {
  modelName: string;
  segments: Array<{ name: string; field?: string; buckets?: number[]; values?: string[] }>;
  topN: number;
  minCount: number;
  thresholds: Record<string, number>;
  gate: { segment: string; metric: string; maxWidening: number } | null;
  updatedBy: string;
  /** ISO-8601 UTC */
  updatedAt: string;
}

const enc = encodeURIComponent;

export class StrataLifecycleApi {
  constructor(readonly client: StrataClient) {}

  // ingestion
  listDatasets(): Promise<Array<Record<string, unknown>>> {
    return this.client.ingestion.get('/datasets');
  }
  listDatasetVersions(name: string): Promise<DatasetVersion[]> {
    return this.client.ingestion.get(`/datasets/${enc(name)}/versions`);
  }
  getDatasetVersion(name: string, versionId: string): Promise<DatasetVersion> {
    return this.client.ingestion.get(`/datasets/${enc(name)}/versions/${enc(versionId)}`);
  }
  /** Streams `body` as a new version (`POST /datasets/{name}/versions`, raw body with the socket's backpressure: bounded memory; answers once ingested). */
  uploadDataset(name: string, body: Readable, query: { format: string; policy?: string; uploadId: string }): Promise<DatasetVersion> {
    const contentType = { csv: 'text/csv', ndjson: 'application/x-ndjson', parquet: 'application/vnd.apache.parquet' }[query.format] ?? 'application/octet-stream';
    return this.client.ingestion
      .request<DatasetVersion>('POST', `/datasets/${enc(name)}/versions`, { raw: { body, contentType }, query, timeoutMs: 3_600_000 })
      .then((r) => r.body);
  }
  getUpload(uploadId: string): Promise<UploadStatus> {
    return this.client.ingestion.get(`/uploads/${enc(uploadId)}`, { timeoutMs: 5000 });
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
  planFeatureRepo(documents: Array<{ file: string; content: string }>, allowDeletes = false): Promise<{ changes?: Array<{ kind: string; name: string; action: string }> }> {
    return this.client.features.post('/feature-repo/plan', { documents, allowDeletes });
  }
  materialize(body: { featureView: string; mode?: string; start?: string; end?: string }): Promise<Materialization & { mode?: string }> {
    return this.client.features.post('/materializations', body, { timeoutMs: 1_800_000 });
  }
  listFeatureViews(): Promise<Array<Record<string, unknown>>> {
    return this.client.features.get('/feature-views');
  }
  getOnlineFeatures(body: Record<string, unknown>): Promise<{ metadata: { feature_names: string[] }; results: Array<{ values: unknown[]; statuses: string[]; event_timestamps: string[] }> }> {
    return this.client.features.post('/get-online-features', body);
  }
  startTrainingSet(trainingSet: string, datasetVersions: DatasetVersionRef[], featureService?: string): Promise<TrainingSetBuild> {
    return this.client.features.post('/training-sets', { trainingSet, datasetVersions, ...(featureService ? { featureService } : {}) });
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
  startSearch(body: Record<string, unknown>): Promise<{ searchId: string; trials: Array<{ runId: string; params: Record<string, unknown> }> }> {
    return this.client.training.post('/training-searches', body);
  }
  /** `GET /training-searches/{id}` (contract `TrainingApi.getTrainingSearch`): the search with its trials. */
  getSearch(searchId: string): Promise<TrainingSearch> {
    return this.client.api.training.getTrainingSearch({ params: { searchId } });
  }

  // registry
  /** `GET /registered-models?search=&limit=` (first page; name substring search). */
  async listModels(query: { search?: string; limit?: number } = {}): Promise<RegisteredModelSummary[]> {
    return (await this.client.registry.get<{ registeredModels: RegisteredModelSummary[] }>('/registered-models', { query })).registeredModels;
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
  getModelVersion(name: string, version: number): Promise<ModelVersion> {
    return this.client.registry.get(`/registered-models/${enc(name)}/versions/${version}`);
  }
  startRollout(model: string, body: { mode: 'canary' | 'shadow'; challengerVersion?: number; challengerWeight?: number; stickyKey?: string; reason?: string }): Promise<Rollout> {
    return this.client.registry.post(`/models/${enc(model)}/rollouts`, body);
  }
  currentRollout(model: string): Promise<Rollout> {
    return this.client.registry.get(`/models/${enc(model)}/rollouts/current`);
  }
  endRollout(model: string, how: 'promote' | 'rollback', reason: string): Promise<Rollout> {
    return this.client.registry.post(`/models/${enc(model)}/rollouts/current/${how}`, { reason });
  }

  // serving
  predict(model: string, body: { entities: Record<string, unknown>; request?: Record<string, unknown>; eventTime?: string; predictionId?: string }): Promise<Prediction> {
    return this.client.serving.post(`/models/${enc(model)}/predict`, body);
  }
  startBatchScoring(body: Record<string, unknown>): Promise<{ jobId: string }> {
    return this.client.serving.post('/batch-scoring-jobs', body);
  }
  getBatchScoring(jobId: string): Promise<BatchScoringJob> {
    return this.client.serving.get(`/batch-scoring-jobs/${enc(jobId)}`);
  }

  // monitoring
  windows(model: string, query: { window?: string; version?: number; size?: number }): Promise<MonitoringWindow[]> {
    return this.client.monitoring.get(`/models/${enc(model)}/windows`, { query });
  }
  health(model: string, query: { window?: string; version?: number }): Promise<HealthWindow[]> {
    return this.client.monitoring.get(`/models/${enc(model)}/health`, { query });
  }
  /** `GET /models/{m}/segments?window=&version=`: per window, per segment value: rates and performance (monitoring's `SegmentWindow[]`). */
  segments(model: string, query: { window?: string; version?: number }): Promise<unknown[]> {
    return this.client.monitoring.get(`/models/${enc(model)}/segments`, { query });
  }
  /** `GET /models/{m}/fairness?window=&version=`: per window, per segment: group rates and disparity metrics (monitoring's `FairnessWindow[]`). */
  fairness(model: string, query: { window?: string; version?: number }): Promise<unknown[]> {
    return this.client.monitoring.get(`/models/${enc(model)}/fairness`, { query });
  }
  /**
   * `PUT /models/{m}/segments/config` body `{ segments: [{ name, field?, buckets?, values? }] (1..8), topN?, minCount?,
   * thresholds?, gate? }` → the stored config (+ `modelName`, `updatedBy`, `updatedAt`); 400 names the bad field.
   * Applies to predictions and labels aggregated from then on.
   */
  putSegmentConfig(model: string, config: unknown): Promise<SegmentConfigView> {
    return this.client.monitoring.put(`/models/${enc(model)}/segments/config`, config);
  }
  /** `GET /models/{m}/segments/config` → the stored config; 404 when the model has none. */
  segmentConfig(model: string): Promise<SegmentConfigView> {
    return this.client.monitoring.get(`/models/${enc(model)}/segments/config`);
  }
  rolloutComparison(model: string): Promise<Record<string, unknown>> {
    return this.client.monitoring.get(`/models/${enc(model)}/rollouts/current/comparison`);
  }
  feedback(items: Array<{ predictionId: string; modelName: string; label: number; observedAt: string }>): Promise<unknown> {
    return this.client.monitoring.post('/feedback', items);
  }
}
