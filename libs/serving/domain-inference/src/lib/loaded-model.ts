/** A loaded model version: the sha256-verified ONNX artifact opened as an onnxruntime session, and its load-state shapes. */
import { createHash } from 'node:crypto';
import type { Logger } from '@nestjs/common';
import type { ObjectStore } from '@strata/shared/data-access-object-store';
import { AppError, IntegrityError, InvalidArgumentError, NotFoundError, UnavailableError } from '@strata/shared/util-errors';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { DynamicBatcher, type BatchingOptions } from './dynamic-batcher';
import { readOnnxModelInfo, type OnnxModelInfo } from './onnx-metadata';
import type { ValidatedTensor } from './oip-validation';
import { servingMetrics } from './serving.metrics';

/** What the repository needs to load a model version (a subset of the registry's ModelVersion). */
export interface ModelVersionDescriptor {
  name: string;
  version: number;
  /** `file://` URI of the ONNX artifact in the object store. */
  artifactUri: string;
  /** Lowercase hex sha256 the artifact bytes must have. */
  artifactSha256: string;
}

/** Load state of one model version. */
export type ModelVersionState = 'LOADING' | 'READY' | 'FAILED' | 'UNLOADED';

/** Status of one model version as reported by `GET /models` and the ready endpoints. */
export interface ModelVersionStatus {
  name: string;
  version: number;
  state: ModelVersionState;
  /** Aliases currently pointing at this version. */
  aliases: string[];
  artifactUri: string;
  artifactSha256: string;
  /** Why the last load failed (sha256 mismatch, unreadable artifact, bad ONNX). */
  error?: string;
  /** ISO time of the last state change. */
  updatedAt: string;
}

/** One output tensor of a run, JSON-ready. */
export interface RunOutput {
  name: string;
  datatype: string;
  shape: number[];
  data: Array<number | string | boolean>;
}

const ORT_TYPE: Record<string, Tensor.Type> = {
  FP32: 'float32', FP64: 'float64', INT8: 'int8', INT16: 'int16', INT32: 'int32', INT64: 'int64',
  UINT8: 'uint8', UINT16: 'uint16', UINT32: 'uint32', UINT64: 'uint64', BOOL: 'bool', BYTES: 'string',
};
const OIP_TYPE: Record<string, string> = {
  float32: 'FP32', float64: 'FP64', int8: 'INT8', int16: 'INT16', int32: 'INT32', int64: 'INT64',
  uint8: 'UINT8', uint16: 'UINT16', uint32: 'UINT32', uint64: 'UINT64', bool: 'BOOL', string: 'BYTES', float16: 'FP16',
};

/**
 * Reads a model version's ONNX artifact from the object store, checks that its sha256 equals
 * the registry's `artifactSha256`, decodes the signature and opens an onnxruntime session. Used
 * by the {@link ModelRepository} and by batch scoring.
 * @throws IntegrityError on a sha256 mismatch (nothing is loaded); NotFoundError when the
 *   artifact is missing; InvalidArgumentError for a foreign URI or bytes onnxruntime cannot load;
 *   UnavailableError when the store cannot be read.
 */
export async function openVerifiedModel(
  store: ObjectStore,
  d: ModelVersionDescriptor,
  threads: { ortThreads: number; ortInterOpThreads: number },
): Promise<{ sha256: string; info: OnnxModelInfo; session: InferenceSession }> {
  let bytes: Buffer;
  try {
    bytes = await store.getBuffer(store.resolve(d.artifactUri));
  } catch (err) {
    if (err instanceof AppError) throw err;
    const code = (err as { code?: string }).code;
    const what = `Artifact of '${d.name}@${d.version}' cannot be read from ${d.artifactUri}: ${(err as Error).message}`;
    if (code === 'OBJECT_NOT_FOUND') throw new NotFoundError(what, { cause: err });
    if (code === 'FOREIGN_URI' || code === 'INVALID_OBJECT_KEY') throw new InvalidArgumentError(what, { cause: err });
    throw new UnavailableError(what, { cause: err });
  }
  const actual = createHash('sha256').update(bytes).digest('hex');
  if (actual !== d.artifactSha256.toLowerCase()) {
    throw new IntegrityError(
      `Artifact of model version '${d.name}@${d.version}' has sha256 ${actual}, the registry recorded ${d.artifactSha256}: refused`,
      { details: { model: d.name, version: d.version, expected: d.artifactSha256, actual, artifactUri: d.artifactUri, sizeBytes: bytes.length } },
    );
  }
  const info = readOnnxModelInfo(bytes);
  let session: InferenceSession;
  try {
    session = await InferenceSession.create(bytes, {
      intraOpNumThreads: threads.ortThreads,
      interOpNumThreads: threads.ortInterOpThreads,
      graphOptimizationLevel: 'all',
    });
  } catch (err) {
    throw new InvalidArgumentError(`onnxruntime cannot load '${d.name}@${d.version}': ${(err as Error).message}`, { cause: err });
  }
  return { sha256: actual, info, session };
}

