import { createHash } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { InferenceSession } from 'onnxruntime-node';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import { BatchScoringJobEntity, BatchScoringJobStatus } from '@strata/serving/data-access';
import type { BatchScoringActivities, BatchScoringInput, BatchScoringOutput, BatchScoringPlan, ScoredChunk } from '@strata/serving/workflows';
import { withLocalFiles, type ObjectStore } from '@strata/shared/data-access-object-store';
import { ServiceClient } from '@strata/shared/data-access-strata-client';
import { DatasetVersionSchema, IngestionApi } from '@strata/contracts/api';
import { AppError, InvalidArgumentError, NotFoundError } from '@strata/shared/util-errors';
import { openVerifiedModel, type ModelVersionDescriptor } from '../model-repository';
import type { OnnxModelInfo } from '../onnx-metadata';
import type { RegistryClient } from '../registry.client';
import { batchModelIo, featureSelect, mapFeatureColumns, scoreRows } from './batch-model-io';
import { buildModelFeatures, trainingSetDefinitionOf } from './dataset-features';

export { mapFeatureColumns } from './batch-model-io';

/** Default rows per `scoreChunk` call. */
export const DEFAULT_BATCH_CHUNK_ROWS = 10_000;
/** Rows per onnxruntime `run` inside a chunk (a heartbeat after each). */
const SUB_BATCH_ROWS = 2048;
/** Output columns appended after the pass-through columns. */
export const PREDICTION_COLUMN = 'prediction';
export const PROBABILITY_COLUMN = 'probability';
/** Default event-time column copied to the output when present. */
export const EVENT_TIME_COLUMN = 'event_timestamp';

/** Dependencies of {@link createBatchScoringActivities}. */
export interface BatchScoringDeps {
  /** Object store holding the inputs, the model artifacts and the outputs (`batch-scoring/<jobId>/…`). */
  store: ObjectStore;
  /** Serving's DataSource (schema with `batch_scoring_job`). */
  dataSource: DataSource;
  registry: Pick<RegistryClient, 'getVersion' | 'getAlias'>;
  /** Ingestion base URL (`GET /datasets/{name}/versions/{versionId}` → `uri`). */
  ingestionUrl: string;
  httpTimeoutMs: number;
  ortThreads: number;
  ortInterOpThreads: number;
  /** Default rows per chunk when the input does not say (default {@link DEFAULT_BATCH_CHUNK_ROWS}). */
  chunkRows?: number;
  /**
   * Registry and features base URLs: with both, a dataset-version input is turned into the model's
   * features by building its training-set definition over that version (see `dataset-features.ts`).
   */
  registryUrl?: string;
  featuresUrl?: string;
  /** How long `prepareBatchScoring` waits for that build before a retry resumes waiting, ms (default 90 000). */
  featuresBuildWaitMs?: number;
}

function activityContext(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined; // called directly (tests)
  }
}

/** The part of an ingestion dataset version batch scoring reads (the contract's field). */
const DatasetVersionBody = z.looseObject({ uri: DatasetVersionSchema.shape.uri.min(1) });

const q = (ident: string): string => `"${ident.replace(/"/g, '""')}"`;
const lit = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/** Object key prefix of everything a job writes. */
export function batchScoringPrefix(jobId: string): string {
  return `batch-scoring/${jobId}/`;
}
/** Key of the final predictions Parquet of a job. */
export function batchScoringOutputKey(jobId: string): string {
  return `${batchScoringPrefix(jobId)}predictions.parquet`;
}
function partKey(jobId: string, chunkIndex: number): string {
  return `${batchScoringPrefix(jobId)}parts/part-${String(chunkIndex).padStart(6, '0')}.parquet`;
}

/** Bad input → non-retryable `ApplicationFailure` (type = error code); transient errors are rethrown for Temporal to retry. */
function toActivityError(err: unknown): unknown {
  if (err instanceof ApplicationFailure) return err;
  if (err instanceof AppError && !err.retryable) return ApplicationFailure.nonRetryable(err.message, err.code, err.details ?? {});
  return err;
}

