/**
 * Benchmark: a large CSV uploaded through the real front door — `strata datasets ingest` (the
 * CLI's streamed upload) into a real ingestion service — measuring the SERVICE's peak RSS and
 * the throughput. Goal (issue 18): a 1 GB CSV under 500 MB RSS.
 *
 * The CSV (default 1024 MB) is generated from the UCI Adult census rows
 * (`../shared/datasets/uci-adult/adult.data.csv`) in the layout of `examples/adult/dataset.yaml`:
 * row i repeats source row i mod 32 561 with `person_id` = i, `event_time` = epoch seconds
 * (one every 3 s from 2024-01-01), `age` and `hours_per_week` shifted by -1/0/+1 (kept in their
 * range). Rows whose `workclass` is `?` (≈5.6%) fail `allowedValues` and are quarantined, as
 * in the example. The file is written once under the OS temp dir and reused (`--csv` to choose it).
 *
 * The service runs from source (`node -r @swc-node/register apps/ingestion/src/main.ts`) on
 * port 3401 (`--port`), auth off, its own PostgreSQL schema `bench_upload` and consumer group,
 * streaming consumer off, lake and DuckDB spill under a temp dir (deleted afterwards), DuckDB
 * memory limit of the service's default unless `--memory-limit`. Kafka and PostgreSQL come
 * from `.stack/env` (the shared stack). RSS is read from `/proc/<pid>/status` every 200 ms
 * (`VmRSS`) and `VmHWM` (the kernel's peak) after the upload. Prints one JSON line:
 * `inputMB`, `seconds` (CLI wall time of the upload, spooling + validation + Parquet + profile),
 * `MBps`, rows, `rssBeforeMB` (service idle, after boot), `peakRssMB` (VmHWM), `cliPeakRssMB` (the uploading CLI), `loadavg`.
 *
 *   set -a; . .stack/env; set +a
 *   node -r @swc-node/register bench/ingestion/upload-service.ts [--mb 1024] [--csv /tmp/x.csv] [--memory-limit 256MB] [--threads 1] [--port 3401]
 * (`MALLOC_ARENA_MAX` in the environment reaches the service: glibc's per-thread arenas hold freed memory).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, promises as fs, readFileSync } from 'node:fs';
import { once } from 'node:events';
import * as os from 'node:os';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { arg } from '../util/cli';

const ROOT = path.resolve(__dirname, '../..');
const targetMB = Number(arg('mb', '1024'));
const csvPath = arg('csv', path.join(os.tmpdir(), `strata-bench-adult-${targetMB}mb.csv`));
const port = Number(arg('port', '3401'));
const memoryLimit = arg('memory-limit', '');
const threads = arg('threads', '');
const DATASET = 'bench_adult_upload';
const mb = (b: number) => Number((b / 1024 / 1024).toFixed(0));

/** Generates the CSV from the Adult rows (streamed writes, bounded memory). */
async function generate(file: string): Promise<void> {
  const src = path.resolve(ROOT, '../shared/datasets/uci-adult/adult.data.csv');
  const base: string[][] = [];
  for await (const line of createInterface({ input: createReadStream(src) })) {
    const f = line.split(',').map((s) => s.trim());
    if (f.length === 15) base.push(f);
  }
  const tmp = `${file}.part`;
  const out = createWriteStream(tmp, { highWaterMark: 1 << 20 });
  const header = 'person_id,event_time,age,workclass,education,education_num,marital_status,occupation,relationship,race,sex,capital_gain,capital_loss,hours_per_week,native_country,income\n';
  let bytes = header.length;
  let chunk = header;
  const t0 = 1_704_067_200; // 2024-01-01T00:00:00Z
  const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
  const target = targetMB * 1024 * 1024;
  for (let i = 1; bytes < target; i++) {
    // r: [age, workclass, fnlwgt, education, education_num, marital, occupation, relationship, race, sex, gain, loss, hours, country, income]
    const r = base[(i - 1) % base.length]!;
    const shift = (i % 3) - 1;
    const row = `${i},${t0 + 3 * i},${clamp(Number(r[0]) + shift, 17, 90)},${r[1]},${r[3]},${r[4]},${r[5]},${r[6]},${r[7]},${r[8]},${r[9]},${r[10]},${r[11]},${clamp(Number(r[12]) - shift, 1, 99)},${r[13]},${r[14]}\n`;
    chunk += row;
    bytes += row.length; // ASCII
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.write(chunk);
  out.end();
  await once(out, 'finish');
  await fs.rename(tmp, file);
}

function procStatus(pid: number): { rss: number; hwm: number } {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(s)?.[1] ?? 0) * 1024;
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

async function waitReady(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`ingestion exited with ${child.exitCode} before it was ready`);
    const ok = await fetch(url, { signal: AbortSignal.timeout(2000) }).then((r) => r.ok).catch(() => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`ingestion not ready at ${url} within ${timeoutMs} ms`);
}

/** Peak RSS of the last CLI run (bytes, sampled every 200 ms). */
let cliPeakRss = 0;