/**
 * A loaded, immutable model version: its onnxruntime session and signature. Runs are counted
 * so a retired version's session is released only after its last in-flight request finished.
 */
export class LoadedModel {
  private inflight = 0;
  private retired = false;
  private released = false;
  private readonly batcher: DynamicBatcher | undefined;

  /** `batching`: dynamic batching of this model (only used when every input has a dynamic first dimension). */
  constructor(
    readonly name: string,
    readonly version: number,
    readonly sha256: string,
    readonly info: OnnxModelInfo,
    private readonly session: InferenceSession,
    private readonly logger: Logger,
    batching?: BatchingOptions,
  ) {
    const batchable = info.inputs.length > 0 && info.inputs.every((t) => t.shape[0] === -1);
    this.batcher = batching && batchable ? new DynamicBatcher(batching, (inputs, outputs) => this.runDirect(inputs, outputs)) : undefined;
  }

  /** True when requests of this version are dynamically batched. */
  get batched(): boolean {
    return this.batcher !== undefined;
  }

  /** Marks a run as started; pair with {@link release}. Called synchronously at resolve time. */
  acquire(): void {
    this.inflight++;
  }

  /** Ends a run started by {@link acquire}; frees the session if retired and idle. */
  release(): void {
    this.inflight--;
    this.maybeFree();
  }

  /** No alias points here any more: free the session once idle. */
  retire(): void {
    this.retired = true;
    this.maybeFree();
  }

  /** True once retired (no longer addressable). */
  get isRetired(): boolean {
    return this.retired;
  }

  /**
   * Runs the session. `inputs` were validated against {@link info}; `outputNames` ⊆ outputs.
   * With dynamic batching on, the request may run together with concurrent ones; it still gets
   * exactly its own rows (see {@link DynamicBatcher}); `seconds` is then the batch's run time.
   * @returns outputs in `outputNames` order, data flattened row-major, int64 as JS numbers.
   */
  run(inputs: ValidatedTensor[], outputNames: string[]): Promise<{ outputs: RunOutput[]; seconds: number }> {
    return this.batcher ? this.batcher.run(inputs, outputNames) : this.runDirect(inputs, outputNames);
  }

  /** Runs the session now, alone (no batching). Same contract as {@link run}. */
  async runDirect(inputs: ValidatedTensor[], outputNames: string[]): Promise<{ outputs: RunOutput[]; seconds: number }> {
    const feeds: Record<string, Tensor> = {};
    for (const t of inputs) feeds[t.name] = new Tensor(ORT_TYPE[t.datatype] as 'float32', t.data as Float32Array, t.shape);
    const started = process.hrtime.bigint();
    const result = await this.session.run(feeds, outputNames);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    servingMetrics.inferenceDuration.observe({ model: this.name, version: String(this.version) }, seconds);
    const outputs = outputNames.map((name) => {
      const t = result[name] as Tensor;
      const raw = t.data as ArrayLike<number | bigint | string>;
      const data: Array<number | string | boolean> =
        t.type === 'bool' ? Array.from(raw as Uint8Array, (v) => v !== 0) : Array.from(raw, (v) => (typeof v === 'bigint' ? Number(v) : v));
      return { name, datatype: OIP_TYPE[t.type] ?? t.type.toUpperCase(), shape: t.dims.map(Number), data };
    });
    return { outputs, seconds };
  }

  private maybeFree(): void {
    if (this.retired && this.inflight === 0 && !this.released) {
      this.released = true;
      this.session.release().catch((err: unknown) => this.logger.warn({ model: this.name, version: this.version, err: String(err) }, 'session release failed'));
    }
  }
}
