import * as ort from 'onnxruntime-node';
import { scoreSlice, type TrainingSlice } from '@strata/training/activities';
import { assembleModelInputs, evaluateBinaryClassifier, modelInputLayout, type InputBinding } from '@strata/shared/util-model-evaluation';
import { InvalidArgumentError } from '@strata/shared/util-errors';
import { onnxSignature } from '@strata/training/util-trainers';
import { percentile, type QualityOnEvaluation } from './optimization-decision';

/** One model's numbers in a side-by-side measurement. */
export interface ModelMeasure extends QualityOnEvaluation {
  /** Size of the ONNX file, bytes. */
  sizeBytes: number;
  /** Median wall time of one single-row `session.run`, milliseconds. */
  p50RowLatencyMs: number;
  /** 90th percentile of the same, milliseconds. */
  p90RowLatencyMs: number;
  /** Median over batches of {@link BATCH_ROWS} rows of (batch `session.run` wall time / rows), milliseconds per row; null when the evaluation set has fewer rows. */
  p50BatchedRowLatencyMs: number | null;
}

/** Rows per batch of the batched latency. */
export const BATCH_ROWS = 256;
/** Batches timed per model at most. */
const MAX_BATCHES = 40;

/** Result of {@link measureSideBySide}. */
export interface SideBySide {
  parent: ModelMeasure;
  child: ModelMeasure;
  /** Rows of the evaluation set scored by both models (accuracy, ROC AUC). */
  evalRows: number;
  /** Rows timed one at a time by each model (the first rows of the evaluation set, in event order). */
  latencyRows: number;
  /** onnxruntime-node session options of both models (serving's: 1 intra-op thread, 1 inter-op thread, graph optimization `all`). */
  session: { intraOpNumThreads: number; interOpNumThreads: number; graphOptimizationLevel: string };
}

/** Options of {@link measureSideBySide}. */
export interface SideBySideOptions {
  /** Rows timed per model (default 2000; fewer when the evaluation set is smaller). */
  latencyRows?: number;
  /** Untimed single-row runs per model first (default 100). */
  warmupRows?: number;
  /** Called between phases with a fraction in [0, 1] of this measurement. */
  onProgress?: (progress: number, step: string) => void;
}

