import * as ort from 'onnxruntime-node';
import { evaluateBinaryClassifier, type BinaryClassificationReport } from '@strata/shared/util-model-evaluation';
import { InvalidArgumentError } from '@strata/shared/util-errors';
import type { EvaluateModelInput, EvaluateModelOutput } from './activity.types';
import { heartbeat, openTrainingSet, sha256Of, type ActivityScope } from './activity-runtime';
import { ResourceMeter } from './resource-meter';
import { onnxSignature } from '@strata/training/util-trainers';
import { scoreSlice } from './mixed-features'; // issue 18: models over categorical inputs


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
export function createEvaluateActivities({ deps }: ActivityScope) {
  const { objectStore: store, logger } = deps;

  /**
   * Scores the eval slice (`event_timestamp >= splitTime`) and the train slice with the ONNX
   * artifact in onnxruntime-node (verifying its sha256) and computes
   * `evaluateBinaryClassifier` reports (ROC AUC, accuracy, log loss, calibration by decile, …).
   * @throws INVALID_ARGUMENT (non-retryable) when the eval slice is empty;
   *   INTEGRITY_ERROR when the artifact's digest differs.
   */
  async function evaluateModel(input: EvaluateModelInput): Promise<EvaluateModelOutput> {
    const meter = new ResourceMeter();
    const bytes = await sha256Of(input.artifactUri, input.artifactSha256, 'Model artifact', store);
    const session = await ort.InferenceSession.create(new Uint8Array(bytes));
    const signature = onnxSignature(new Uint8Array(bytes));
    try {
      return await openTrainingSet(store, input.trainingSet, async (file) => {
        const evalSlice = await file.readSlice(input.featureNames, input.splitTime, 'eval');
        if (evalSlice.rows.length === 0) throw new InvalidArgumentError(`Training set '${input.trainingSet.id}' has no rows at or after the split ${input.splitTime} to evaluate on`);
        heartbeat({ phase: 'evaluate', slice: 'eval', rows: evalSlice.rows.length }, meter);
        const evalReport = evaluateBinaryClassifier(evalSlice.labels, await scoreSlice(session, signature, evalSlice, input.featureNames));
        const trainSlice = await file.readSlice(input.featureNames, input.splitTime, 'train');
        heartbeat({ phase: 'evaluate', slice: 'train', rows: trainSlice.rows.length }, meter);
        const trainReport = evaluateBinaryClassifier(trainSlice.labels, await scoreSlice(session, signature, trainSlice, input.featureNames));
        const metrics = { ...flatMetrics(evalReport, ''), ...flatMetrics(trainReport, 'train_') };
        logger.log('model evaluated', { runId: input.runId, modelName: input.modelName, metrics });
        return {
          metrics,
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
