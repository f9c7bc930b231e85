import { spawn, spawnSync } from 'node:child_process';
import { promises as fs, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { InvalidArgumentError } from '@strata/shared/util-errors';
import { nonRetryable } from './activity-errors';

/** An external trainer as configured (`TRAINING_COMMAND_TRAINERS`): argv, run without a shell. */
export interface CommandTrainerSpec {
  /** Program and fixed arguments, e.g. `['/venv/bin/python', 'examples/trainers/sklearn-logistic/train.py']`; the work dir is appended. */
  command: string[];
  /** Working directory of the process (default: the work dir). */
  cwd?: string;
  /** Extra environment variables. */
  env?: Record<string, string>;
}

/** Where captured output goes (one call per chunk; awaited in order). */
export type LogSink = (stream: 'stdout' | 'stderr' | 'system', chunk: string) => Promise<void>;

/** Resources of the child process (and its children), measured from /proc. */
export interface ChildResources {
  /** User + system CPU of the process tree, seconds (`/proc/self/stat` cutime+cstime delta once reaped; sampled otherwise). */
  cpuSeconds: number;
  /** Peak RSS (`VmHWM` of the child, sampled), bytes. */
  peakRssBytes: number;
  /** Mean GPU utilization (%) from `nvidia-smi` samples; null when nvidia-smi is absent. */
  gpuUtilizationPct: number | null;
}

/** Options of {@link runCommandTrainer}. */
export interface RunCommandOptions {
  spec: CommandTrainerSpec;
  workDir: string;
  log: LogSink;
  /** Called about every `heartbeatMs` while the process runs. */
  onHeartbeat: (info: { elapsedMs: number; pid: number }) => void;
  /** Rejects (with the cancellation reason) when the activity is cancelled: the process group is killed. */
  cancelled: Promise<never>;
  heartbeatMs?: number;
  /** Bytes of stderr kept for the failure message (default 2048). */
  stderrTailBytes?: number;
  /** SIGTERM → SIGKILL grace on cancellation, ms (default 5000). */
  killGraceMs?: number;
}

const CLK_TCK = 100;

function selfChildrenCpuSeconds(): number {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is state (field 3); cutime = field 16, cstime = field 17 → indices 13, 14
    return (Number(fields[13]) + Number(fields[14])) / CLK_TCK;
  } catch {
    return 0;
  }
}

function procSample(pid: number): { cpuSeconds: number; hwmBytes: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cpu = (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / CLK_TCK;
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = /VmHWM:\s+(\d+) kB/.exec(status);
    return { cpuSeconds: cpu, hwmBytes: m ? Number(m[1]) * 1024 : 0 };
  } catch {
    return undefined;
  }
}

let nvidiaSmi: boolean | undefined;
/** Whether `nvidia-smi` can be run on this machine (checked once). */
export function hasNvidiaSmi(): boolean {
  if (nvidiaSmi === undefined) {
    const r = spawnSync('nvidia-smi', ['--query-gpu=utilization.gpu', '--format=csv,noheader,nounits'], { timeout: 5000, encoding: 'utf8' });
    nvidiaSmi = r.status === 0 && /\d/.test(r.stdout ?? '');
  }
  return nvidiaSmi;
}

/** Mean utilization (%) over all GPUs now, or undefined. */
export function sampleGpuUtilization(): number | undefined {
  if (!hasNvidiaSmi()) return undefined;
  const r = spawnSync('nvidia-smi', ['--query-gpu=utilization.gpu', '--format=csv,noheader,nounits'], { timeout: 5000, encoding: 'utf8' });
  const values = (r.stdout ?? '').split('\n').map((l) => Number(l.trim())).filter((v) => Number.isFinite(v) && (r.stdout ?? '').trim() !== '');
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : undefined;
}

/**
 * Runs an external trainer with the file contract: `spec.command` + `[workDir]` (no shell),
 * `STRATA_WORK_DIR=<workDir>` in the environment, in its own process group. stdout/stderr are
 * streamed to `log` (UTF-8 chunks, in order); `onHeartbeat` is called every `heartbeatMs`; when
 * `cancelled` rejects, the group gets SIGTERM, then SIGKILL after `killGraceMs`, and the
 * rejection propagates. A non-zero exit (or death by signal) → non-retryable
 * `TRAINER_FAILED` whose message is the exit status and the tail of stderr.
 */
