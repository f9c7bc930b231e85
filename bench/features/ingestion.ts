/**
 * Benchmark: ingestion throughput (rows/s) of CSV and Parquet through the real ingestion core
 * (`DatasetIngestor`: DuckDB read → per-cell validation with row/column issues → Parquet zstd
 * → sha256 → lake put → profile), with the taxi schema of `examples/taxi/dataset.yaml`.
 *
 * Input: the six real NYC taxi samples in ../shared/datasets/nyc-taxi-yellow-samples (~60k
 * trips) repeated until `--rows` (default 1 000 000); each repetition shifts the timestamps by
 * whole days so the rows are not identical copies. Written once as CSV and as Parquet (zstd).
 * Each case runs `--runs` times (default 2; the table shows the best run and the mean).
 * Peak RSS = process maxRSS (DuckDB included) after all runs.
 *
 *   node -r @swc-node/register bench/features/ingestion.ts [--rows 1000000] [--runs 2] [--datasets-dir ../shared/datasets] [--s3]
 *
 * `--s3` also runs the cases with the lake on S3 (S3ObjectStore; needs S3_ENDPOINT, AWS_ACCESS_KEY_ID,
 * AWS_SECRET_ACCESS_KEY, e.g. from .stack/env).
 */
import { createReadStream, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { DatasetIngestor, loadDatasetSpec, type DatasetSpec } from '@strata/ingestion/domain-datasets';
import { LocalObjectStore, S3ObjectStore, type ObjectStore } from '@strata/shared/data-access-object-store';
import { arg } from '../util/cli';

const REPO = path.resolve(__dirname, '../..');
const rows = Number(arg('rows', '1000000'));
const runs = Number(arg('runs', '2'));
const datasetsDir = path.resolve(arg('datasets-dir', path.join(REPO, '../shared/datasets')));
const withS3 = process.argv.includes('--s3');

async function generate(dir: string, spec: DatasetSpec): Promise<{ csv: string; parquet: string }> {
  const src = path.join(datasetsDir, 'nyc-taxi-yellow-samples', 'yellow_tripdata_sample_*.csv');
  const csv = path.join(dir, 'trips.csv');
  const parquet = path.join(dir, 'trips.parquet');
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  await c.run(`SET TimeZone='UTC'`);
  await c.run(`CREATE TABLE s AS SELECT * FROM read_csv('${src}', all_varchar = true, header = true)`);
  const n = Number((await c.runAndReadAll('SELECT count(*) AS n FROM s')).getRowObjects()[0]!['n']);
  const reps = Math.ceil(rows / n);
  const cols = (spec.columns ?? []).map((col) =>
    col.type === 'TIMESTAMP' ? `strftime(CAST("${col.name}" AS TIMESTAMP) + to_days(CAST(r AS INTEGER)), '%Y-%m-%d %H:%M:%S') AS "${col.name}"` : `"${col.name}"`,
  );
  await c.run(`CREATE TABLE g AS SELECT ${cols.join(', ')} FROM s, range(${reps}) t(r) LIMIT ${rows}`);
  await c.run(`COPY g TO '${csv}' (HEADER, DELIMITER ',')`);
  const typed = (spec.columns ?? []).map((col) => `TRY_CAST(NULLIF(trim("${col.name}"), '') AS ${col.type === 'TIMESTAMP' ? 'TIMESTAMPTZ' : col.type === 'INT64' ? 'BIGINT' : col.type === 'FLOAT64' ? 'DOUBLE' : 'VARCHAR'}) AS "${col.name}"`);
  await c.run(`COPY (SELECT ${typed.join(', ')} FROM g) TO '${parquet}' (FORMAT parquet, COMPRESSION zstd)`);
  c.closeSync();
  db.closeSync();
  return { csv, parquet };
}

interface Row {
  format: string;
  source: string;
  lake: string;
  rows: number;
  mb: number;
  best: number;
  mean: number;
  invalid: number;
}

async function main(): Promise<void> {
  const spec = await loadDatasetSpec(path.join(REPO, 'examples/taxi/dataset.yaml'));
  const work = await fs.mkdtemp(path.join(os.tmpdir(), 'strata-bench-ingest-'));
  try {
    const t0 = Date.now();
    const files = await generate(work, spec);
    console.log(`generated ${rows} rows in ${((Date.now() - t0) / 1000).toFixed(1)} s: CSV ${((await fs.stat(files.csv)).size / 1e6).toFixed(1)} MB, Parquet ${((await fs.stat(files.parquet)).size / 1e6).toFixed(1)} MB`);
    const lakes: Array<{ name: string; store: () => Promise<ObjectStore> }> = [{ name: 'local', store: async () => new LocalObjectStore(path.join(work, `lake-${Math.random()}`)) }];
    if (withS3) {
      const endpoint = process.env['S3_ENDPOINT'];
      if (!endpoint) throw new Error('--s3 needs S3_ENDPOINT (and AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY)');
      lakes.push({
        name: 's3',
        store: async () => {
          const s = new S3ObjectStore({ endpoint, region: process.env['AWS_REGION'] ?? 'us-east-1', bucket: 'strata-bench', prefix: `run-${Date.now()}-${Math.random().toString(36).slice(2)}` });
          await s.ensureBucket();
          return s;
        },
      });
    }
    const cases = [
      { format: 'csv' as const, source: 'file', file: files.csv },
      { format: 'csv' as const, source: 'stream', file: files.csv },
      { format: 'parquet' as const, source: 'file', file: files.parquet },
    ];
    const table: Row[] = [];
    for (const lake of lakes) {
      for (const cs of cases) {
        const times: number[] = [];
        let invalid = 0;
        let n = 0;
        for (let r = 0; r < runs; r++) {
          const ingestor = new DatasetIngestor({ store: await lake.store(), tmpDir: work });
          const t = process.hrtime.bigint();
          const v = await ingestor.ingest({ ...spec, name: 'bench_trips' }, cs.source === 'stream' ? createReadStream(cs.file) : cs.file, { format: cs.format, policy: 'quarantine' });
          times.push(Number(process.hrtime.bigint() - t) / 1e9);
          invalid = v.validation.invalidRowCount;
          n = v.validation.inputRowCount;
          await ingestor.close();
        }
        table.push({ format: cs.format, source: cs.source, lake: lake.name, rows: n, mb: (await fs.stat(cs.file)).size / 1e6, best: Math.min(...times), mean: times.reduce((a, b) => a + b, 0) / times.length, invalid });
      }
    }
    const cpus = os.cpus();
    console.log(`\nIngestion throughput (DatasetIngestor, taxi schema, policy quarantine, ${runs} run(s) each)`);
    console.log(`machine: ${cpus.length} × ${cpus[0]?.model ?? '?'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM (shared), node ${process.version}`);
    console.log('format  │ source │ lake  │      rows │ input MB │ best s │ mean s │  rows/s (best) │ MB/s │ quarantined');
    for (const r of table) {
      console.log(
        `${r.format.padEnd(7)} │ ${r.source.padEnd(6)} │ ${r.lake.padEnd(5)} │ ${String(r.rows).padStart(9)} │ ${r.mb.toFixed(1).padStart(8)} │ ${r.best.toFixed(2).padStart(6)} │ ${r.mean.toFixed(2).padStart(6)} │ ${Math.round(r.rows / r.best).toLocaleString('en-US').padStart(14)} │ ${(r.mb / r.best).toFixed(1).padStart(4)} │ ${String(r.invalid).padStart(11)}`,
      );
    }
    console.log(`peak RSS: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
  } finally {
    await fs.rm(work, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
