/** Replay of a month's training rows against serving: reads the rows, scores them concurrently with deterministic prediction ids. */
import { createHash } from 'node:crypto';
import { DuckDBInstance } from '@duckdb/node-api';
import type { ModelVersion, StrataClient } from '@strata/shared/data-access-strata-client';
import type { ReplayRecord, ReplayRow, TaxiDemoOptions } from './taxi-demo.types';

/** Feature order of the model input: the ONNX metadata `strata.feature_names` recorded in the registry. */
export function featureNamesOf(version: ModelVersion): string[] {
  const sig = version.signature as { metadata?: Record<string, string> } | undefined;
  const raw = sig?.metadata?.['strata.feature_names'];
  if (!raw) throw new Error(`model version ${version.name}@${version.version} has no strata.feature_names in its signature metadata`);
  return JSON.parse(raw) as string[];
}

export async function readRows(uri: string, featureNames: string[]): Promise<ReplayRow[]> {
  const file = uri.startsWith('file://') ? new URL(uri).pathname : uri;
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  try {
    await conn.run(`SET TimeZone='UTC'`);
    const cols = featureNames.map((f) => `CAST("${f.replace(/"/g, '""')}" AS DOUBLE)`).join(', ');
    const reader = await conn.runAndReadAll(
      `SELECT strftime(event_timestamp::TIMESTAMP, '%Y-%m-%dT%H:%M:%S.000Z') AS t, CAST(label AS INTEGER) AS label, ${cols}
       FROM read_parquet('${file.replace(/'/g, "''")}') ORDER BY event_timestamp`,
    );
    return reader.getRows().map((r) => ({
      eventTime: String(r[0]),
      label: Number(r[1]),
      features: r.slice(2).map((v) => (v === null ? null : Number(v))),
    }));
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

export async function replay(
  client: StrataClient,
  options: TaxiDemoOptions,
  rows: ReplayRow[],
  featureNames: string[],
  log: (line: string) => void,
  idScope: string,
): Promise<ReplayRecord['predictions']> {
  // results[i] is the prediction for rows[i], whatever order the concurrent requests finish in.
  const results: ReplayRecord['predictions'] = new Array(rows.length);
  let next = 0;
  let done = 0;
  let lastReport = Date.now();
  const worker = async (): Promise<void> => {
    while (next < rows.length) {
      const index = next++;
      const row = rows[index]!;
      // Deterministic ids: a re-run of the demo re-sends the same predictions, which monitoring
      // stores once (prediction id is its key), so windows never double count.
      const predictionId = deterministicId(`${idScope}:${index}:${row.eventTime}`);
      const response = await client.infer(options.modelName, {
        id: predictionId,
        // JSON has no NaN: a missing feature travels as the string "NaN" (serving's documented extension)
        inputs: [{ name: 'input', datatype: 'FP32', shape: [1, featureNames.length], data: row.features.map((v) => (v === null ? 'NaN' : v)) }],
        parameters: { prediction_id: predictionId, event_time: row.eventTime },
      });
      const probability = Number(response.outputs.find((o) => o.name === 'probability')?.data[0]);
      const servedVersion = Number((response as { model_version?: string }).model_version);
      results[index] = { predictionId, label: row.label, eventTime: row.eventTime, probability, ...(Number.isFinite(servedVersion) ? { modelVersion: servedVersion } : {}) };
      done++;
      if (Date.now() - lastReport > 2000) {
        lastReport = Date.now();
        log(`  scored ${done}/${rows.length}`);
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 4 }, worker));
  return results;
}

/** A UUID-shaped id derived from `seed` (sha256), stable across runs. */
function deterministicId(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
