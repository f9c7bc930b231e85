import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RegistryApi, type ModelVersion } from '@strata/contracts/api';
import { withLocalFiles, type ObjectStore } from '@strata/shared/data-access-object-store';
import { type ServiceApi, type ServiceClient } from '@strata/shared/data-access-strata-client';
import { ConflictError, IntegrityError, InvalidArgumentError } from '@strata/shared/util-errors';
import { layoutFeatures, modelInputLayout } from '@strata/shared/util-model-evaluation';
import { TrainingSetFile } from '@strata/training/activities';
import { onnxSignature } from '@strata/training/util-trainers';
import { decideOptimization, type OptimizationDecision } from './optimization-decision';
import { runOptimizerTool, type OptimizationMethod, type OptimizerToolSpec } from './optimizer-tool';
import { measureSideBySide, type SideBySide } from './side-by-side';

/** What the step needs: the registry (read the parent, register the child), the object store, the tool. */
export interface OptimizationPorts {
  registry: ServiceApi<typeof RegistryApi>;
  /** Raw registry client (the registration accepts a 409 naming an existing version). */
  registryClient: ServiceClient;
  store: ObjectStore;
  tool: OptimizerToolSpec;
}

/** One optimization request (body of `POST /model-optimizations`). */
export interface OptimizeModelRequest {
  modelName: string;
  version: number;
  method: OptimizationMethod;
  /** Largest accepted accuracy drop on the parent's evaluation set (absolute fraction, ≥ 0). */
  maxAccuracyDrop: number;
  /** Largest accepted ROC AUC drop (default `maxAccuracyDrop`). */
  maxRocAucDrop?: number;
  /** Rows timed one at a time per model (default 2000). */
  latencyRows?: number;
}

/** The answer of a successful optimization (a type alias, so it fits the contract's open object). */
export type OptimizationResult = {
  parent: { name: string; version: number; artifactSha256: string };
  child: { name: string; version: number; artifactUri: string; artifactSha256: string; created: boolean };
  method: OptimizationMethod;
  decision: OptimizationDecision;
  margins: { maxAccuracyDrop: number; maxRocAucDrop: number };
  measured: SideBySide;
  /** `child.sizeBytes / parent.sizeBytes` and `parent.p50 / child.p50` (> 1: the child is faster). */
  sizeRatio: number;
  latencySpeedup: number;
  evaluation: { trainingSet: string; splitTime: string };
  /** Wall time of each phase, ms. */
  timingsMs: { tool: number; measure: number; total: number };
};

/** Progress callback: overall fraction in [0, 1] and the current step. */
export type OptimizationProgress = (progress: number, step: string) => void;

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** The parent's evaluation set as its lineage records it (training's registrations do). */
function evaluationOf(parent: ModelVersion): { trainingSet: { id: string; uri: string; sha256: string }; splitTime: string } {
  const where = `model version '${parent.name}@${parent.version}'`;
  const ts = parent.lineage['trainingSet'] as Record<string, unknown> | string | undefined;
  const evaluation = parent.lineage['evaluation'] as Record<string, unknown> | undefined;
  if (typeof ts !== 'object' || ts === null || typeof ts['uri'] !== 'string' || typeof ts['sha256'] !== 'string') {
    throw new InvalidArgumentError(`${where} has no evaluation set to measure on: lineage.trainingSet must carry {uri, sha256} of the training set file (training records them)`);
  }
  if (typeof evaluation?.['splitTime'] !== 'string') throw new InvalidArgumentError(`${where} has no lineage.evaluation.splitTime: its evaluation rows (event_timestamp ≥ splitTime) are unknown`);
  return { trainingSet: { id: String(ts['id'] ?? ts['name'] ?? ts['uri']), uri: ts['uri'], sha256: ts['sha256'] }, splitTime: evaluation['splitTime'] };
}

async function readVerified(store: ObjectStore, uri: string, expected: string, what: string): Promise<Buffer> {
  const bytes = await withLocalFiles(store, [uri], ([p]) => fs.readFile(p!));
  const actual = sha256(bytes);
  if (actual !== expected) throw new IntegrityError(`${what} at '${uri}' has sha256 ${actual}, expected ${expected}`, { details: { expected, actual } });
  return bytes;
}

