import { serviceCredential } from './credentials';
import { HttpJsonClient, StrataHttpError } from './http';

/** Base URLs of the six services (defaults: 127.0.0.1:3001..3006). */
export interface StrataEndpoints {
  ingestion: string;
  features: string;
  training: string;
  registry: string;
  serving: string;
  monitoring: string;
}

export const DEFAULT_ENDPOINTS: StrataEndpoints = {
  ingestion: 'http://127.0.0.1:3001',
  features: 'http://127.0.0.1:3002',
  training: 'http://127.0.0.1:3003',
  registry: 'http://127.0.0.1:3004',
  serving: 'http://127.0.0.1:3005',
  monitoring: 'http://127.0.0.1:3006',
};

/** Reads `INGESTION_URL` ... `MONITORING_URL` over the defaults. */
export function endpointsFromEnv(env: Record<string, string | undefined>): StrataEndpoints {
  return {
    ingestion: env['INGESTION_URL'] ?? DEFAULT_ENDPOINTS.ingestion,
    features: env['FEATURES_URL'] ?? DEFAULT_ENDPOINTS.features,
    training: env['TRAINING_URL'] ?? DEFAULT_ENDPOINTS.training,
    registry: env['REGISTRY_URL'] ?? DEFAULT_ENDPOINTS.registry,
    serving: env['SERVING_URL'] ?? DEFAULT_ENDPOINTS.serving,
    monitoring: env['MONITORING_URL'] ?? DEFAULT_ENDPOINTS.monitoring,
  };
}

export interface ReadinessReport {
  status: 'ok' | 'unavailable';
  service: string;
  checks: Record<string, { status: 'up' | 'down'; error?: string; latencyMs: number }>;
}

export interface DatasetVersionRef {
  datasetName: string;
  versionId: string;
}

/** A dataset version as ingestion returns it (see docs/service-apis.md). */
export interface DatasetVersion extends DatasetVersionRef {
  contentSha256: string;
  rowCount: number;
  uri: string;
  sizeBytes: number;
  schema: Array<{ name: string; type: string; nullable: boolean }>;
  created?: boolean;
  validation?: { policy: string; inputRowCount: number; invalidRowCount: number; issueCount: number };
}

export interface Materialization {
  id: string;
  featureView: string;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED';
  rowCount?: number;
  onlineRowCount?: number;
  offlineUri?: string;
  error?: string;
  datasetVersions?: unknown;
  /** ISO-8601 start time. */
  startedAt?: string;
  completedAt?: string;
}

export interface TrainingSetBuild {
  id: string;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED';
  uri?: string;
  sha256?: string;
  rowCount?: number;
  columns?: Array<{ name: string; dtype?: string; role?: string }>;
  error?: string;
}

export interface TrainingRun {
  runId: string;
  workflowId: string;
  modelName: string;
  status: 'PENDING' | 'RUNNING' | 'COMPLETED' | 'FAILED' | 'CANCELLED';
  step?: string;
  progress?: number;
  metrics?: Record<string, unknown>;
  modelVersion?: number;
  artifactUri?: string;
  artifactSha256?: string;
  error?: { code: string; message: string } | string;
  evaluationReport?: { calibration?: unknown } & Record<string, unknown>;
}

export interface ModelVersion {
  name: string;
  version: number;
  runId?: string;
  workflowId?: string;
  artifactUri: string;
  artifactSha256: string;
  metrics?: Record<string, unknown>;
  params?: Record<string, unknown>;
  lineage?: Record<string, unknown>;
  signature?: unknown;
  aliases?: string[];
  referenceProfileUri?: string;
}

/** Open Inference Protocol v2 tensors. */
export interface InferTensor {
  name: string;
  datatype: string;
  shape: number[];
  data: unknown[];
  parameters?: Record<string, unknown>;
}
export interface InferRequest {
  id?: string;
  inputs: InferTensor[];
  outputs?: Array<{ name: string }>;
  parameters?: Record<string, unknown>;
}
export interface InferResponse {
  id?: string;
  model_name: string;
  model_version?: string;
  outputs: InferTensor[];
  parameters?: Record<string, unknown>;
}

export interface MonitoringWindow {
  windowStart: string;
  windowEnd: string;
  modelVersion?: number | string;
  predictionCount: number;
  labeledCount: number;
  drift: Array<{ feature: string; method: string; score: number | null; threshold: number; drifted: boolean }>;
  datasetDrift: boolean;
  performance: { rocAuc: number | null; accuracy: number | null; logLoss: number | null } | null;
}

/** A run tracked by the registry (`GET /runs/{id}`); times are epoch ms. */
export interface TrackedRun {
  runId: string;
  experimentId: string;
  runName: string;
  userId: string;
  status: string;
  startTime: number;
  endTime: number | null;
  artifactUri: string;
  params: Record<string, string>;
  tags: Record<string, string>;
  latestMetrics: Record<string, { key: string; value: number | string; step: number; timestamp: number }>;
}

