import {
  FeaturesApi,
  IngestionApi,
  MonitoringApi,
  RegistryApi,
  ServingApi,
  TrainingApi,
  type DatasetVersion,
  type FeedbackItemInput,
  type InferRequest,
  type InferResponse,
  type Materialization,
  type ModelVersion,
  type MonitoringWindow,
  type PromotionDecision,
  type PromotionPolicy,
  type ReadinessReport,
  type RepoPlan,
  type StartTrainingRunResponse,
  type TrackedRun,
  type TrainingRun,
  type TrainingSetBuild,
} from '@strata/contracts/api';
import { serviceCredential } from './credentials';
import { ServiceClient, serviceApi, StrataHttpError, type ServiceApi } from './client';

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


export interface DatasetVersionRef {
  datasetName: string;
  versionId: string;
}

// Response types are declared once, in the API contracts (inferred from their zod schemas).
export type {
  DatasetVersion,
  InferRequest,
  InferResponse,
  InferRequestInput,
  InferResponseOutput,
  Materialization,
  ModelVersion,
  MonitoringWindow,
  PromotionDecision,
  PromotionPolicy,
  ReadinessReport,
  StartTrainingRunResponse,
  TrackedRun,
  TrainingRun,
  TrainingSetBuild,
} from '@strata/contracts/api';

/** The typed API of every service, one method per contract endpoint (see `@strata/contracts/api`). */
export interface StrataApis {
  ingestion: ServiceApi<typeof IngestionApi>;
  features: ServiceApi<typeof FeaturesApi>;
  training: ServiceApi<typeof TrainingApi>;
  registry: ServiceApi<typeof RegistryApi>;
  serving: ServiceApi<typeof ServingApi>;
  monitoring: ServiceApi<typeof MonitoringApi>;
}

/**
 * Typed client for the Strata services' HTTP APIs (docs/service-apis.md): a facade over
 * {@link ServiceClient} (`errors: 'http'`) and the contract-derived {@link StrataApis}. Every
 * call throws `StrataHttpError` (non-2xx, with the service's error body) or
 * `StrataUnreachableError` (no answer within 60 s unless the call says otherwise).
 */
export class StrataClient {
  /** Raw access per service (`get/post/put/patch/request`), for endpoints without a method here. */
  readonly ingestion: ServiceClient;
  readonly features: ServiceClient;
  readonly training: ServiceClient;
  readonly registry: ServiceClient;
  readonly serving: ServiceClient;
  readonly monitoring: ServiceClient;
  /** Typed, contract-derived methods per service. */
  readonly api: StrataApis;

  /**
   * @param credential API key or JWT sent as `Authorization: Bearer` on every call; default:
   *   `STRATA_API_KEY` / `STRATA_API_KEY_FILE` of this process (none when unset).
   */
  constructor(
    readonly endpoints: StrataEndpoints = DEFAULT_ENDPOINTS,
    credential: string | undefined = serviceCredential(),
  ) {
    const client = (service: keyof StrataEndpoints) => new ServiceClient({ baseUrl: endpoints[service], service, timeoutMs: 60_000, credential, errors: 'http' });
    this.ingestion = client('ingestion');
    this.features = client('features');
    this.training = client('training');
    this.registry = client('registry');
    this.serving = client('serving');
    this.monitoring = client('monitoring');
    this.api = {
      ingestion: serviceApi(this.ingestion, IngestionApi),
      features: serviceApi(this.features, FeaturesApi),
      training: serviceApi(this.training, TrainingApi),
      registry: serviceApi(this.registry, RegistryApi),
      serving: serviceApi(this.serving, ServingApi),
      monitoring: serviceApi(this.monitoring, MonitoringApi),
    };
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
    return this.api.ingestion.putDataset({ params: { name }, body: spec });
  }

  /** Registers a local file (`file://` URI) as a new dataset version (identical content → same version). */
  registerDatasetFile(name: string, sourceUri: string, format: 'csv' | 'ndjson' | 'parquet', policy: 'reject' | 'quarantine' = 'reject'): Promise<DatasetVersion> {
    return this.api.ingestion.registerDatasetVersion({ params: { name }, body: { sourceUri, format, policy } }, { timeoutMs: 300_000 });
  }

  /** `POST /feature-repo/apply` (contract `FeaturesApi.applyFeatureRepo`): the definitions applied and one change per object. */
  applyFeatureRepo(documents: Array<{ file: string; content: string }>, allowDeletes = false): Promise<RepoPlan> {
    return this.api.features.applyFeatureRepo({ body: { documents, allowDeletes } });
  }

  listMaterializations(query: { featureView?: string; datasetVersion?: string }): Promise<Materialization[]> {
    return this.api.features.listMaterializations({ query });
  }

  startTrainingSet(trainingSet: string, datasetVersions: DatasetVersionRef[]): Promise<TrainingSetBuild> {
    return this.api.features.startTrainingSet({ body: { trainingSet, datasetVersions } });
  }

  getTrainingSet(id: string): Promise<TrainingSetBuild> {
    return this.api.features.getTrainingSet({ params: { id } });
  }