/** Runs the CLI with a deadline; resolves with its stdout (its progress lines on stderr are dropped). */
function cli(args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<string> {
  cliPeakRss = 0;
  const child = spawn(process.execPath, [path.join(ROOT, 'apps/cli/bin/strata.cjs'), ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const sampler = setInterval(() => {
    if (child.pid !== undefined && child.exitCode === null) cliPeakRss = Math.max(cliPeakRss, (() => { try { return procStatus(child.pid).hwm; } catch { return 0; } })());
  }, 200);
  return new Promise((resolve, reject) => {
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      clearInterval(sampler);
      if (code === 0) resolve(stdout);
      else reject(new Error(`strata ${args.join(' ')} failed (${code ?? signal}): ${stdout.slice(-2000)} ${stderr}`));
    });
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return;
  child.kill('SIGTERM');
  const exited = await Promise.race([once(child, 'exit').then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 15_000))]);
  if (!exited) child.kill('SIGKILL');
}

async function main(): Promise<void> {
  if (!existsSync(csvPath)) {
    const g0 = Date.now();
    await generate(csvPath);
    console.log(`generated ${csvPath}: ${mb((await fs.stat(csvPath)).size)} MB in ${((Date.now() - g0) / 1000).toFixed(0)} s`);
  }
  const inputBytes = (await fs.stat(csvPath)).size;
  const work = await fs.mkdtemp(path.join(os.tmpdir(), 'strata-bench-upload-'));
  const specFile = path.join(work, 'dataset.yaml');
  const spec = parseYaml(await fs.readFile(path.join(ROOT, 'examples/adult/dataset.yaml'), 'utf8')) as Record<string, unknown>;
  await fs.writeFile(specFile, toYaml({ ...spec, name: DATASET }));

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    INGESTION_PORT: String(port),
    HOST: '127.0.0.1',
    INGESTION_DB_SCHEMA: 'bench_upload',
    INGESTION_KAFKA_GROUP_ID: 'bench-upload',
    INGESTION_STREAM_ENABLED: 'false',
    STRATA_DATA_DIR: path.join(work, 'lake'),
    STRATA_OBJECT_STORE: 'local',
    STRATA_AUTH_MODE: 'off',
    TMPDIR: work,
    LOG_LEVEL: 'warn',
    ...(memoryLimit ? { INGESTION_DUCKDB_MEMORY_LIMIT: memoryLimit } : {}),
    ...(threads ? { INGESTION_DUCKDB_THREADS: threads } : {}),
  };
  // The service's log (JSON lines) is kept next to the CSV: `<csv>.service.log`.
  const log = createWriteStream(`${csvPath}.service.log`);
  const service = spawn(process.execPath, ['-r', '@swc-node/register', 'apps/ingestion/src/main.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  service.stdout?.pipe(log);
  service.stderr?.pipe(log);
  let peakSampled = 0;
  const sampler = setInterval(() => {
    if (service.pid !== undefined && service.exitCode === null) peakSampled = Math.max(peakSampled, procStatus(service.pid).rss);
  }, 200);
  try {
    await waitReady(`http://127.0.0.1:${port}/health/ready`, service, 120_000);
    const pid = service.pid!;
    const before = procStatus(pid);
    const cliEnv = { ...process.env, INGESTION_URL: `http://127.0.0.1:${port}`, STRATA_API_KEY: 'unused-auth-off' };
    await cli(['datasets', 'apply', specFile, '--json'], cliEnv, 60_000);
    const loadBefore = os.loadavg();
    const t0 = Date.now();
    const out = await cli(['datasets', 'ingest', DATASET, csvPath, '--policy', 'quarantine', '--json'], cliEnv, 3_600_000);
    const seconds = (Date.now() - t0) / 1000;
    const after = procStatus(pid);
    const v = JSON.parse(out) as { versionId: string; rowCount: number; sizeBytes: number; validation: { inputRowCount: number; invalidRowCount: number } };
    console.log(
      JSON.stringify({
        inputMB: mb(inputBytes),
        inputRows: v.validation.inputRowCount,
        accepted: v.rowCount,
        quarantined: v.validation.invalidRowCount,
        parquetMB: mb(v.sizeBytes),
        versionId: v.versionId,
        seconds: Number(seconds.toFixed(1)),
        MBps: Number((inputBytes / 1024 / 1024 / seconds).toFixed(1)),
        rowsPerSecond: Math.round(v.validation.inputRowCount / seconds),
        rssBeforeMB: mb(before.rss),
        peakRssMB: mb(after.hwm),
        peakRssSampledMB: mb(peakSampled),
        cliPeakRssMB: mb(cliPeakRss),
        memoryLimit: memoryLimit || 'service default',
        duckdbThreads: threads || 'service default',
        mallocArenaMax: process.env['MALLOC_ARENA_MAX'] ?? 'glibc default',
        cpus: os.cpus().length,
        loadavgBefore: loadBefore.map((l) => Number(l.toFixed(2))),
        loadavgAfter: os.loadavg().map((l) => Number(l.toFixed(2))),
      }),
    );
  } finally {
    clearInterval(sampler);
    await stop(service);
    await fs.rm(work, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