/** A recorded promotion decision of the registry. */
export interface PromotionDecision {
  id: number;
  name: string;
  challengerVersion: number;
  championVersion: number | null;
  metric: string;
  challengerValue: number | string | null;
  championValue: number | string | null;
  improvement: number | null;
  outcome: 'promoted' | 'rejected';
  applied: boolean;
  reason: string;
}

/**
 * Typed client for the Strata services' HTTP APIs (docs/service-apis.md). Every call throws
 * `StrataHttpError` (non-2xx, with the service's error body) or `StrataUnreachableError`.
 */
export class StrataClient {
  readonly ingestion: HttpJsonClient;
  readonly features: HttpJsonClient;
  readonly training: HttpJsonClient;
  readonly registry: HttpJsonClient;
  readonly serving: HttpJsonClient;
  readonly monitoring: HttpJsonClient;

  /**
   * @param credential API key or JWT sent as `Authorization: Bearer` on every call; default:
   *   `STRATA_API_KEY` / `STRATA_API_KEY_FILE` of this process (none when unset).
   */
  constructor(
    readonly endpoints: StrataEndpoints = DEFAULT_ENDPOINTS,
    credential: string | undefined = serviceCredential(),
  ) {
    this.ingestion = new HttpJsonClient(endpoints.ingestion, undefined, credential);
    this.features = new HttpJsonClient(endpoints.features, undefined, credential);
    this.training = new HttpJsonClient(endpoints.training, undefined, credential);
    this.registry = new HttpJsonClient(endpoints.registry, undefined, credential);
    this.serving = new HttpJsonClient(endpoints.serving, undefined, credential);
    this.monitoring = new HttpJsonClient(endpoints.monitoring, undefined, credential);
  }

  /** `/health/ready` of every service, keyed by service; a down service gives its error. */
  async readiness(): Promise<Record<keyof StrataEndpoints, ReadinessReport | { error: string }>> {
    const entries = await Promise.all(
      (Object.keys(this.endpoints) as Array<keyof StrataEndpoints>).map(async (name) => {
        try {
          return [name, await this[name].get<ReadinessReport>('/health/ready', { timeoutMs: 5000 })] as const;
        } catch (e) {
          if (e instanceof StrataHttpError && typeof e.body === 'object') return [name, e.body as ReadinessReport] as const;
          return [name, { error: e instanceof Error ? e.message : String(e) }] as const;
        }
      }),
    );
    return Object.fromEntries(entries) as Record<keyof StrataEndpoints, ReadinessReport | { error: string }>;
  }

  putDataset(name: string, spec: unknown): Promise<unknown> {
    return this.ingestion.put(`/datasets/${encodeURIComponent(name)}`, spec);
  }

  /** Registers a local file (`file://` URI) as a new dataset version (identical content → same version). */
  registerDatasetFile(name: string, sourceUri: string, format: 'csv' | 'ndjson' | 'parquet', policy: 'reject' | 'quarantine' = 'reject'): Promise<DatasetVersion> {
    return this.ingestion.post<DatasetVersion>(`/datasets/${encodeURIComponent(name)}/versions`, { sourceUri, format, policy }, { timeoutMs: 300_000 });
  }

  applyFeatureRepo(documents: Array<{ file: string; content: string }>, allowDeletes = false): Promise<{ changes?: unknown[] }> {
    return this.features.post('/feature-repo/apply', { documents, allowDeletes });
  }

  listMaterializations(query: { featureView?: string; datasetVersion?: string }): Promise<Materialization[]> {
    return this.features.get<Materialization[]>('/materializations', { query });
  }

  startTrainingSet(trainingSet: string, datasetVersions: DatasetVersionRef[]): Promise<TrainingSetBuild> {
    return this.features.post<TrainingSetBuild>('/training-sets', { trainingSet, datasetVersions });
  }

  getTrainingSet(id: string): Promise<TrainingSetBuild> {
    return this.features.get<TrainingSetBuild>(`/training-sets/${encodeURIComponent(id)}`);
  }

  startTrainingRun(body: Record<string, unknown>): Promise<TrainingRun> {
    return this.training.post<TrainingRun>('/training-runs', body);
  }

  getTrainingRun(runId: string): Promise<TrainingRun> {
    return this.training.get<TrainingRun>(`/training-runs/${encodeURIComponent(runId)}`);
  }

  getModelVersionByAlias(model: string, alias: string): Promise<ModelVersion> {
    return this.registry.get<ModelVersion>(`/registered-models/${encodeURIComponent(model)}/aliases/${encodeURIComponent(alias)}`);
  }