async function guarded<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toActivityError(err);
  }
}

async function fileSha256(p: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(p)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function withDuckDb<T>(fn: (c: DuckDBConnection) => Promise<T>): Promise<T> {
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  const connection = await instance.connect();
  try {
    return await fn(connection);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/**
 * Columns copied to the output: `requested` (each must exist), or by default the key columns
 * (`id`, `*_id`) and `event_timestamp`, in input order.
 * @throws InvalidArgumentError for unknown or reserved (`prediction`, `probability`) columns.
 */
export function passThroughColumns(columns: ReadonlyArray<{ name: string; type: string }>, requested?: readonly string[]): string[] {
  const names = columns.map((c) => c.name);
  const chosen: string[] = requested ? [...requested] : names.filter((n) => n === 'id' || n.endsWith('_id') || n === EVENT_TIME_COLUMN);
  const missing = chosen.filter((c) => !names.includes(c));
  if (missing.length > 0) throw new InvalidArgumentError(`outputColumns not in the input: ${missing.map((c) => `'${c}'`).join(', ')} (input has ${names.join(', ')})`);
  const reserved = chosen.filter((c) => c === PREDICTION_COLUMN || c === PROBABILITY_COLUMN);
  if (reserved.length > 0) throw new InvalidArgumentError(`outputColumns must not include the prediction columns: ${reserved.join(', ')}`);
  if (new Set(chosen).size !== chosen.length) throw new InvalidArgumentError('outputColumns has duplicates');
  return chosen;
}

/**
 * The batch scoring activities (contract `BatchScoringActivities` of `@strata/serving/workflows`).
 * Model artifacts are sha256-verified on every load (`openVerifiedModel`); the onnxruntime
 * session of the last two model versions is cached per worker.
 */
export function createBatchScoringActivities(deps: BatchScoringDeps): BatchScoringActivities & { close(): Promise<void> } {
  const jobs = () => deps.dataSource.getRepository(BatchScoringJobEntity);
  const sessions = new Map<string, Promise<{ info: OnnxModelInfo; session: InferenceSession }>>();

  const model = (d: ModelVersionDescriptor) => {
    const key = `${d.artifactUri}#${d.artifactSha256}`;
    let entry = sessions.get(key);
    if (!entry) {
      entry = openVerifiedModel(deps.store, d, deps);
      entry.catch(() => sessions.delete(key));
      sessions.set(key, entry);
      while (sessions.size > 2) {
        const [oldest, p] = sessions.entries().next().value as [string, Promise<{ session: InferenceSession }>];
        sessions.delete(oldest);
        void p.then((m) => m.session.release()).catch(() => undefined);
      }
    }
    return entry;
  };

  const removeStaged = async (jobId: string): Promise<void> => {
    for (const o of await deps.store.list(batchScoringPrefix(jobId))) await deps.store.delete(o.key);
  };

  const describeInput = (p: string) =>
    withDuckDb(async (c) => {
      const described = (await c.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${lit(p)})`)).getRowObjectsJS();
      const columns = described.map((r) => ({ name: String(r['column_name']), type: String(r['column_type']) }));
      const count = (await c.runAndReadAll(`SELECT count(*) AS n FROM read_parquet(${lit(p)})`)).getRowObjectsJS()[0]?.['n'];
      return { columns, rowsTotal: Number(count) };
    });

  return {
    prepareBatchScoring: (input: BatchScoringInput): Promise<BatchScoringPlan> =>
      guarded(async () => {
        const what = `Model '${input.modelName}'`;
        let descriptor: ModelVersionDescriptor | undefined;
        if (input.model.version !== undefined) descriptor = await deps.registry.getVersion(input.modelName, input.model.version);
        else {
          const alias = input.model.alias ?? 'champion';
          descriptor = await deps.registry.getAlias(input.modelName, alias);
          if (!descriptor) throw new NotFoundError(`${what} has no alias '${alias}' in the registry`);
        }
        let inputUri = input.inputUri;
        if (!inputUri && input.datasetName && input.versionId && deps.registryUrl && deps.featuresUrl) {
          // issue 18: the model's features over the dataset version, by the same point-in-time join as its training set
          const http = { registryUrl: deps.registryUrl, featuresUrl: deps.featuresUrl, httpTimeoutMs: deps.httpTimeoutMs };
          const definition = await trainingSetDefinitionOf(http, input.modelName, descriptor.version);
          if (definition !== undefined) {
            const ctx = activityContext();
            const resumeBuildId = (ctx?.info.heartbeatDetails as { featuresBuildId?: string } | undefined)?.featuresBuildId;
            const built = await buildModelFeatures(http, {
              definition, datasetName: input.datasetName, versionId: input.versionId, deadlineMs: deps.featuresBuildWaitMs ?? 90_000,
              ...(resumeBuildId ? { resumeBuildId } : {}), onBuild: (featuresBuildId) => ctx?.heartbeat({ featuresBuildId }),
            });
            inputUri = built.uri;
          }
        }
        if (!inputUri) {
          if (!input.datasetName || !input.versionId) throw new InvalidArgumentError('Either inputUri or datasetName + versionId is required');
          const ingestion = new ServiceClient({ baseUrl: deps.ingestionUrl, service: 'ingestion', timeoutMs: deps.httpTimeoutMs });
          const body = await ingestion.call(IngestionApi.getDatasetVersion, { params: { name: input.datasetName, versionId: input.versionId } }, { what: `Dataset version '${input.datasetName}@${input.versionId}'` });
          const parsed = DatasetVersionBody.safeParse(body);
          if (!parsed.success) throw new InvalidArgumentError(`Dataset version '${input.datasetName}@${input.versionId}' has no Parquet uri`);
          inputUri = parsed.data.uri;
        }
        const { info } = await model(descriptor);
        const io = batchModelIo(info, `${what} version ${descriptor.version}`); // validates the signature
        let inputSha256 = '';
        const described = await withLocalFiles(deps.store, [inputUri], async ([p]) => {
          try {
            const d = await describeInput(p!);
            inputSha256 = await fileSha256(p!);
            return d;
          } catch (err) {
            throw new InvalidArgumentError(`Input ${inputUri} is not readable Parquet: ${(err as Error).message}`, { cause: err });
          }
        }).catch((err: unknown) => {
          if ((err as { code?: string }).code === 'OBJECT_NOT_FOUND') throw new NotFoundError(`Input ${inputUri} does not exist`, { cause: err });
          if ((err as { code?: string }).code === 'FOREIGN_URI') throw new InvalidArgumentError(`Input ${inputUri} is not in this service's object store`, { cause: err });
          throw err;
        });
        const featureColumns = mapFeatureColumns(info.featureNames!, described.columns, io.stringFeatures);
        const passThrough = passThroughColumns(described.columns, input.outputColumns);
        const chunkRows = input.chunkRows ?? deps.chunkRows ?? DEFAULT_BATCH_CHUNK_ROWS;
        const plan: BatchScoringPlan = {
          jobId: input.jobId,
          modelName: input.modelName,
          modelVersion: descriptor.version,
          artifactUri: descriptor.artifactUri,
          artifactSha256: descriptor.artifactSha256.toLowerCase(),
          inputUri,
          inputSha256,
          rowsTotal: described.rowsTotal,
          featureNames: info.featureNames!,
          featureColumns,
          passThroughColumns: passThrough,
          chunkRows,
          chunkCount: Math.ceil(described.rowsTotal / chunkRows),
        };
        await jobs().update(
          { jobId: input.jobId },
          { status: BatchScoringJobStatus.RUNNING, modelVersion: plan.modelVersion, inputUri, inputSha256, rowsTotal: plan.rowsTotal, rowsDone: 0, updatedAt: new Date() },
        );
        return plan;
      }),

    scoreChunk: ({ plan, chunkIndex }): Promise<ScoredChunk> =>
      guarded(async () => {
        const ctx = Context.current();
        const from = chunkIndex * plan.chunkRows;
        const to = Math.min(from + plan.chunkRows, plan.rowsTotal);
        const rows = to - from;
        ctx.heartbeat({ chunkIndex, rowsDone: from, rowsTotal: plan.rowsTotal });
        const { info, session } = await model({ name: plan.modelName, version: plan.modelVersion, artifactUri: plan.artifactUri, artifactSha256: plan.artifactSha256 });
        const io = batchModelIo(info, `Model '${plan.modelName}' version ${plan.modelVersion}`);
        const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'strata-batch-score-'));
        try {
          const partFile = path.join(tmp, 'part.parquet');
          await withLocalFiles(deps.store, [plan.inputUri], ([p]) =>
            withDuckDb(async (c) => {
              const src = `read_parquet(${lit(p!)}, file_row_number = true)`;
              const features = featureSelect(plan.featureNames, plan.featureColumns, io.stringFeatures);
              const read = await c.runAndReadAll(
                `SELECT ${features} FROM ${src} WHERE file_row_number >= ${from} AND file_row_number < ${to} ORDER BY file_row_number`,
              );
              const data = read.getRowsJS();
              if (data.length !== rows) throw new Error(`Input ${plan.inputUri} returned ${data.length} rows for chunk ${chunkIndex}, expected ${rows} (file changed?)`);
              await c.run('CREATE TABLE preds (rn BIGINT, prediction INTEGER, probability DOUBLE)');
              const appender = await c.createAppender('preds');
              for (let start = 0; start < rows; start += SUB_BATCH_ROWS) {
                if (ctx.cancellationSignal.aborted) throw ctx.cancellationSignal.reason ?? new Error('cancelled');
                const n = Math.min(SUB_BATCH_ROWS, rows - start);
                const scored = await scoreRows(session, io, plan.featureNames, data, start, n);
                for (let i = 0; i < n; i++) {
                  // [N,1] = P(class 1); [N,2] = [P(0), P(1)].
                  const pr = scored.probability(i);
                  const label = scored.label ? scored.label(i) : pr >= io.threshold ? 1 : 0;
                  appender.appendBigInt(BigInt(from + start + i));
                  appender.appendInteger(label);
                  appender.appendDouble(pr);
                  appender.endRow();
                }
                ctx.heartbeat({ chunkIndex, rowsDone: from + start + n, rowsTotal: plan.rowsTotal });
              }
              appender.closeSync();
              if (ctx.cancellationSignal.aborted) throw ctx.cancellationSignal.reason ?? new Error('cancelled');
              const pass = plan.passThroughColumns.map((col) => `s.${q(col)}`);
              await c.run(
                `COPY (SELECT ${[...pass, `p.${PREDICTION_COLUMN}`, `p.${PROBABILITY_COLUMN}`].join(', ')} FROM ${src} s JOIN preds p ON s.file_row_number = p.rn ORDER BY p.rn)
                 TO ${lit(partFile)} (FORMAT parquet)`,
              );
            }),
          );
          // Cancelled meanwhile: stop before staging the part (the workflow waits for this activity before its cleanup).
          if (ctx.cancellationSignal.aborted) throw ctx.cancellationSignal.reason ?? new Error('cancelled');
          const put = await deps.store.put(partKey(plan.jobId, chunkIndex), createReadStream(partFile), { contentType: 'application/vnd.apache.parquet' });
          await jobs().update({ jobId: plan.jobId }, { rowsDone: to, updatedAt: new Date() });
          return { chunkIndex, rows, partUri: put.uri, partSha256: put.sha256 };
        } finally {
          await fs.rm(tmp, { recursive: true, force: true });
        }
      }),

    finalizeBatchScoring: ({ plan, chunks }): Promise<BatchScoringOutput> =>
      guarded(async () => {
        const ctx = Context.current();
        ctx.heartbeat({ phase: 'finalizing' });
        const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'strata-batch-merge-'));
        try {
          const outFile = path.join(tmp, 'predictions.parquet');
          const ordered = [...chunks].sort((a, b) => a.chunkIndex - b.chunkIndex);
          const rowCount = await withLocalFiles(deps.store, ordered.length > 0 ? ordered.map((c) => c.partUri) : [plan.inputUri], async (paths) => {
            if (ordered.length > 0) {
              for (let i = 0; i < ordered.length; i++) {
                const actual = await fileSha256(paths[i]!);
                if (actual !== ordered[i]!.partSha256) throw new Error(`Part ${ordered[i]!.partUri} has sha256 ${actual}, expected ${ordered[i]!.partSha256}`);
              }
            }
            return withDuckDb(async (c) => {
              const select =
                ordered.length > 0
                  ? `SELECT * EXCLUDE (part_index, file_row_number) FROM (${paths
                      .map((p, i) => `SELECT ${i} AS part_index, * FROM read_parquet(${lit(p)}, file_row_number = true)`)
                      .join(' UNION ALL ')}) ORDER BY part_index, file_row_number`
                  : `SELECT ${[...plan.passThroughColumns.map(q), `CAST(NULL AS INTEGER) AS ${PREDICTION_COLUMN}`, `CAST(NULL AS DOUBLE) AS ${PROBABILITY_COLUMN}`].join(', ')} FROM read_parquet(${lit(paths[0]!)}) LIMIT 0`;
              await c.run(`COPY (${select}) TO ${lit(outFile)} (FORMAT parquet)`);
              const n = (await c.runAndReadAll(`SELECT count(*) AS n FROM read_parquet(${lit(outFile)})`)).getRowObjectsJS()[0]?.['n'];
              return Number(n);
            });
          });
          if (rowCount !== plan.rowsTotal) throw ApplicationFailure.nonRetryable(`Merged ${rowCount} rows, the input has ${plan.rowsTotal}`, 'INTEGRITY_ERROR');
          const put = await deps.store.put(batchScoringOutputKey(plan.jobId), createReadStream(outFile), { contentType: 'application/vnd.apache.parquet' });
          for (const c of ordered) await deps.store.delete(deps.store.resolve(c.partUri));
          await jobs().update(
            { jobId: plan.jobId },
            { status: BatchScoringJobStatus.SUCCEEDED, outputUri: put.uri, outputSha256: put.sha256, rowCount, rowsDone: plan.rowsTotal, updatedAt: new Date(), finishedAt: new Date() },
          );
          return { jobId: plan.jobId, modelVersion: plan.modelVersion, outputUri: put.uri, outputSha256: put.sha256, rowCount };
        } finally {
          await fs.rm(tmp, { recursive: true, force: true });
        }
      }),

    recordBatchScoringFailed: ({ jobId, code, message }) =>
      guarded(async () => {
        await removeStaged(jobId);
        await jobs().update({ jobId }, { status: BatchScoringJobStatus.FAILED, errorCode: code.slice(0, 64), error: message, updatedAt: new Date(), finishedAt: new Date() });
      }),

    recordBatchScoringCancelled: ({ jobId }) =>
      guarded(async () => {
        await removeStaged(jobId);
        await jobs().update({ jobId }, { status: BatchScoringJobStatus.CANCELLED, updatedAt: new Date(), finishedAt: new Date() });
      }),

    async close(): Promise<void> {
      const all = [...sessions.values()];
      sessions.clear();
      for (const p of all) await p.then((m) => m.session.release()).catch(() => undefined);
    },
  };
}
