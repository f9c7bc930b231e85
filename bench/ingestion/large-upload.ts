/**
 * Benchmark: a large CSV upload through the ingestion core the way the HTTP upload path feeds it
 * (a byte stream → spooled to a temp file → DuckDB → Parquet zstd → lake), measuring peak RSS
 * and rows/s. Goal (issue 18): a 1 GB CSV under 500 MB RSS.
 *
 * The CSV is generated first by streaming writes (bounded memory): `id` INT64, `event_ts`
 * epoch seconds (TIMESTAMP `format: epoch_s`), `local_ts` formatted local time in
 * America/New_York, `category` STRING (allowed values), `amount` FLOAT64 (some blanks), and
 * one bad row per 100 000 (quarantined), plus the local times that fall in the DST gap
 * (quarantined too). Generation runs in a child process, so the peak RSS printed (process
 * maxRSS, `getrusage`, plus a 200 ms sampler during the ingestion) is that of the ingestion.
 *
 *   node -r @swc-node/register bench/ingestion/large-upload.ts [--mb 1024] [--memory-limit 128MB] [--keep]
 */
import { createReadStream, createWriteStream, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { DatasetIngestor, type DatasetSpec } from '@strata/ingestion/domain-datasets';
import { LocalObjectStore } from '@strata/shared/data-access-object-store';
import { arg } from '../util/cli';

const targetBytes = Number(arg('mb', '1024')) * 1024 * 1024;
const memoryLimit = arg('memory-limit', '');

const spec: DatasetSpec = {
  name: 'bench_large_upload',
  policy: 'quarantine',
  columns: [
    { name: 'id', type: 'INT64', nullable: false },
    { name: 'event_ts', type: 'TIMESTAMP', nullable: false, format: 'epoch_s' },
    { name: 'local_ts', type: 'TIMESTAMP', format: '%d/%m/%Y %H:%M', timezone: 'America/New_York' },
    { name: 'category', type: 'STRING', allowedValues: ['alpha', 'beta', 'gamma', 'delta'] },
    { name: 'amount', type: 'FLOAT64', min: 0 },
  ],
};
const CATS = ['alpha', 'beta', 'gamma', 'delta'];
const pad = (n: number) => String(n).padStart(2, '0');

async function generate(file: string): Promise<{ rows: number; bytes: number }> {
  const out = createWriteStream(file, { highWaterMark: 1 << 20 });
  let bytes = 0;
  let rows = 0;
  let chunk = 'id,event_ts,local_ts,category,amount\n';
  const t0 = 1_577_836_800;
  while (bytes < targetBytes) {
    rows++;
    const ts = t0 + rows * 7;
    const d = new Date(ts * 1000);
    const local = `${pad(d.getUTCDate())}/${pad(d.getUTCMonth() + 1)}/${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
    const bad = rows % 100_000 === 0;
    chunk += `${rows},${bad ? 'not-a-time' : ts},${local},${CATS[rows % 4]},${rows % 10 === 0 ? '' : ((rows % 9973) / 7).toFixed(2)}\n`;
    if (chunk.length > 1 << 20) {
      bytes += Buffer.byteLength(chunk);
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  bytes += Buffer.byteLength(chunk);
  out.end(chunk);
  await once(out, 'finish');
  return { rows, bytes };
}

const mb = (b: number) => (b / 1024 / 1024).toFixed(0);

async function main(): Promise<void> {
  const genOnly = arg('generate-only', '');
  if (genOnly) {
    console.log(JSON.stringify(await generate(genOnly)));
    return;
  }
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'strata-bench-large-'));
  let peakSampled = 0;
  const sampler = setInterval(() => (peakSampled = Math.max(peakSampled, process.memoryUsage.rss())), 200);
  try {
    const csv = path.join(dir, 'input.csv');
    const g0 = Date.now();
    const child = spawnSync(process.execPath, [...process.execArgv, __filename, '--mb', String(targetBytes / 1024 / 1024), '--generate-only', csv], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    if (child.status !== 0) throw new Error(`CSV generation failed (exit ${child.status})`);
    const gen = JSON.parse(child.stdout.trim().split('\n').pop() as string) as { rows: number; bytes: number };
    console.log(`generated ${mb(gen.bytes)} MB, ${gen.rows} rows in ${((Date.now() - g0) / 1000).toFixed(1)} s (rss ${mb(process.memoryUsage.rss())} MB)`);
    const ingestor = new DatasetIngestor({ store: new LocalObjectStore(path.join(dir, 'lake')), tmpDir: dir, ...(memoryLimit ? { memoryLimit } : {}) });
    peakSampled = 0;
    const t0 = Date.now();
    const v = await ingestor.ingest(spec, createReadStream(csv, { highWaterMark: 1 << 20 }), { format: 'csv' });
    const secs = (Date.now() - t0) / 1000;
    await ingestor.close();
    const maxRss = process.resourceUsage().maxRSS * 1024;
    console.log(
      JSON.stringify({
        inputMB: Number(mb(gen.bytes)),
        inputRows: v.validation.inputRowCount,
        accepted: v.rowCount,
        quarantined: v.validation.invalidRowCount,
        parquetMB: Number(mb(v.sizeBytes)),
        seconds: Number(secs.toFixed(1)),
        rowsPerSecond: Math.round(v.validation.inputRowCount / secs),
        peakRssMB: Number(mb(maxRss)),
        peakRssSampledDuringIngestMB: Number(mb(peakSampled)),
        memoryLimit: memoryLimit || 'default',
        cpus: os.cpus().length,
        loadavg: os.loadavg().map((l) => Number(l.toFixed(1))),
      }),
    );
  } finally {
    clearInterval(sampler);
    if (!process.argv.includes('--keep')) await fs.rm(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
