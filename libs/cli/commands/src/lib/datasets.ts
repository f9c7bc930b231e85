import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Transform } from 'node:stream';
import type { DatasetVersion, StrataLifecycleApi } from '@strata/shared/data-access-strata-client';
import { type Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import { type CliContext, withCommon } from './context';
import { emit, renderRecord, renderTable } from './output';
import { oneOf } from './parse';
import { progress } from './progress';

/** The newest version of a dataset (by `createdAt`), or an error naming the dataset. */
export async function latestVersion(api: StrataLifecycleApi, name: string): Promise<DatasetVersion> {
  const versions = await api.listDatasetVersions(name);
  const newest = [...versions].sort((a, b) => String((b as { createdAt?: string }).createdAt ?? '').localeCompare(String((a as { createdAt?: string }).createdAt ?? '')))[0];
  if (!newest) throw new Error(`dataset ${name} has no version yet (strata datasets ingest ${name} <file>)`);
  return newest;
}

/**
 * What an upload did, in words: this upload's accepted and invalid rows (`upload`, not the
 * version's first upload), whether the version is new, and how to get its quarantined rows.
 */
export function ingestSummary(version: DatasetVersion): string {
  const u = version.upload;
  const record = renderRecord({
    dataset: version.datasetName,
    version: version.versionId,
    new: version.created,
    'rows in version': version.rowCount,
    ...(u ? { 'rows read': u.inputRowCount, accepted: u.acceptedRowCount, 'invalid rows': u.invalidRowCount } : { 'invalid rows': (version.validation as { invalidRowCount?: number })?.invalidRowCount ?? 0 }),
    sha256: version.contentSha256,
  });
  const notes: string[] = [];
  if (u && u.inputRowCount > 0 && u.acceptedRowCount === 0) notes.push(`every row of this upload is invalid (${u.invalidRowCount} set aside): nothing new was added`);
  else if (u && !version.created) notes.push(`the accepted rows equal version ${version.versionId}'s, which already existed: nothing new was added`);
  if (u?.quarantine) notes.push(`quarantined rows: strata datasets quarantine ${version.datasetName} ${u.quarantine.id ? `--id ${u.quarantine.id}` : version.versionId}`);
  return notes.length ? `${record}\n\n${notes.join('\n')}` : record;
}

/** Format from a file name's extension (csv, ndjson/jsonl, parquet). */
export function formatOf(file: string): 'csv' | 'ndjson' | 'parquet' {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.ndjson' || ext === '.jsonl') return 'ndjson';
  if (ext === '.parquet') return 'parquet';
  throw new Error(`cannot tell the format of ${file} from its extension: pass --format csv|ndjson|parquet`);
}

const versionColumns = [
  { header: 'version', get: (v: DatasetVersion) => v.versionId },
  { header: 'created', get: (v: DatasetVersion) => (v as { createdAt?: string }).createdAt },
  { header: 'rows', get: (v: DatasetVersion) => v.rowCount },
  { header: 'invalid', get: (v: DatasetVersion) => v.validation?.invalidRowCount },
  { header: 'bytes', get: (v: DatasetVersion) => v.sizeBytes },
  { header: 'sha256', get: (v: DatasetVersion) => v.contentSha256?.slice(0, 12) },
];

export function registerDatasetCommands(program: Command, ctx: CliContext): void {
  const datasets = program.command('datasets').description('dataset specs, ingestion, versions and quarantined rows (ingestion service)');

  withCommon(datasets.command('apply <spec>').description('create or update a dataset from its spec (YAML or JSON: name, format, policy, columns)'), [
    'strata datasets apply dataset.yaml',
  ]).action(async (spec: string, opts: { json?: boolean }) => {
    const out = ctx.output(opts);
    const doc = parseYaml(fs.readFileSync(path.resolve(ctx.cwd, spec), 'utf8')) as { name?: string } | null;
    if (!doc || typeof doc !== 'object' || !doc.name) throw new Error(`${spec}: a dataset spec needs a 'name'`);
    const result = await ctx.api().client.putDataset(doc.name, doc);
    emit(out, result, () => `dataset ${doc.name} applied`);
  });

  withCommon(
    datasets
      .command('ingest <dataset> <file>')
      .description('upload a file as a new immutable version (streamed; identical content gives the same version)')
      .option('--format <format>', 'csv | ndjson | parquet (default: from the extension)', oneOf('csv', 'ndjson', 'parquet'))
      .option('--policy <policy>', 'invalid rows: reject the file, or quarantine them (default: the spec\'s)', oneOf('reject', 'quarantine')),
    ['strata datasets ingest adult_people data/adult.csv', 'strata datasets ingest adult_people data/adult.csv --policy quarantine --json'],
  ).action(async (dataset: string, file: string, opts: { json?: boolean; format?: string; policy?: string }) => {
    const out = ctx.output(opts);
    const abs = path.resolve(ctx.cwd, file);
    const total = fs.statSync(abs).size;
    const bar = progress(out, `ingest ${path.basename(file)}`);
    let sent = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        sent += chunk.length;
        bar.update(total ? sent / total : 1, `${(sent / 1e6).toFixed(1)}/${(total / 1e6).toFixed(1)} MB`);
        done(null, chunk);
      },
    });
    const uploadId = randomUUID();
    let version: DatasetVersion;
    try {
      version = await ctx.api().uploadDataset(dataset, fs.createReadStream(abs).pipe(counter), { format: opts.format ?? formatOf(file), uploadId, ...(opts.policy ? { policy: opts.policy } : {}) });
    } finally {
      bar.stop();
    }
    emit(out, version, () => ingestSummary(version));
  });

  withCommon(datasets.command('versions <dataset>').description('the versions of a dataset, newest first'), ['strata datasets versions adult_people']).action(
    async (dataset: string, opts: { json?: boolean }) => {
      const out = ctx.output(opts);
      const versions = [...(await ctx.api().listDatasetVersions(dataset))].sort((a, b) => String((b as { createdAt?: string }).createdAt ?? '').localeCompare(String((a as { createdAt?: string }).createdAt ?? '')));
      emit(out, versions, () => renderTable(versions, versionColumns));
    },
  );

  withCommon(
    datasets
      .command('quarantine <dataset> [versionId]')
      .description('the rows validation set aside (CSV: _row, _reasons, raw values); default: the newest version')
      .option('--id <quarantineId>', "an upload's own quarantine (its answer names it when the accepted rows were an existing version's, e.g. every row invalid)")
      .option('--out <file>', 'write the CSV to this file instead of stdout'),
    ['strata datasets quarantine adult_people', 'strata datasets quarantine adult_people 3f2a… --out bad-rows.csv', 'strata datasets quarantine adult_people --id 9c41d0e2a7b35f18'],
  ).action(async (dataset: string, versionId: string | undefined, opts: { json?: boolean; id?: string; out?: string }) => {
    const out = ctx.output(opts);
    const api = ctx.api();
    if (opts.id && versionId) throw new Error('give a version or --id, not both');
    const version = opts.id ? undefined : (versionId ?? (await latestVersion(api, dataset)).versionId);
    const csv = version ? await api.quarantineCsv(dataset, version) : await api.quarantineCsvById(dataset, opts.id!);
    const rows = csv.split('\n').filter((l) => l.trim() !== '').length - 1;
    const what = version ? `${dataset}@${version}` : `${dataset} (quarantine ${opts.id})`;
    if (opts.out) fs.writeFileSync(path.resolve(ctx.cwd, opts.out), csv);
    if (out.json) out.line(JSON.stringify({ datasetName: dataset, ...(version ? { versionId: version } : { quarantineId: opts.id }), rowCount: rows, ...(opts.out ? { out: opts.out } : { csv }) }, null, 2));
    else if (opts.out) out.line(`${rows} quarantined rows of ${what} written to ${opts.out}`);
    else out.line(csv.trimEnd());
  });
}
