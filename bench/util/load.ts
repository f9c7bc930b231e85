/**
 * Shared helpers of the HTTP hot-path benchmarks: autocannon closed loop (max throughput) then
 * open loop at half of that rate (latency at half load), load average; re-exports the CLI helpers of ./cli.
 */
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import autocannon from 'autocannon';

/** One measured target: req/s (mean over the run), latency percentiles in ms. */
export interface BenchRow {
  target: string;
  mode: 'closed' | 'half-load';
  reqPerSec: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  /** req/s relative to the first row (the HTTP floor), filled by the caller. */
  vsFloor?: number;
  /** The server process's CPU time (user + system) per request, µs. */
  cpuUsPerReq?: number;
}

import { arg } from './cli';

export { arg, stackEnv } from './cli';

/** The options of a hot-path script (bench/serving/hot-path.ts, bench/features/online-hot-path.ts). */
export interface HotPathArgs {
  /** `--seconds` (default 5): seconds per closed-loop round and per open-loop run. */
  seconds: number;
  /** `--rounds` (default 3): interleaved closed-loop rounds. */
  rounds: number;
  /** `--connections` (default 16): autocannon connections. */
  connections: number;
  /** `--port` (default `defaultPort`): the hello-world's port; the script's servers use the next ones. */
  port: number;
  /** `--json` (default ''): where to write the result as JSON ('' = nowhere). */
  jsonOut: string;
  /** `--cpu-prof` (default ''): directory for the servers' `node --cpu-prof` profiles ('' = no profiling). */
  cpuProf: string;
  /** `--baseline` as an absolute path (default ''): another checkout to serve from as well. */
  baseline: string;
}

/** Reads {@link HotPathArgs} from argv. */
export function hotPathArgs(defaultPort: number): HotPathArgs {
  const baseline = arg('baseline', '');
  return {
    seconds: Number(arg('seconds', '5')),
    rounds: Number(arg('rounds', '3')),
    connections: Number(arg('connections', '16')),
    port: Number(arg('port', String(defaultPort))),
    jsonOut: arg('json', ''),
    cpuProf: arg('cpu-prof', ''),
    baseline: baseline ? path.resolve(baseline) : '',
  };
}

/** How a hot-path script loads its targets, for {@link runHotPathScript}'s `how`. */
export const hotPathHow = (a: HotPathArgs): string => `autocannon ${a.connections} connections, ${a.rounds} interleaved rounds x ${a.seconds} s closed loop (median), then open loop at half of the max`;

/** 1/5/15-minute load averages, 2 decimals. */
export const loadAverage = (): number[] => os.loadavg().map((l) => Math.round(l * 100) / 100);