  startTrainingRun(body: Record<string, unknown>): Promise<StartTrainingRunResponse> {
    return this.api.training.startTrainingRun({ body });
  }

  getTrainingRun(runId: string): Promise<TrainingRun> {
    return this.api.training.getTrainingRun({ params: { runId } });
  }

  getModelVersionByAlias(model: string, alias: string): Promise<ModelVersion> {
    return this.api.registry.getAlias({ params: { name: model, alias } });
  }

  /** Moves an alias (`PUT /registered-models/{m}/aliases/{a}`); audited by the registry. */
  setAlias(model: string, alias: string, version: number, reason: string, actor: string): Promise<unknown> {
    return this.api.registry.setAlias({ params: { name: model, alias }, body: { version, reason, actor } });
  }

  /** Registry tracking: starts a run (`POST /runs`); `triggeredBy` is who started it. Returns the run (`runId`, `artifactUri`, …). */
  createTrackedRun(body: { experimentName?: string; experimentId?: string; runName?: string; triggeredBy?: string; tags?: Record<string, string>; params?: Record<string, string> }): Promise<TrackedRun> {
    return this.api.registry.createRun({ body });
  }

  /** Registry tracking: creates an experiment (`POST /experiments`; 409 when the name exists). */
  createExperiment(name: string, tags: Record<string, string> = {}): Promise<{ experimentId: string; name: string }> {
    return this.api.registry.createExperiment({ body: { name, tags } });
  }

  /** Registry tracking: logs metric points (`value` may be "NaN"/"Infinity"/"-Infinity"), params and tags atomically (`POST /runs/{id}/log-batch`). */
  logRunBatch(
    runId: string,
    batch: { metrics?: Array<{ key: string; value: number | string; step?: number; timestamp?: number }>; params?: Record<string, string>; tags?: Record<string, string> },
  ): Promise<TrackedRun> {
    return this.api.registry.logRunBatch({ params: { runId }, body: batch });
  }

  /** Registry tracking: sets status / end time (epoch ms) of a run (`PATCH /runs/{id}`). */
  updateTrackedRun(runId: string, patch: { status?: 'RUNNING' | 'SCHEDULED' | 'FINISHED' | 'FAILED' | 'KILLED'; endTime?: number | null; runName?: string }): Promise<TrackedRun> {
    return this.api.registry.updateRun({ params: { runId }, body: patch });
  }

  /** Registry tracking: appends text (e.g. captured stdout/stderr) to the run's log (`POST /runs/{id}/log`). */
  appendRunLog(runId: string, text: string): Promise<unknown> {
    return this.api.registry.appendRunLog({ params: { runId }, body: { text } });
  }

  /** Registry tracking: records an artifact of a run (`POST /runs/{id}/artifacts`). */
  recordRunArtifact(runId: string, artifact: { path: string; uri: string; sha256?: string | null; sizeBytes?: number | null }): Promise<unknown> {
    return this.api.registry.recordRunArtifact({ params: { runId }, body: artifact });
  }

  /** Registry tracking: one run (`GET /runs/{id}`). */
  getTrackedRun(runId: string): Promise<TrackedRun> {
    return this.api.registry.getRun({ params: { runId } });
  }

  /**
   * Sets the promotion policy of a model (`PUT /registered-models/{m}/promotion-policy`; other
   * fields — `rollout`, `fairness` — pass through to the registry, which validates them) → the stored policy.
   */
  setPromotionPolicy(model: string, policy: { metric: string; direction: 'maximize' | 'minimize'; minMargin?: number; autoPromote?: boolean } & Record<string, unknown>): Promise<PromotionPolicy> {
    return this.api.registry.setPromotionPolicy({ params: { name: model }, body: policy });
  }

  /** The promotion policy of a model (`GET /registered-models/{m}/promotion-policy`; 404 when none). */
  getPromotionPolicy(model: string): Promise<PromotionPolicy> {
    return this.api.registry.getPromotionPolicy({ params: { name: model } });
  }

  /** Evaluates (and, unless `apply: false`, applies) a promotion of the challenger (`POST /registered-models/{m}/promotion-decisions`). */
  decidePromotion(model: string, body: { challengerVersion?: number; apply?: boolean; actor?: string } = {}): Promise<PromotionDecision> {
    return this.api.registry.decidePromotion({ params: { name: model }, body });
  }

  infer(model: string, request: InferRequest, version?: string): Promise<InferResponse> {
    return version ? this.api.serving.inferVersion({ params: { model, version }, body: request }) : this.api.serving.infer({ params: { model }, body: request });
  }

  sendFeedback(items: Array<{ predictionId: string; modelName: string; label: number; observedAt: string }>): Promise<unknown> {
    // labels are 0 or 1 (the service answers 400 naming any other); the signature predates the contract
    return this.api.monitoring.sendFeedback({ body: items as FeedbackItemInput[] });
  }

  /** Per-window drift and performance of a model (all versions, or one). */
  windows(model: string, window: 'month' | 'week' | 'day' = 'month', version?: number): Promise<MonitoringWindow[]> {
    return this.api.monitoring.windows({ params: { model }, query: { window, version } });
  }
}