const SESSION = { intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all' as const };

/** Feeds of rows `[start, start + rows)` of the slice for a model of this input layout. */
function rowFeeds(layout: readonly InputBinding[], slice: TrainingSlice, start: number, rows = 1): Record<string, ort.Tensor> {
  const numeric = new Map(slice.features.map((f, j) => [f, j]));
  const categorical = new Map(slice.categoricalFeatures.map((f, j) => [f, j]));
  const feeds: Record<string, ort.Tensor> = {};
  const tensors = assembleModelInputs(layout, rows, (i, f) => {
    const j = numeric.get(f);
    return j !== undefined ? slice.rows[start + i]![j] : slice.categoricalRows[start + i]![categorical.get(f)!];
  });
  for (const t of tensors) {
    feeds[t.name] = t.datatype === 'BYTES' ? new ort.Tensor('string', t.data as string[], t.shape) : new ort.Tensor(t.datatype === 'FP64' ? 'float64' : 'float32', t.data as Float32Array, t.shape);
  }
  return feeds;
}

/**
 * Measures a parent and its optimized child in ONE process on the SAME rows, with onnxruntime-node
 * (what serving runs) and serving's session options:
 * - quality: both score every row of `slice` (`scoreSlice`, as the training evaluation does) →
 *   `evaluateBinaryClassifier` accuracy (threshold 0.5) and ROC AUC;
 * - latency: the first `latencyRows` rows, one row per `session.run`, the two models interleaved
 *   row by row (parent first on even rows, child first on odd rows, so neither always runs on a warmer
 *   cache), after `warmupRows` untimed runs each; p50/p90 of `process.hrtime` around each run, ms;
 *   then up to 40 batches of 256 rows, interleaved the same way: p50 of batch time / 256 (ms per row).
 *
 * @param features the model's raw features (the evaluation set's columns it takes)
 * @throws InvalidArgumentError when the slice is empty or a model cannot be loaded or fed
 */
export async function measureSideBySide(parentBytes: Uint8Array, childBytes: Uint8Array, slice: TrainingSlice, features: readonly string[], options: SideBySideOptions = {}): Promise<SideBySide> {
  const n = slice.labels.length;
  if (n === 0) throw new InvalidArgumentError('The evaluation set has no rows to measure on');
  const progress = options.onProgress ?? (() => undefined);
  const models = [parentBytes, childBytes] as const;
  const sessions: ort.InferenceSession[] = [];
  try {
    for (const [i, bytes] of models.entries()) {
      try {
        sessions.push(await ort.InferenceSession.create(bytes, SESSION));
      } catch (e) {
        throw new InvalidArgumentError(`onnxruntime-node cannot load the ${i === 0 ? 'parent' : 'optimized'} model: ${(e as Error).message}`);
      }
    }
    const signatures = models.map((b) => onnxSignature(b));
    const quality: QualityOnEvaluation[] = [];
    for (const [i, session] of sessions.entries()) {
      progress(0.1 + 0.3 * i, `scoring ${n} evaluation rows with the ${i === 0 ? 'parent' : 'child'}`);
      const report = evaluateBinaryClassifier(slice.labels, await scoreSlice(session, signatures[i]!, slice, features));
      quality.push({ accuracy: report.accuracy, rocAuc: report.rocAuc });
    }
    const latencyRows = Math.min(n, options.latencyRows ?? 2000);
    const warmup = Math.min(n, options.warmupRows ?? 100);
    const layouts = sessions.map((_, i) => modelInputLayout(signatures[i]!.inputs, withNames(signatures[i]!.metadata, features), 'Model'));
    const feeds = layouts.map((layout) => Array.from({ length: Math.max(latencyRows, warmup) }, (_r, row) => rowFeeds(layout, slice, row)));
    progress(0.7, `timing ${latencyRows} single-row runs per model`);
    for (let r = 0; r < warmup; r++) for (const [i, s] of sessions.entries()) await s.run(feeds[i]![r]!);
    const times = [new Float64Array(latencyRows), new Float64Array(latencyRows)];
    const timed = async (i: number, f: Record<string, ort.Tensor>): Promise<number> => {
      const t0 = process.hrtime.bigint();
      await sessions[i]!.run(f);
      return Number(process.hrtime.bigint() - t0) / 1e6;
    };
    for (let r = 0; r < latencyRows; r++) for (const i of r % 2 === 0 ? [0, 1] : [1, 0]) times[i]![r] = await timed(i, feeds[i]![r]!);
    const batches = Math.min(MAX_BATCHES, Math.floor(n / BATCH_ROWS));
    progress(0.85, `timing ${batches} batches of ${BATCH_ROWS} rows per model`);
    const batchFeeds = layouts.map((layout) => Array.from({ length: batches }, (_b, b) => rowFeeds(layout, slice, b * BATCH_ROWS, BATCH_ROWS)));
    const batchTimes = [new Float64Array(batches), new Float64Array(batches)];
    for (let b = 0; b < batches; b++) for (const i of b % 2 === 0 ? [0, 1] : [1, 0]) batchTimes[i]![b] = (await timed(i, batchFeeds[i]![b]!)) / BATCH_ROWS;
    progress(1, 'measured');
    const measure = (i: number): ModelMeasure => ({
      ...quality[i]!,
      sizeBytes: models[i]!.byteLength,
      p50RowLatencyMs: percentile(times[i]!, 50),
      p90RowLatencyMs: percentile(times[i]!, 90),
      p50BatchedRowLatencyMs: batches === 0 ? null : percentile(batchTimes[i]!, 50),
    });
    return { parent: measure(0), child: measure(1), evalRows: n, latencyRows, session: { ...SESSION } };
  } finally {
    for (const s of sessions) await s.release();
  }
}

/** metadata with `strata.feature_names` = `features` when the model names neither its features nor its inputs (as scoreSlice). */
function withNames(metadata: Record<string, string>, features: readonly string[]): Record<string, string> {
  return metadata['strata.feature_names'] === undefined && metadata['strata.inputs'] === undefined ? { ...metadata, 'strata.feature_names': JSON.stringify(features) } : metadata;
}
