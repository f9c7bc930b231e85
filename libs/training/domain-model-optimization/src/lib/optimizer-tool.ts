import { spawn } from 'node:child_process';
import { AppError, ErrorCode, InvalidArgumentError, UnavailableError } from '@strata/shared/util-errors';

/** Optimization methods of the step (the Python tool's `--method`). */
export const OPTIMIZATION_METHODS = ['dynamic-int8', 'graph'] as const;
export type OptimizationMethod = (typeof OPTIMIZATION_METHODS)[number];

/** How to run `tools/model-optimization/optimize_onnx.py`. */
export interface OptimizerToolSpec {
  /** Python interpreter with onnx + onnxruntime (`tools/python/model-optimize.requirements.txt`). */
  python: string;
  /** Absolute path of `optimize_onnx.py`. */
  script: string;
  /** Deadline of one run, ms: past it the process group is killed (SIGKILL) and the run fails with 503. */
  timeoutMs: number;
  /** Aborted (e.g. at service shutdown) → the process group is killed and the run fails with 503. */
  signal?: AbortSignal;
}

/** A progress line of the tool (`{"progress": 0..1, "step": "..."}`). */
export interface ToolProgress {
  progress: number;
  step: string;
}

/** The tool's last line on success. */
export interface ToolResult {
  method: OptimizationMethod;
  inputBytes: number;
  outputBytes: number;
  /** Wall time of the tool, ms. */
  elapsedMs: number;
}

const STDERR_TAIL = 4000;

/**
 * Runs the optimizer tool (no shell, own process group) on `input` → `output` and resolves with its
 * result line. Progress lines are passed to `onProgress` as they come.
 *
 * @throws InvalidArgumentError (400) exit 2: the parent model is not a valid ONNX file (stderr tail in the message)
 * @throws AppError INTERNAL (500) any other non-zero exit, or no result line (stderr tail in the message)
 * @throws UnavailableError (503) the tool did not finish within `timeoutMs` (killed), was aborted, or could not be started
 */
export function runOptimizerTool(spec: OptimizerToolSpec, method: OptimizationMethod, input: string, output: string, onProgress: (p: ToolProgress) => void = () => undefined): Promise<ToolResult> {
  const started = Date.now();
  return new Promise<ToolResult>((resolve, reject) => {
    const child = spawn(spec.python, [spec.script, '--method', method, '--input', input, '--output', output], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdoutBuf = '';
    let stderr = '';
    let result: ToolResult | undefined;
    let timedOut = false;
    let aborted = false;
    const killGroup = (): void => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, spec.timeoutMs);
    const onAbort = (): void => {
      aborted = true;
      killGroup();
    };
    spec.signal?.addEventListener('abort', onAbort, { once: true });
    const onLine = (line: string): void => {
      if (!line.trim()) return;
      let msg: Record<string, unknown>;
      try {
        msg = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return; // a library's own print: ignored
      }
      if (msg['done'] === true) result = { method, inputBytes: Number(msg['inputBytes']), outputBytes: Number(msg['outputBytes']), elapsedMs: 0 };
      else if (typeof msg['progress'] === 'number') onProgress({ progress: msg['progress'], step: String(msg['step'] ?? '') });
    };
    child.stdout.on('data', (d: Buffer) => {
      stdoutBuf += d.toString();
      const lines = stdoutBuf.split('\n');
      stdoutBuf = lines.pop() ?? '';
      lines.forEach(onLine);
    });
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-STDERR_TAIL)));
    child.on('error', (e) => {
      clearTimeout(timer);
      spec.signal?.removeEventListener('abort', onAbort);
      reject(new UnavailableError(`model optimizer could not be started (${spec.python}): ${e.message}`));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      spec.signal?.removeEventListener('abort', onAbort);
      onLine(stdoutBuf);
      const tail = stderr.trim();
      if (aborted) return reject(new UnavailableError(`model optimizer (${method}) was stopped: the service is shutting down`));
      if (timedOut) return reject(new UnavailableError(`model optimizer (${method}) did not finish within ${spec.timeoutMs} ms and was killed`, { details: { timeoutMs: spec.timeoutMs } }));
      if (code === 2) return reject(new InvalidArgumentError(`model optimizer refused the parent model: ${tail}`));
      if (code !== 0 || !result) return reject(new AppError(ErrorCode.INTERNAL, `model optimizer (${method}) failed with exit ${String(code)}: ${tail || 'no output'}`));
      resolve({ ...result, elapsedMs: Date.now() - started });
    });
  });
}
