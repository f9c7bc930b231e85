/**
 * Benchmark: the uploading CLI's own memory. `strata datasets ingest` streams a generated CSV
 * (`--mb`, default 256; base64 lines of random bytes, written once under the OS temp dir) to a
 * local HTTP sink in this process that reads the body at `--rate` MB/s (default 20: about the
 * ingestion service's pace is 5-6 MB/s, any finite rate shows buffering) and discards it, then
 * answers a dataset version. The same is done with a 1 KB file first: the CLI's baseline
 * (modules compiled by @swc-node/register). The CLI's peak RSS is the kernel's `VmHWM` of its
 * process, sampled every 200 ms. Prints one JSON line: `inputMB`, `seconds`, `cliBaselineMB`,
 * `cliPeakRssMB`, `loadavg` (1-minute, before → after).
 *
 * Before the fix the upload went through fetch, which keeps every chunk of a streamed request
 * body (nodejs/undici#4058): the peak grew with the file (314 MB at 100 MB, 627 MB at 404 MB).
 * After (undici `request`): 211 MB at 259 MB, at the baseline (223 MB); through the real
 * ingestion service (upload-service.ts --mb 256) 203 MB, was 490 MB
 * (bench/results/2026-12-07-cli-upload-memory.json).
 *
 *   node -r @swc-node/register bench/ingestion/cli-upload-memory.ts [--mb 256] [--rate 20] [--port 3410]
 */
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';

const ROOT = path.resolve(__dirname, '../..');
const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const MB = arg('mb', 256);
const RATE = arg('rate', 20) * 1e6;
const PORT = arg('port', 3410);

async function generate(file: string, bytes: number): Promise<void> {
  if (existsSync(file)) return;
  const out = createWriteStream(file);
  out.write('blob\n');
  for (let written = 0; written < bytes; written += 76 * 1000) {
    const lines = Array.from({ length: 1000 }, () => randomBytes(56).toString('base64')).join('\n') + '\n';
    if (!out.write(lines)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

/** Reads each request body at RATE bytes/s and discards it; answers a dataset version. */
function sink(): http.Server {
  return http.createServer((req, res) => {
    let n = 0;
    const started = Date.now();
    req.on('data', (c: Buffer) => {
      n += c.length;
      const wait = started + (n / RATE) * 1000 - Date.now();
      if (wait > 0) {
        req.pause();
        setTimeout(() => req.resume(), wait);
      }
    });
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ datasetName: 'bench', versionId: 'v', created: true, rowCount: 0, contentSha256: '0'.repeat(64), bytesReceived: n }));
    });
  });
}

/** Runs `strata datasets ingest bench <file>`; resolves with the CLI's peak RSS (bytes) and the bytes the sink got. */
function upload(file: string): Promise<{ hwm: number; received: number }> {
  const env = { ...process.env, INGESTION_URL: `http://127.0.0.1:${PORT}`, STRATA_API_KEY: 'unused-sink' };
  const child = spawn(process.execPath, [path.join(ROOT, 'apps/cli/bin/strata.cjs'), 'datasets', 'ingest', 'bench', file, '--format', 'csv', '--json'], { env, stdio: ['ignore', 'pipe', 'ignore'] });
  let hwm = 0;
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  const sampler = setInterval(() => {
    try {
      hwm = Math.max(hwm, Number(/^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0) * 1024);
    } catch {
      // exited between two samples
    }
  }, 200);
  const timer = setTimeout(() => child.kill('SIGKILL'), 1_800_000);
  return new Promise((resolve, reject) =>
    child.once('exit', (code) => {
      clearInterval(sampler);
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`strata datasets ingest exited with ${code}: ${stdout}`));
      else resolve({ hwm, received: (JSON.parse(stdout) as { bytesReceived: number }).bytesReceived });
    }),
  );
}

async function main(): Promise<void> {
  const file = path.join(os.tmpdir(), `strata-cli-upload-${MB}mb.csv`);
  const tiny = path.join(os.tmpdir(), 'strata-cli-upload-1kb.csv');
  await generate(file, MB * 1e6);
  writeFileSync(tiny, 'blob\n' + 'x'.repeat(1000) + '\n');
  const server = sink().listen(PORT, '127.0.0.1');
  await once(server, 'listening');
  const load0 = os.loadavg()[0]!;
  try {
    const base = await upload(tiny);
    const t0 = Date.now();
    const big = await upload(file);
    const seconds = (Date.now() - t0) / 1000;
    const mb = (b: number): number => Math.round(b / 1e6);
    console.log(JSON.stringify({ inputMB: mb(big.received), seconds, cliBaselineMB: mb(base.hwm), cliPeakRssMB: mb(big.hwm), loadavg: `${load0.toFixed(2)} → ${os.loadavg()[0]!.toFixed(2)}` }));
  } finally {
    server.close();
  }
}

void main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