  /** Moves an alias (`PUT /registered-models/{m}/aliases/{a}`); audited by the registry. */
  setAlias(model: string, alias: string, version: number, reason: string, actor: string): Promise<unknown> {
    return this.registry.put(`/registered-models/${encodeURIComponent(model)}/aliases/${encodeURIComponent(alias)}`, { version, reason, actor });
  }

  /** Registry tracking: starts a run (`POST /runs`); `triggeredBy` is who started it. Returns the run (`runId`, `artifactUri`, …). */
  createTrackedRun(body: { experimentName?: string; experimentId?: string; runName?: string; triggeredBy?: string; tags?: Record<string, string>; params?: Record<string, string> }): Promise<TrackedRun> {
    return this.registry.post<TrackedRun>('/runs', body);
  }

  /** Registry tracking: creates an experiment (`POST /experiments`; 409 when the name exists). */
  createExperiment(name: string, tags: Record<string, string> = {}): Promise<{ experimentId: string; name: string }> {
    return this.registry.post('/experiments', { name, tags });
  }

  /** Registry tracking: logs metric points (`value` may be "NaN"/"Infinity"/"-Infinity"), params and tags atomically (`POST /runs/{id}/log-batch`). */
  logRunBatch(
    runId: string,
    batch: { metrics?: Array<{ key: string; value: number | string; step?: number; timestamp?: number }>; params?: Record<string, string>; tags?: Record<string, string> },
  ): Promise<TrackedRun> {
    return this.registry.post<TrackedRun>(`/runs/${encodeURIComponent(runId)}/log-batch`, batch);
  }

  /** Registry tracking: sets status / end time (epoch ms) of a run (`PATCH /runs/{id}`). */
  updateTrackedRun(runId: string, patch: { status?: 'RUNNING' | 'SCHEDULED' | 'FINISHED' | 'FAILED' | 'KILLED'; endTime?: number | null; runName?: string }): Promise<TrackedRun> {
    return this.registry.request<TrackedRun>('PATCH', `/runs/${encodeURIComponent(runId)}`, { body: patch }).then((r) => r.body);
  }

  /** Registry tracking: appends text (e.g. captured stdout/stderr) to the run's log (`POST /runs/{id}/log`). */
  appendRunLog(runId: string, text: string): Promise<unknown> {
    return this.registry.post(`/runs/${encodeURIComponent(runId)}/log`, { text });
  }

  /** Registry tracking: records an artifact of a run (`POST /runs/{id}/artifacts`). */
  recordRunArtifact(runId: string, artifact: { path: string; uri: string; sha256?: string | null; sizeBytes?: number | null }): Promise<unknown> {
    return this.registry.post(`/runs/${encodeURIComponent(runId)}/artifacts`, artifact);
  }

  /** Registry tracking: one run (`GET /runs/{id}`). */
  getTrackedRun(runId: string): Promise<TrackedRun> {
    return this.registry.get<TrackedRun>(`/runs/${encodeURIComponent(runId)}`);
  }

  /** Sets the promotion policy of a model (`PUT /registered-models/{m}/promotion-policy`). */
  setPromotionPolicy(model: string, policy: { metric: string; direction: 'maximize' | 'minimize'; minMargin?: number; autoPromote?: boolean }): Promise<unknown> {
    return this.registry.put(`/registered-models/${encodeURIComponent(model)}/promotion-policy`, policy);
  }

  /** Evaluates (and, unless `apply: false`, applies) a promotion of the challenger (`POST /registered-models/{m}/promotion-decisions`). */
  decidePromotion(model: string, body: { challengerVersion?: number; apply?: boolean; actor?: string } = {}): Promise<PromotionDecision> {
    return this.registry.post<PromotionDecision>(`/registered-models/${encodeURIComponent(model)}/promotion-decisions`, body);
  }

  infer(model: string, request: InferRequest, version?: string): Promise<InferResponse> {
    const path = version ? `/v2/models/${encodeURIComponent(model)}/versions/${encodeURIComponent(version)}/infer` : `/v2/models/${encodeURIComponent(model)}/infer`;
    return this.serving.post<InferResponse>(path, request);
  }

  predictTrip(model: string, body: Record<string, unknown>): Promise<Record<string, unknown>> {
    return this.serving.post(`/models/${encodeURIComponent(model)}/predict`, body);
  }

  sendFeedback(items: Array<{ predictionId: string; modelName: string; label: number; observedAt: string }>): Promise<unknown> {
    return this.monitoring.post('/feedback', items);
  }

  /** Per-window drift and performance of a model (all versions, or one). */
  windows(model: string, window: 'month' | 'week' | 'day' = 'month', version?: number): Promise<MonitoringWindow[]> {
    return this.monitoring.get<MonitoringWindow[]>(`/models/${encodeURIComponent(model)}/windows`, { query: { window, version } });
  }
}
