import type { InferenceSession } from 'onnxruntime-node';
import { Tensor } from 'onnxruntime-node';
import { assembleModelInputs, type InputBinding } from '@strata/shared/util-model-evaluation';
import { InvalidArgumentError } from '@strata/shared/util-errors';
import type { OnnxModelInfo } from '../onnx-metadata';
import { predictLayout } from '../predict-input';

const NUMERIC_TYPE = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE|REAL|DECIMAL.*|BOOLEAN)$/;
const STRING_TYPE = /^(VARCHAR|TEXT|STRING|ENUM.*)$/;

/** How batch scoring feeds a model and reads its answer. */
export interface BatchModelIo {
  /** The model's inputs and the features each carries (see `modelInputLayout`). */
  layout: InputBinding[];
  /** Features carried by string (BYTES) inputs: their input columns are read as text. */
  stringFeatures: Set<string>;
  probability: string;
  label?: string;
  threshold: number;
}

/**
 * The model's inputs (any layout `/predict` accepts: one FP32/FP64 `[N, F]` matrix, `strata.inputs`
 * with string inputs for categorical features, or one input per feature) and its probability
 * (and optional label) outputs.
 * @throws InvalidArgumentError when the model has no feature names, cannot be fed from named
 *   features, or has no probability output.
 */
export function batchModelIo(info: OnnxModelInfo, what: string): BatchModelIo {
  if (!info.featureNames || info.featureNames.length === 0) throw new InvalidArgumentError(`${what} has no 'strata.feature_names' metadata: batch scoring needs the feature order`);
  const layout = predictLayout(info, what, 'a Parquet input with the model inputs and /v2 inference');
  const probability = info.outputs.find((o) => o.name === 'probability') ?? info.outputs.find((o) => o.datatype === 'FP32' || o.datatype === 'FP64');
  if (!probability) throw new InvalidArgumentError(`${what} has no 'probability' output`);
  const label = info.outputs.find((o) => o.name === 'label');
  const threshold = Number(info.metadata['strata.threshold'] ?? '0.5');
  return {
    layout,
    stringFeatures: new Set(layout.filter((b) => b.datatype === 'BYTES').flatMap((b) => b.features)),
    probability: probability.name,
    ...(label ? { label: label.name } : {}),
    threshold: Number.isFinite(threshold) ? threshold : 0.5,
  };
}

/**
 * Input column of each model feature: the exact name, else (for `view__feature` names) the part
 * after the first `__`. Every column must be numeric or boolean, except the columns of
 * `stringFeatures` (categorical features fed to string inputs), which must be text.
 * @throws InvalidArgumentError naming every feature without a fitting column.
 */
export function mapFeatureColumns(featureNames: readonly string[], columns: ReadonlyArray<{ name: string; type: string }>, stringFeatures: ReadonlySet<string> = new Set()): string[] {
  const typeOf = new Map(columns.map((c) => [c.name, c.type]));
  const problems: string[] = [];
  const mapped = featureNames.map((f) => {
    const candidates = f.includes('__') ? [f, f.slice(f.indexOf('__') + 2)] : [f];
    const hit = candidates.find((c) => typeOf.has(c));
    if (!hit) problems.push(`feature '${f}' has no input column (looked for ${candidates.map((c) => `'${c}'`).join(', ')})`);
    else if (stringFeatures.has(f)) {
      if (!STRING_TYPE.test(typeOf.get(hit)!)) problems.push(`column '${hit}' of categorical feature '${f}' is ${typeOf.get(hit)}, not text`);
    } else if (!NUMERIC_TYPE.test(typeOf.get(hit)!)) problems.push(`column '${hit}' of feature '${f}' is ${typeOf.get(hit)}, not numeric`);
    return hit ?? f;
  });
  if (problems.length > 0) throw new InvalidArgumentError(`Input does not fit the model: ${problems.join('; ')}`, { details: { problems } });
  return mapped;
}

/** DuckDB select expression of each feature column: DOUBLE for numeric features, VARCHAR for categorical ones. */
export function featureSelect(featureNames: readonly string[], featureColumns: readonly string[], stringFeatures: ReadonlySet<string>): string {
  const q = (ident: string): string => `"${ident.replace(/"/g, '""')}"`;
  return featureColumns.map((col, j) => `CAST(${q(col)} AS ${stringFeatures.has(featureNames[j]!) ? 'VARCHAR' : 'DOUBLE'})`).join(', ');
}

/**
 * Scores `n` rows starting at `start` of `data` (rows of feature values in `featureNames` order).
 * @returns P(y = 1) per row (`[N, 1]` → the value, `[N, 2]` → the second column) and the label output when the model has one.
 */
export async function scoreRows(
  session: InferenceSession,
  io: BatchModelIo,
  featureNames: readonly string[],
  data: ReadonlyArray<ReadonlyArray<unknown>>,
  start: number,
  n: number,
): Promise<{ probability: (i: number) => number; label?: (i: number) => number }> {
  const index = new Map(featureNames.map((f, j) => [f, j]));
  const feeds: Record<string, Tensor> = {};
  for (const t of assembleModelInputs(io.layout, n, (i, f) => data[start + i]![index.get(f)!])) {
    feeds[t.name] = t.datatype === 'BYTES' ? new Tensor('string', t.data as string[], t.shape) : new Tensor(t.datatype === 'FP64' ? 'float64' : 'float32', t.data as Float32Array, t.shape);
  }
  const result = await session.run(feeds, [io.probability, ...(io.label ? [io.label] : [])]);
  const prob = result[io.probability]!;
  const perRow = prob.data.length / n;
  const probData = prob.data as Float32Array | Float64Array;
  const labelData = io.label ? (result[io.label]!.data as ArrayLike<number | bigint>) : undefined;
  return {
    probability: (i) => probData[i * perRow + perRow - 1]!,
    ...(labelData ? { label: (i: number) => Number(labelData[i]) } : {}),
  };
}
