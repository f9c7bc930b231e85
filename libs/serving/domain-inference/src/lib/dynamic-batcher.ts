import type { TensorBuffer, ValidatedTensor } from './oip-validation';
import type { RunOutput } from './model-repository';

/** Dynamic batching of one model (Triton's `dynamic_batching`): `SERVING_BATCHING`. */
export interface BatchingOptions {
  /** Most rows (sum of the callers' first dimensions) run together. */
  maxBatchSize: number;
  /** Longest a request waits for others before its batch runs, ms. */
  maxDelayMs: number;
}

/** Runs a set of input tensors once (the model's session). */
export type BatchRunner = (inputs: ValidatedTensor[], outputNames: string[]) => Promise<{ outputs: RunOutput[]; seconds: number }>;

interface Pending {
  inputs: ValidatedTensor[];
  rows: number;
  resolve: (r: { outputs: RunOutput[]; seconds: number }) => void;
  reject: (err: unknown) => void;
}

interface Queue {
  outputNames: string[];
  items: Pending[];
  rows: number;
  timer?: NodeJS.Timeout;
}

function concat(parts: TensorBuffer[]): TensorBuffer {
  const first = parts[0]!;
  if (Array.isArray(first)) return (parts as string[][]).flat();
  const total = parts.reduce((n, p) => n + p.length, 0);
  const Ctor = first.constructor as new (n: number) => Exclude<TensorBuffer, string[]>;
  const out = new Ctor(total);
  let offset = 0;
  for (const p of parts as Array<Exclude<TensorBuffer, string[]>>) {
    (out as unknown as { set(a: ArrayLike<unknown>, o: number): void }).set(p as ArrayLike<unknown>, offset);
    offset += p.length;
  }
  return out;
}

/**
 * Collects concurrent requests of one model whose inputs have the same names, datatypes and
 * trailing dimensions (and ask for the same outputs), concatenates them along the first
 * (batch) dimension, runs the model once, and hands every caller exactly its own rows of each
 * output (rows `[offset, offset + n)` of a batch, in submission order).
 *
 * A batch runs when it reaches `maxBatchSize` rows or `maxDelayMs` after its first request.
 * Requests with more rows than `maxBatchSize`, or whose outputs do not keep the batch dimension,
 * run alone. If a batched run fails, each request of the batch is re-run alone, so one caller's
 * failure never fails another caller.
 */
export class DynamicBatcher {
  private readonly queues = new Map<string, Queue>();

  constructor(
    private readonly options: BatchingOptions,
    private readonly runner: BatchRunner,
  ) {}

  /** Submits one request's validated inputs (all of shape `[n, ...]`, the same n). */
  run(inputs: ValidatedTensor[], outputNames: string[]): Promise<{ outputs: RunOutput[]; seconds: number }> {
    const rows = inputs[0]?.shape[0];
    if (rows === undefined || rows === 0 || rows > this.options.maxBatchSize || inputs.some((t) => t.shape.length === 0 || t.shape[0] !== rows)) {
      return this.runner(inputs, outputNames);
    }
    const key = `${outputNames.join(',')}|${inputs.map((t) => `${t.name}:${t.datatype}:${t.shape.slice(1).join('x')}`).sort().join(';')}`;
    return new Promise((resolve, reject) => {
      let q = this.queues.get(key);
      if (q && q.rows + rows > this.options.maxBatchSize) {
        this.flush(key, q);
        q = undefined;
      }
      if (!q) {
        q = { outputNames, items: [], rows: 0 };
        this.queues.set(key, q);
        const queue = q;
        q.timer = setTimeout(() => this.flush(key, queue), this.options.maxDelayMs);
      }
      q.items.push({ inputs, rows, resolve, reject });
      q.rows += rows;
      if (q.rows >= this.options.maxBatchSize) this.flush(key, q);
    });
  }

  private flush(key: string, q: Queue): void {
    if (this.queues.get(key) === q) this.queues.delete(key);
    if (q.timer) clearTimeout(q.timer);
    q.timer = undefined;
    if (q.items.length === 0) return;
    void this.execute(q);
  }

  private async execute(q: Queue): Promise<void> {
    const items = q.items;
    if (items.length === 1) {
      const only = items[0]!;
      return this.runner(only.inputs, q.outputNames).then(only.resolve, only.reject);
    }
    const names = items[0]!.inputs.map((t) => t.name);
    const merged: ValidatedTensor[] = names.map((name) => {
      const parts = items.map((it) => it.inputs.find((t) => t.name === name)!);
      return { name, datatype: parts[0]!.datatype, shape: [q.rows, ...parts[0]!.shape.slice(1)], data: concat(parts.map((p) => p.data)) };
    });
    let result: { outputs: RunOutput[]; seconds: number };
    try {
      result = await this.runner(merged, q.outputNames);
    } catch {
      for (const it of items) this.runner(it.inputs, q.outputNames).then(it.resolve, it.reject);
      return;
    }
    if (result.outputs.some((o) => o.shape[0] !== q.rows || o.data.length % q.rows !== 0)) {
      // The outputs do not keep the batch dimension: the split would be ambiguous.
      for (const it of items) this.runner(it.inputs, q.outputNames).then(it.resolve, it.reject);
      return;
    }
    let offset = 0;
    for (const it of items) {
      const start = offset;
      offset += it.rows;
      it.resolve({
        seconds: result.seconds,
        outputs: result.outputs.map((o) => {
          const per = o.data.length / q.rows;
          return { name: o.name, datatype: o.datatype, shape: [it.rows, ...o.shape.slice(1)], data: o.data.slice(start * per, (start + it.rows) * per) };
        }),
      });
    }
  }
}