/**
 * The model optimization step: derives an optimized child version of `modelName@version` and
 * registers it, or refuses.
 *
 * 1. Reads the parent (`GET /registered-models/{m}/versions/{v}`): artifact (sha256-verified) and
 *    its evaluation set = the training set file of `lineage.trainingSet` (sha256-verified) rows with
 *    `event_timestamp ≥ lineage.evaluation.splitTime` (what training evaluated it on).
 * 2. Runs the optimizer tool (ONNX Runtime's quantize_dynamic or offline graph optimization) under
 *    its deadline.
 * 3. Measures both side by side ({@link measureSideBySide}): size, p50/p90 single-row latency,
 *    accuracy and ROC AUC on the evaluation rows.
 * 4. Decides ({@link decideOptimization}); refused → ConflictError (409) with every number in
 *    `details`, and nothing is stored or registered.
 * 5. Stores the child (`artifacts/<m>/optimized/<v>-<method>-<sha12>/model.onnx`) and registers it
 *    (`POST /registered-models/{m}/versions`, run id `optimize:<m>@<v>:<method>`, so the same
 *    request again answers the same version): lineage = the parent's (same evaluation digest, so
 *    promotion compares them; without the parent's per-group `segments`) + `parent` + `optimization`.
 *
 * @throws NotFoundError (404) no such version; InvalidArgumentError (400) a parent without an
 *   evaluation set or features, a model the tool or onnxruntime-node refuses; IntegrityError (422)
 *   an altered artifact or training set; ConflictError (409) refused by the margins, or this
 *   optimization already registered with another artifact; UnavailableError (503) the tool's deadline
 *   passed or a peer is down.
 */
