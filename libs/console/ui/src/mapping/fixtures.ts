import type { ModelVersion, MonitoringWindow, PromotionDecision, RegisteredModel } from '@strata/contracts/api';

/** Test fixtures shaped as the registry / monitoring serialise them (an income model on census rows). */
export function version(v: number, over: Partial<ModelVersion> = {}): ModelVersion {
  return {
    name: 'adult-income',
    version: v,
    runId: `run-000${v}-aaaa-bbbb`,
    workflowId: `training-run-000${v}`,
    artifactUri: `file:///data/models/adult-income/${v}/model.onnx`,
    artifactSha256: 'a'.repeat(64),
    servable: true,
    notServableReason: null,
    source: null,
    sourceRunId: null,
    currentStage: 'None',
    signature: {},
    metrics: { roc_auc: 0.8812, accuracy: 0.8123, log_loss: 0.39 },
    params: {},
    lineage: {
      datasetVersions: [{ datasetName: 'adult_people', versionId: '7f1c2d3e-0000-4000-8000-000000000001', contentSha256: 'b'.repeat(64) }],
      featureViews: ['person_profile'],
      trainingSet: 'adult_income',
      workflowId: `training-run-000${v}`,
      codeVersion: 'unknown',
    },
    referenceProfileUri: null,
    referenceProfileSha256: null,
    status: 'READY',
    description: null,
    tags: { trainer: 'logistic-regression' },
    aliases: [],
    createdBy: 'ml-engineer',
    createdAt: `2024-03-0${v}T10:00:00.000Z`,
    updatedAt: `2024-03-0${v}T10:00:00.000Z`,
    ...over,
  };
}

export function model(name: string, aliases: Record<string, number>, latestVersion: number): RegisteredModel {
  return { name, description: null, tags: {}, latestVersion, aliases, createdAt: '2024-03-01T09:00:00.000Z', updatedAt: '2024-03-02T11:30:45.000Z' };
}

export function decision(over: Partial<PromotionDecision>): PromotionDecision {
  return {
    id: 1,
    name: 'adult-income',
    challengerVersion: 2,
    championVersion: 1,
    metric: 'roc_auc',
    direction: 'maximize',
    minMargin: 0,
    challengerValue: 0.9,
    championValue: 0.88,
    improvement: 0.02,
    challengerEvaluationDigest: null,
    championEvaluationDigest: null,
    evidence: null,
    outcome: 'promoted',
    applied: true,
    reason: 'improvement 0.02 > margin 0',
    trigger: 'challenger-alias-set',
    actor: 'ml-engineer',
    requestId: null,
    decidedAt: '2024-03-02T10:00:00.000Z',
    ...over,
  };
}

export function window(day: string, v: number, drift: Array<[string, number | null, boolean]>, datasetDrift: boolean, rocAuc: number | null): MonitoringWindow {
  return {
    windowStart: `${day}T00:00:00.000Z`,
    windowEnd: `${day}T23:59:59.999Z`,
    modelVersion: v,
    predictionCount: 100,
    labeledCount: rocAuc === null ? 0 : 90,
    drift: drift.map(([feature, score, drifted]) => ({ feature, method: 'psi', score, threshold: 0.1, drifted })),
    datasetDrift,
    performance: rocAuc === null ? null : { rocAuc, accuracy: 0.8, logLoss: 0.4 },
  };
}
