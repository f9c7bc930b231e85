import type { StoredDatasetVersion, TrainingRunEntity, TrainingRunStatus } from '../entities/training-run.entity';

/** A training run as the rest of the service sees it (timestamps as ISO-8601 UTC strings). */
export interface TrainingRun {
  runId: string;
  workflowId: string;
  modelName: string;
  requestId: string;
  status: TrainingRunStatus;
  step: string | null;
  trainer: string;
  trainingSet: string;
  reason: string;
  params: Record<string, number | string | boolean>;
  evaluation: Record<string, unknown>;
  datasetVersions: StoredDatasetVersion[];
  featureViews: string[] | null;
  trainingSetUri: string | null;
  trainingSetSha256: string | null;
  metrics: Record<string, number> | null;
  evaluationReport: Record<string, unknown> | null;
  artifactUri: string | null;
  artifactSha256: string | null;
  referenceProfileUri: string | null;
  referenceProfileSha256: string | null;
  modelVersion: number | null;
  error: { code: string; message: string } | null;
  /** Resources used by the run's activities (null until the run finished). */
  resources: { wallTimeMs: number | null; cpuSeconds: number | null; peakRssBytes: number | null; gpuUtilizationPct: number | null };
  /** The hyperparameter search this run is a trial of, if any. */
  parentSearchId: string | null;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
}

/** Maps a `training_run` row to the {@link TrainingRun} domain object. */
export function toTrainingRun(row: TrainingRunEntity): TrainingRun {
  return {
    runId: row.runId,
    workflowId: row.workflowId,
    modelName: row.modelName,
    requestId: row.requestId,
    status: row.status,
    step: row.step,
    trainer: row.trainer,
    trainingSet: row.trainingSet,
    reason: row.reason,
    params: row.params,
    evaluation: row.evaluation,
    datasetVersions: row.datasetVersions,
    featureViews: row.featureViews,
    trainingSetUri: row.trainingSetUri,
    trainingSetSha256: row.trainingSetSha256,
    metrics: row.metrics,
    evaluationReport: row.evaluationReport,
    artifactUri: row.artifactUri,
    artifactSha256: row.artifactSha256,
    referenceProfileUri: row.referenceProfileUri,
    referenceProfileSha256: row.referenceProfileSha256,
    modelVersion: row.modelVersion,
    error: row.errorCode || row.errorMessage ? { code: row.errorCode ?? 'INTERNAL', message: row.errorMessage ?? '' } : null,
    resources: { wallTimeMs: row.wallTimeMs, cpuSeconds: row.cpuSeconds, peakRssBytes: row.peakRssBytes, gpuUtilizationPct: row.gpuUtilizationPct },
    parentSearchId: row.parentSearchId,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    finishedAt: row.finishedAt ? row.finishedAt.toISOString() : null,
  };
}
