import * as ort from 'onnxruntime-node';
import { evaluateBinaryClassifier, type BinaryClassificationReport } from '@strata/shared/util-model-evaluation';
import { InvalidArgumentError } from '@strata/shared/util-errors';
import type { EvaluateModelInput, EvaluateModelOutput } from './activity.types';
import { heartbeat, openTrainingSet, sha256Of, type ActivityScope } from './activity-runtime';
import { ResourceMeter } from './resource-meter';
import { onnxSignature } from '@strata/training/util-trainers';
import { scoreSlice } from './mixed-features'; // issue 18: models over categorical inputs
import { evaluationSegments, segmentColumnOf } from './evaluation-segments';


function flatMetrics(report: BinaryClassificationReport, prefix: string): Record<string, number> {
  const m: Record<string, number> = {
    [`${prefix}accuracy`]: report.accuracy,
    [`${prefix}log_loss`]: report.logLoss,
    [`${prefix}brier_score`]: report.brierScore,
    [`${prefix}precision`]: report.precision,
    [`${prefix}recall`]: report.recall,
    [`${prefix}f1`]: report.f1,
    [`${prefix}expected_calibration_error`]: report.expectedCalibrationError,
    [`${prefix}rows`]: report.count,
    [`${prefix}positive_rate`]: report.positiveRate,
  };
  if (report.rocAuc !== null) m[`${prefix}roc_auc`] = report.rocAuc;
  return m;
}

/** The evaluate activity: scores the eval and train slices with the ONNX artifact. */
export function createEvaluateActivities({ deps, peers }: ActivityScope) {
  const { objectStore: store, logger } = deps;

  /**
   * The promotion policy's `fairness.segment` of the model and its numeric `buckets` (issue #17),
   * or null (no model, no policy, no gate). Best effort: when the registry cannot answer, the run
   * goes on without it (logged) — a gate then refuses the version for lack of per-group
   * evaluation, never passes it.
   */
  async function policySegment(modelName: string): Promise<{ segment: string; buckets: number[] | null } | null> {
    try {
      const policy = await peers.registry.getPromotionPolicy({ params: { name: modelName } });
      const f = policy.fairness as { segment: string; buckets?: unknown } | null | undefined;
      if (!f) return null;
      const buckets = Array.isArray(f.buckets) && f.buckets.length > 0 && f.buckets.every((x) => typeof x === 'number' && Number.isFinite(x)) ? (f.buckets as number[]) : null;
      return { segment: f.segment, buckets };
    } catch (e) {
      if ((e as { code?: string }).code !== 'NOT_FOUND') logger.warn('promotion policy not read; evaluating without its fairness segment', { modelName, error: e instanceof Error ? e.message : String(e) });
      return null;
    }
  }

  /**
   * Scores the eval slice (`event_timestamp >= splitTime`) and the train slice with the ONNX
   * artifact in onnxruntime-node (verifying its sha256) and computes
   * `evaluateBinaryClassifier` reports (ROC AUC, accuracy, log loss, calibration by decile, …),
   * and the eval slice's per-group counts per segment (`segments`, see evaluation-segments.ts).
   * @throws INVALID_ARGUMENT (non-retryable) when the eval slice is empty;
   *   INTEGRITY_ERROR when the artifact's digest differs.
   */
  async function evaluateModel(input: EvaluateModelInput): Promise<EvaluateModelOutput> {
    const meter = new ResourceMeter();
    const bytes = await sha256Of(input.artifactUri, input.artifactSha256, 'Model artifact', store);
    const session = await ort.InferenceSession.create(new Uint8Array(bytes));
    const signature = onnxSignature(new Uint8Array(bytes));
    const wanted = await policySegment(input.modelName);
    try {
      return await openTrainingSet(store, input.trainingSet, async (file) => {
        const policyColumn = wanted === null ? null : segmentColumnOf(file.columns.map((c) => c.name), wanted.segment);
        if (wanted !== null && policyColumn === null) logger.warn('the promotion policy segment is not a column of the training set', { runId: input.runId, segment: wanted.segment });
        // a numeric policy segment with buckets: bucketed as monitoring's segment config does (evaluation-segments.ts)
        const buckets = new Map<string, number[]>(policyColumn !== null && wanted?.buckets && !file.isCategorical(policyColumn) ? [[policyColumn, wanted.buckets]] : []);
        const extra = policyColumn !== null && !(input.featureNames.includes(policyColumn) && file.isCategorical(policyColumn)) ? [policyColumn] : [];
        const evalSlice = await file.readSlice(input.featureNames, input.splitTime, 'eval', extra);
        if (evalSlice.rows.length === 0) throw new InvalidArgumentError(`Training set '${input.trainingSet.id}' has no rows at or after the split ${input.splitTime} to evaluate on`);
        heartbeat({ phase: 'evaluate', slice: 'eval', rows: evalSlice.rows.length }, meter);
        const evalScores = await scoreSlice(session, signature, evalSlice, input.featureNames);
        const evalReport = evaluateBinaryClassifier(evalSlice.labels, evalScores);
        // the policy's segment first, then every categorical input
        const segmentValues = new Map<string, ReadonlyArray<string | null>>();
        if (policyColumn !== null) segmentValues.set(policyColumn, evalSlice.extra?.[policyColumn] ?? evalSlice.categoricalRows.map((r) => r[evalSlice.categoricalFeatures.indexOf(policyColumn)] ?? null));
        evalSlice.categoricalFeatures.forEach((f, j) => segmentValues.set(f, evalSlice.categoricalRows.map((r) => r[j] ?? null)));
        const segments = evaluationSegments(segmentValues, evalSlice.labels, evalScores, buckets);
        const trainSlice = await file.readSlice(input.featureNames, input.splitTime, 'train');
        heartbeat({ phase: 'evaluate', slice: 'train', rows: trainSlice.rows.length }, meter);
        const trainReport = evaluateBinaryClassifier(trainSlice.labels, await scoreSlice(session, signature, trainSlice, input.featureNames));
        const metrics = { ...flatMetrics(evalReport, ''), ...flatMetrics(trainReport, 'train_') };
        logger.log('model evaluated', { runId: input.runId, modelName: input.modelName, metrics });
        return {
          metrics,
          segments,
          report: { eval: evalReport as unknown as Record<string, unknown>, train: trainReport as unknown as Record<string, unknown> },
          resources: meter.finish(),
        };
      });
    } finally {
      await session.release();
    }
  }

  return { evaluateModel };
}
