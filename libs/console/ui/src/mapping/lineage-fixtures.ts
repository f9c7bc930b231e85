import type { BatchScoringJob, Materialization } from '@strata/contracts/api';
import type { LineageRollout } from './lineage';

/** Test fixtures shaped as features, the registry and serving serialise them (the census income model's downstream). */

const DS = { datasetName: 'adult_people', versionId: '7f1c2d3e-0000-4000-8000-000000000001', contentSha256: 'b'.repeat(64) };

export function materialization(id: string, over: Partial<Materialization> = {}): Materialization {
  return {
    id,
    featureView: 'person_profile',
    status: 'SUCCEEDED',
    mode: 'full',
    rowCount: 32561,
    onlineRowCount: 32561,
    offlineUri: `s3://strata-features/offline/person_profile/${id}.parquet`,
    offlineSha256: 'd'.repeat(64),
    startTime: '1970-01-01T00:00:00.000Z',
    endTime: '2024-03-01T00:00:00.000Z',
    minEventTime: '2024-01-01T00:00:00.000Z',
    maxEventTime: '2024-02-29T23:00:00.000Z',
    datasetVersions: [DS],
    trigger: 'dataset-version-created',
    error: null,
    startedAt: '2024-03-01T09:30:00.000Z',
    completedAt: '2024-03-01T09:31:00.000Z',
    ...over,
  };
}

export function rollout(rolloutId: string, over: Partial<LineageRollout> = {}): LineageRollout {
  return {
    rolloutId,
    modelName: 'adult-income',
    status: 'active',
    mode: 'canary',
    championVersion: 1,
    challengerVersion: 2,
    challengerWeight: 0.1,
    startedAt: '2024-03-03T08:00:00.000Z',
    endedAt: null,
    ...over,
  };
}

export function batchJob(jobId: string, over: Partial<BatchScoringJob> = {}): BatchScoringJob {
  return {
    jobId,
    workflowId: `batch-score:adult-income:req-${jobId.slice(0, 4)}`,
    requestId: `req-${jobId.slice(0, 4)}`,
    status: 'SUCCEEDED',
    modelName: 'adult-income',
    alias: null,
    modelVersion: 2,
    datasetName: DS.datasetName,
    versionId: DS.versionId,
    inputUri: null,
    inputSha256: DS.contentSha256,
    outputColumns: null,
    progress: { rowsDone: 32561, rowsTotal: 32561 },
    outputUri: `s3://strata-batch/batch-scoring/${jobId}/output.parquet`,
    outputSha256: 'e'.repeat(64),
    rowCount: 32561,
    errorCode: null,
    error: null,
    createdAt: '2024-03-04T12:00:00.000Z',
    updatedAt: '2024-03-04T12:02:00.000Z',
    finishedAt: '2024-03-04T12:02:00.000Z',
    ...over,
  };
}