/** Polls `probe` every 200 ms until it returns a truthy value; throws after `timeoutMs` or when `child` exits. */
export async function waitFor<T>(probe: () => T | Promise<T>, timeoutMs: number, what: string, child?: ChildProcess): Promise<NonNullable<T>> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (child && child.exitCode !== null) throw new Error(`${what}: process exited with ${child.exitCode}`);
    const v = await probe();
    if (v) return v as NonNullable<T>;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what}: not within ${timeoutMs} ms`);
}

/** One HTTP target of a benchmark; `pid` = the server process (its CPU time per request is reported). */
export interface Target { name: string; url: string; method: 'GET' | 'POST'; headers: Record<string, string>; body?: string; pid?: number }

/** CPU time (user + system) of a process so far, in µs, from /proc (Linux); undefined elsewhere. */
export function processCpuMicros(pid: number): number | undefined {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    // After the command: state is field 3, utime field 14, stime field 15 (clock ticks, USER_HZ = 100).
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / 100;
  } catch {
    return undefined;
  }
}

async function cannon(t: Target, opts: { connections: number; seconds: number; overallRate?: number }): Promise<{ reqPerSec: number; total: number; p50: number; p99: number; non2xx: number; errors: number; cpuUs?: number }> {
  const cpu0 = t.pid ? processCpuMicros(t.pid) : undefined;
  const r = await autocannon({ url: t.url, method: t.method, headers: t.headers, ...(t.body ? { body: t.body } : {}), connections: opts.connections, duration: opts.seconds, ...(opts.overallRate ? { overallRate: opts.overallRate } : {}) });
  const cpu1 = t.pid ? processCpuMicros(t.pid) : undefined;
  return { reqPerSec: r.requests.average, total: r.requests.total, p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors + r.timeouts, ...(cpu0 !== undefined && cpu1 !== undefined ? { cpuUs: cpu1 - cpu0 } : {}) };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

/**
 * Side by side on a shared machine: `rounds` rounds, each running every target in turn closed loop
 * for `seconds` (so a burst of load elsewhere hits all targets alike); per target the MEDIAN
 * round's req/s and latencies, and the server's CPU time per request over all rounds (robust to
 * other processes: it counts only the server's own CPU). Then one open-loop run per target at half
 * its median max (latency at half load). A 2 s warm-up per target comes first.
 */
export async function sideBySide(targets: Target[], opts: { connections: number; seconds: number; rounds: number }): Promise<BenchRow[]> {
  for (const t of targets) await cannon(t, { connections: opts.connections, seconds: 2 });
  const runs = new Map<string, Array<Awaited<ReturnType<typeof cannon>>>>(targets.map((t) => [t.name, []]));
  for (let r = 0; r < opts.rounds; r++) for (const t of targets) runs.get(t.name)!.push(await cannon(t, opts));
  const rows: BenchRow[] = [];
  for (const t of targets) {
    const rs = runs.get(t.name)!;
    const total = rs.reduce((a, x) => a + x.total, 0);
    const cpu = rs.every((x) => x.cpuUs !== undefined) ? rs.reduce((a, x) => a + (x.cpuUs ?? 0), 0) : undefined;
    const closed: BenchRow = {
      target: t.name, mode: 'closed', reqPerSec: median(rs.map((x) => x.reqPerSec)), p50: median(rs.map((x) => x.p50)), p99: median(rs.map((x) => x.p99)),
      non2xx: rs.reduce((a, x) => a + x.non2xx, 0), errors: rs.reduce((a, x) => a + x.errors, 0), ...(cpu !== undefined && total > 0 ? { cpuUsPerReq: cpu / total } : {}),
    };
    rows.push(closed);
  }
  for (const t of targets) {
    const closed = rows.find((r) => r.target === t.name)!;
    const h = await cannon(t, { ...opts, overallRate: Math.max(1, Math.floor(closed.reqPerSec / 2)) });
    rows.push({ target: t.name, mode: 'half-load', reqPerSec: h.reqPerSec, p50: h.p50, p99: h.p99, non2xx: h.non2xx, errors: h.errors, ...(h.cpuUs !== undefined && h.total > 0 ? { cpuUsPerReq: h.cpuUs / h.total } : {}) });
  }
  return rows;
}

/** Prints the rows as a table with the machine and the load average. */
export function printRows(rows: BenchRow[], load: { before: number[]; after: number[] }, how: string): void {
  const cpu = os.cpus();
  process.stdout.write(`\nmachine: ${cpu.length} x ${cpu[0]?.model ?? '?'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB; ${how}; load average before ${load.before.join(' ')}, after ${load.after.join(' ')}\n\n`);
  const head = ['target', 'mode', 'req/s', 'x floor', 'p50 ms', 'p99 ms', 'CPU µs/req', 'non-2xx', 'errors'];
  const lines = rows.map((r) => [r.target, r.mode, r.reqPerSec.toFixed(0), r.vsFloor !== undefined ? r.vsFloor.toFixed(2) : '', r.p50.toFixed(2), r.p99.toFixed(2), r.cpuUsPerReq !== undefined ? r.cpuUsPerReq.toFixed(0) : '', String(r.non2xx), String(r.errors)]);
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (l: string[]): string => l.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ');
  process.stdout.write(`${fmt(head)}\n${widths.map((w) => '-'.repeat(w)).join('-+-')}\n${lines.map(fmt).join('\n')}\n`);
}

/**
 * Runs a hot-path benchmark as a script: prints its rows ({@link printRows}, `how` saying how it
 * was loaded), writes `{ date, ...result }` as JSON to `jsonOut` when it is not empty, and exits
 * 0; on an error prints its stack to stderr and exits 1.
 */
export function runHotPathScript<R extends { rows: BenchRow[]; load: { before: number[]; after: number[] } }>(run: () => Promise<R>, how: string, jsonOut: string): void {
  void run().then(
    (res) => {
      printRows(res.rows, res.load, how);
      if (jsonOut) fs.writeFileSync(jsonOut, JSON.stringify({ date: new Date().toISOString(), ...res }, null, 2));
      process.exit(0);
    },
    (err: unknown) => {
      process.stderr.write(`${String((err as Error).stack ?? err)}\n`);
      process.exit(1);
    },
  );
}