export async function runCommandTrainer(opts: RunCommandOptions): Promise<ChildResources> {
  const { spec, workDir } = opts;
  if (spec.command.length === 0) throw new InvalidArgumentError('command trainer has an empty command');
  const [program, ...args] = spec.command as [string, ...string[]];
  const tailMax = opts.stderrTailBytes ?? 2048;
  let stderrTail = '';
  const cpuBefore = selfChildrenCpuSeconds();
  await opts.log('system', `$ ${[...spec.command, workDir].join(' ')}\n`);
  const child = spawn(program, [...args, workDir], {
    cwd: spec.cwd ?? workDir,
    // Plain text logs: no ANSI colours even when the worker runs under a forced-colour parent
    // (nx/CI set FORCE_COLOR; Node children then colour console.log output). A trainer's own env wins.
    // the trainer process inherits the worker's environment (PATH, the Python venv, ...): not configuration
    // eslint-disable-next-line no-restricted-properties
    env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1', ...spec.env, STRATA_WORK_DIR: workDir, PYTHONUNBUFFERED: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // own process group: cancellation kills the whole tree
  });
  let writes = Promise.resolve();
  const sink = (stream: 'stdout' | 'stderr') => (buf: Buffer) => {
    const text = buf.toString('utf8');
    if (stream === 'stderr') stderrTail = (stderrTail + text).slice(-tailMax);
    writes = writes.then(() => opts.log(stream, text)).catch(() => undefined);
  };
  child.stdout!.on('data', sink('stdout'));
  child.stderr!.on('data', sink('stderr'));
  const started = Date.now();
  let sampledCpu = 0;
  let peak = 0;
  const gpu: number[] = [];
  const sample = () => {
    if (child.pid === undefined) return;
    const s = procSample(child.pid);
    if (s) {
      sampledCpu = Math.max(sampledCpu, s.cpuSeconds);
      peak = Math.max(peak, s.hwmBytes);
    }
  };
  const timer = setInterval(() => {
    sample();
    const g = sampleGpuUtilization();
    if (g !== undefined) gpu.push(g);
    opts.onHeartbeat({ elapsedMs: Date.now() - started, pid: child.pid ?? -1 });
  }, opts.heartbeatMs ?? 1000);
  const killGroup = (signal: NodeJS.Signals) => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
  };
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal }));
  });
  try {
    let cancelledWith: { reason: unknown } | undefined;
    const onCancel = opts.cancelled.catch(async (reason: unknown) => {
      cancelledWith = { reason };
      await opts.log('system', `cancelled: killing process group ${child.pid}\n`).catch(() => undefined);
      killGroup('SIGTERM');
      const hard = setTimeout(() => killGroup('SIGKILL'), opts.killGraceMs ?? 5000);
      await exited.catch(() => undefined);
      clearTimeout(hard);
      throw reason;
    });
    const result = await Promise.race([exited, onCancel]);
    // The exit caused by the kill may settle the race first: cancellation still wins.
    if (cancelledWith) throw cancelledWith.reason;
    await writes;
    const cpu = Math.max(sampledCpu, selfChildrenCpuSeconds() - cpuBefore);
    await opts.log('system', `exit code ${result.code ?? 'null'}${result.signal ? ` signal ${result.signal}` : ''} after ${Date.now() - started} ms, cpu ${cpu.toFixed(2)} s\n`);
    if (result.code !== 0) {
      const status = result.signal ? `was killed by ${result.signal}` : `exited with code ${result.code}`;
      throw nonRetryable('TRAINER_FAILED', `External trainer '${path.basename(program)}' ${status}; stderr tail: ${stderrTail.trim() || '(empty)'}`, { exitCode: result.code, signal: result.signal });
    }
    return { cpuSeconds: cpu, peakRssBytes: peak, gpuUtilizationPct: gpu.length ? gpu.reduce((a, b) => a + b, 0) / gpu.length : null };
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT') throw nonRetryable('TRAINER_FAILED', `External trainer program '${program}' not found`);
    throw e;
  } finally {
    clearInterval(timer);
    if (child.exitCode === null && child.signalCode === null) killGroup('SIGKILL');
  }
}

/** Reads and validates `metrics.json`: an object of finite numbers (others → INVALID_ARGUMENT). */
export async function readTrainerMetrics(file: string): Promise<Record<string, number>> {
  let raw: string;
  try {
    raw = await fs.readFile(file, 'utf8');
  } catch {
    throw nonRetryable('TRAINER_FAILED', `External trainer wrote no metrics.json in ${path.dirname(file)}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (e) {
    throw nonRetryable('TRAINER_FAILED', `metrics.json is not JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw nonRetryable('TRAINER_FAILED', 'metrics.json must be a JSON object of numbers');
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(parsed)) {
    if (!/^[A-Za-z0-9_.-]{1,128}$/.test(k)) throw nonRetryable('TRAINER_FAILED', `metrics.json key '${k}' must be 1-128 chars of A-Za-z0-9_.-`);
    if (typeof v !== 'number' || !Number.isFinite(v)) throw nonRetryable('TRAINER_FAILED', `metrics.json '${k}' must be a finite number, got ${JSON.stringify(v)}`);
    out[k] = v;
  }
  return out;
}

/** A fresh work dir under the OS temp dir (caller removes it). */
export function makeWorkDir(runId: string): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), `strata-train-${runId.slice(0, 8)}-`));
}
