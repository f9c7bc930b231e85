import type { Experiment, ModelVersionSummary, RegisteredModel, Run } from '@strata/registry/data-access';

/** MLflow `ModelVersion` JSON (REST API 2.0). */
export interface MlflowModelVersion {
  name: string;
  version: string;
  creation_timestamp: number;
  last_updated_timestamp: number;
  /** MLflow's deprecated stage: None | Staging | Production | Archived. */
  current_stage: string;
  description: string;
  /** `source` as given to model-versions/create (native registrations: the artifact URI). */
  source: string;
  run_id: string;
  /** `READY` (Strata registers synchronously; see MlflowVersionsService.create). */
  status: string;
  /** Non-servable versions: why Strata cannot serve it (MLflow's free-text status message). */
  status_message?: string;
  user_id: string;
  tags: Array<{ key: string; value: string }>;
  aliases: string[];
}

/** MLflow `RegisteredModel` JSON (REST API 2.0). */
export interface MlflowRegisteredModel {
  name: string;
  creation_timestamp: number;
  last_updated_timestamp: number;
  description: string;
  latest_versions?: MlflowModelVersion[];
  tags: Array<{ key: string; value: string }>;
  aliases: Array<{ alias: string; version: string }>;
}

export const tagList = (tags: Record<string, string>): Array<{ key: string; value: string }> => Object.entries(tags).map(([key, value]) => ({ key, value }));

/** A version (or its {@link ModelVersionSummary}, all MLflow's JSON needs) → MLflow `ModelVersion`. */
export function toMlflowVersion(v: ModelVersionSummary): MlflowModelVersion {
  return {
    name: v.name,
    version: String(v.version),
    creation_timestamp: Date.parse(v.createdAt),
    last_updated_timestamp: Date.parse(v.updatedAt),
    current_stage: v.currentStage,
    description: v.description ?? '',
    source: v.source ?? v.artifactUri,
    run_id: v.sourceRunId ?? v.runId,
    status: v.status,
    ...(v.servable ? {} : { status_message: `not servable by Strata: ${v.notServableReason ?? 'no verified ONNX artifact'}` }),
    user_id: v.createdBy === 'anonymous' ? '' : v.createdBy,
    tags: tagList(v.tags),
    aliases: v.aliases,
  };
}

export function toMlflowModel(m: RegisteredModel, latest?: ModelVersionSummary[]): MlflowRegisteredModel {
  return {
    name: m.name,
    creation_timestamp: Date.parse(m.createdAt),
    last_updated_timestamp: Date.parse(m.updatedAt),
    description: m.description ?? '',
    ...(latest ? { latest_versions: latest.map(toMlflowVersion) } : {}),
    tags: tagList(m.tags),
    aliases: Object.entries(m.aliases).map(([alias, version]) => ({ alias, version: String(version) })),
  };
}

export function toMlflowExperiment(e: Experiment): Record<string, unknown> {
  return {
    experiment_id: e.experimentId,
    name: e.name,
    artifact_location: e.artifactLocation,
    lifecycle_stage: e.lifecycleStage,
    last_update_time: e.lastUpdateTime,
    creation_time: e.creationTime,
    tags: tagList(e.tags),
  };
}

export function toMlflowRun(r: Run): Record<string, unknown> {
  return {
    info: {
      run_id: r.runId,
      run_uuid: r.runId,
      run_name: r.runName,
      experiment_id: r.experimentId,
      user_id: r.userId,
      status: r.status,
      start_time: r.startTime,
      ...(r.endTime !== null ? { end_time: r.endTime } : {}),
      artifact_uri: r.artifactUri,
      lifecycle_stage: r.lifecycleStage,
    },
    data: {
      metrics: Object.values(r.latestMetrics).map((p) => ({ key: p.key, value: p.value, timestamp: p.timestamp, step: p.step })),
      params: tagList(r.params),
      tags: tagList(r.tags),
    },
    inputs: r.datasetInputs.length ? { dataset_inputs: r.datasetInputs } : {},
  };
}