export async function optimizeModelVersion(ports: OptimizationPorts, req: OptimizeModelRequest, onProgress: OptimizationProgress = () => undefined): Promise<OptimizationResult> {
  const started = Date.now();
  const margins = { maxAccuracyDrop: req.maxAccuracyDrop, maxRocAucDrop: req.maxRocAucDrop ?? req.maxAccuracyDrop };
  onProgress(0, `reading ${req.modelName}@${req.version}`);
  const parent = await ports.registry.getModelVersion({ params: { name: req.modelName, version: req.version } });
  if (!parent.servable || parent.artifactSha256 === null) throw new InvalidArgumentError(`model version '${req.modelName}@${req.version}' is not servable (${parent.notServableReason ?? 'no sha256'}): nothing to optimize`);
  const evaluation = evaluationOf(parent);
  const parentBytes = await readVerified(ports.store, parent.artifactUri, parent.artifactSha256, `Model artifact of '${req.modelName}@${req.version}'`);
  const parentSignature = onnxSignature(new Uint8Array(parentBytes));
  let features: string[];
  try {
    features = layoutFeatures(modelInputLayout(parentSignature.inputs, parentSignature.metadata, 'Parent model'));
  } catch (e) {
    throw new InvalidArgumentError(`model version '${req.modelName}@${req.version}' does not name its features (ONNX metadata strata.feature_names or strata.inputs): ${(e as Error).message}`);
  }

  const work = await fs.mkdtemp(path.join(os.tmpdir(), 'strata-optimize-'));
  try {
    const parentPath = path.join(work, 'parent.onnx');
    const childPath = path.join(work, 'child.onnx');
    await fs.writeFile(parentPath, parentBytes);
    onProgress(0.05, `running ${req.method}`);
    const tool = await runOptimizerTool(ports.tool, req.method, parentPath, childPath, (p) => onProgress(0.05 + 0.3 * p.progress, p.step));
    const childBytes = await fs.readFile(childPath);

    onProgress(0.4, `reading the evaluation set (${evaluation.trainingSet.id}, event_timestamp ≥ ${evaluation.splitTime})`);
    const t0 = Date.now();
    const measured = await withLocalFiles(ports.store, [evaluation.trainingSet.uri], async ([p]) => {
      const actual = sha256(await fs.readFile(p!));
      if (actual !== evaluation.trainingSet.sha256) throw new IntegrityError(`Training set '${evaluation.trainingSet.id}' has sha256 ${actual}, expected ${evaluation.trainingSet.sha256}`);
      const file = await TrainingSetFile.open(p!);
      try {
        const slice = await file.readSlice(features, evaluation.splitTime, 'eval');
        return await measureSideBySide(new Uint8Array(parentBytes), new Uint8Array(childBytes), slice, features, {
          ...(req.latencyRows !== undefined ? { latencyRows: req.latencyRows } : {}),
          onProgress: (f, step) => onProgress(0.45 + 0.45 * f, step),
        });
      } finally {
        file.close();
      }
    });
    const measureMs = Date.now() - t0;
    const decision = decideOptimization(measured.parent, measured.child, margins);
    const numbers = { parent: measured.parent, child: measured.child, evalRows: measured.evalRows, latencyRows: measured.latencyRows, margins, accuracyDrop: decision.accuracyDrop, rocAucDrop: decision.rocAucDrop };
    if (!decision.accepted) {
      throw new ConflictError(`${req.method} optimization of '${req.modelName}@${req.version}' ${decision.reason} on ${measured.evalRows} evaluation rows; nothing was registered`, { details: numbers });
    }

    onProgress(0.92, 'storing and registering the child version');
    const childSha = sha256(childBytes);
    const stored = await ports.store.put(`artifacts/${req.modelName}/optimized/${req.version}-${req.method}-${childSha.slice(0, 12)}/model.onnx`, childBytes, { contentType: 'application/octet-stream' });
    const { segments: _segments, ...evaluationLineage } = (parent.lineage['evaluation'] ?? {}) as Record<string, unknown>;
    const optimization = { method: req.method, tool: 'onnxruntime', margins, decision: decision.reason, accuracyDrop: decision.accuracyDrop, rocAucDrop: decision.rocAucDrop, parentSizeBytes: measured.parent.sizeBytes, childSizeBytes: measured.child.sizeBytes, parentP50RowLatencyMs: measured.parent.p50RowLatencyMs, childP50RowLatencyMs: measured.child.p50RowLatencyMs, evalRows: measured.evalRows, latencyRows: measured.latencyRows };
    const metrics: Record<string, number> = {
      accuracy: measured.child.accuracy,
      ...(measured.child.rocAuc !== null ? { roc_auc: measured.child.rocAuc } : {}),
      rows: measured.evalRows,
      optimization_accuracy_drop: decision.accuracyDrop,
      ...(decision.rocAucDrop !== null ? { optimization_roc_auc_drop: decision.rocAucDrop } : {}),
      optimization_size_bytes: measured.child.sizeBytes,
      optimization_parent_size_bytes: measured.parent.sizeBytes,
      optimization_p50_row_latency_ms: measured.child.p50RowLatencyMs,
      optimization_parent_p50_row_latency_ms: measured.parent.p50RowLatencyMs,
    };
    const runId = `optimize:${req.modelName}@${req.version}:${req.method}`;
    const body = {
      runId,
      artifactUri: stored.uri,
      artifactSha256: childSha,
      signature: onnxSignature(new Uint8Array(childBytes)),
      metrics,
      params: parent.params,
      lineage: {
        ...parent.lineage,
        evaluation: evaluationLineage,
        parent: { name: parent.name, version: parent.version, artifactSha256: parent.artifactSha256, runId: parent.runId },
        optimization,
      },
      ...(parent.referenceProfileUri && parent.referenceProfileSha256 ? { referenceProfileUri: parent.referenceProfileUri, referenceProfileSha256: parent.referenceProfileSha256 } : {}),
      description: `${req.method} optimization of ${parent.name} version ${parent.version}: ${decision.reason}`,
      tags: { ...parent.tags, optimizedFrom: `${parent.name}@${parent.version}`, optimization: req.method },
    };
    const answer = await ports.registryClient.exchange(RegistryApi.registerModelVersion, { params: { name: req.modelName }, body }, { headers: { 'idempotency-key': runId }, accept: [409] });
    if (answer.status === 409) {
      const existing = (answer.body as { details?: { version?: number } } | undefined)?.details?.version;
      throw new ConflictError(`'${req.modelName}@${req.version}' was already optimized with ${req.method} as version ${String(existing)} with another artifact; nothing new was registered`, { details: { existingVersion: existing ?? null } });
    }
    const child = answer.body;
    onProgress(1, `registered ${req.modelName}@${child.version}`);
    return {
      parent: { name: parent.name, version: parent.version, artifactSha256: parent.artifactSha256 },
      child: { name: child.name, version: child.version, artifactUri: stored.uri, artifactSha256: childSha, created: answer.status === 201 },
      method: req.method,
      decision,
      margins,
      measured,
      sizeRatio: measured.child.sizeBytes / measured.parent.sizeBytes,
      latencySpeedup: measured.parent.p50RowLatencyMs / measured.child.p50RowLatencyMs,
      evaluation: { trainingSet: evaluation.trainingSet.id, splitTime: evaluation.splitTime },
      timingsMs: { tool: tool.elapsedMs, measure: measureMs, total: Date.now() - started },
    };
  } finally {
    await fs.rm(work, { recursive: true, force: true });
  }
}
