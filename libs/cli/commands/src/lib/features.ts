import fs from 'node:fs';
import path from 'node:path';
import { type Command } from 'commander';
import { type CliContext, withCommon } from './context';
import { latestVersion } from './datasets';
import { emit, renderRecord, renderTable } from './output';
import { collect, collectDatasets, entityColumns, isoInstant, oneOf } from './parse';
import { statusWarnings } from './feature-statuses';
import { pollUntil, progress } from './progress';

/** The YAML documents of a feature repo folder (`*.yaml`, `*.yml`, by name), as `/feature-repo/*` takes them. */
export function readFeatureRepo(dir: string): Array<{ file: string; content: string }> {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new Error(`${dir} is not a feature repo folder`);
  const files = fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort();
  if (files.length === 0) throw new Error(`${dir} has no .yaml files`);
  return files.map((file) => ({ file, content: fs.readFileSync(path.join(dir, file), 'utf8') }));
}

type Change = { kind: string; name: string; action: string; retained?: unknown };
const changeColumns = [
  { header: 'kind', get: (c: Change) => c.kind },
  { header: 'name', get: (c: Change) => c.name },
  { header: 'action', get: (c: Change) => c.action },
];

/**
 * The online answer (one result per feature, values per entity row) turned into one record per
 * entity row: `{feature: value}` plus `statuses` `{feature: status}`.
 */
export function onlineRows(answer: { metadata: { feature_names: string[] }; results: Array<{ values: unknown[]; statuses: string[] }> }): Array<Record<string, unknown>> {
  const names = answer.metadata.feature_names;
  const n = answer.results[0]?.values.length ?? 0;
  return Array.from({ length: n }, (_, i) => {
    const row: Record<string, unknown> = {};
    const statuses: Record<string, string> = {};
    names.forEach((name, j) => {
      row[name] = answer.results[j]?.values[i] ?? null;
      statuses[name] = answer.results[j]?.statuses[i] ?? 'NOT_FOUND';
    });
    return { ...row, statuses };
  });
}

/**
 * What a materialization did, in words: `UP_TO_DATE` (an incremental run with nothing after the
 * watermark) or a run with no rows means the stores were already current (ingestion and
 * `features apply` materialize automatically).
 */
export function materializeSummary(run: { status: string; mode?: string; rowCount?: number | null; startTime?: string; endTime?: string; materializedUntil?: string | null }): string[] {
  const auto = '(ingestion and features apply materialize automatically; --mode full rewrites everything)';
  if (run.status === 'UP_TO_DATE') return ['', `up to date: the online rows were already current as of ${run.materializedUntil ?? '?'}, nothing to add ${auto}`];
  if (run.status !== 'SUCCEEDED' || run.rowCount !== 0) return [];
  if (run.mode === 'incremental') return ['', `up to date: no rows with event times in [${run.startTime}, ${run.endTime}); the online rows were already current as of ${run.startTime} ${auto}`];
  return ['', `no rows with event times in [${run.startTime}, ${run.endTime}): nothing written`];
}

export function registerFeatureCommands(program: Command, ctx: CliContext): void {
  const features = program.command('features').description('the feature repo, materialization and online features (features service)');

  for (const verb of ['plan', 'apply'] as const) {
    withCommon(
      features
        .command(`${verb} [repo]`)
        .description(verb === 'plan' ? 'show what applying the feature repo folder would change (writes nothing)' : 'apply the feature repo folder (idempotent)')
        .option('--allow-deletes', 'delete objects that are no longer in the repo'),
      [`strata features ${verb}`, `strata features ${verb} feature_repo --json`],
    ).action(async (repo: string | undefined, opts: { json?: boolean; allowDeletes?: boolean }) => {
      const out = ctx.output(opts);
      const docs = readFeatureRepo(path.resolve(ctx.cwd, repo ?? 'feature_repo'));
      const api = ctx.api();
      const result = (verb === 'plan' ? await api.planFeatureRepo(docs, Boolean(opts.allowDeletes)) : await api.client.applyFeatureRepo(docs, Boolean(opts.allowDeletes))) as { changes?: Change[] };
      // objects of the registry that are not in this repo (other projects') are kept, not listed (--json keeps them, marked `retained`)
      const retained = (result.changes ?? []).filter((c) => c.retained).length;
      emit(out, result, () =>
        [renderTable((result.changes ?? []).filter((c) => !c.retained), changeColumns), ...(retained ? ['', `${retained} other object(s) in the registry are not in this repo: kept (--allow-deletes deletes them)`] : [])].join('\n'),
      );
    });
  }

  withCommon(features.command('list').description('feature views'), ['strata features list']).action(async (opts: { json?: boolean }) => {
    const out = ctx.output(opts);
    const views = (await ctx.api().listFeatureViews()) as Array<{ name: string; entities?: string[]; features?: Array<{ name: string }>; ttlSeconds?: number }>;
    emit(out, views, () =>
      renderTable(views, [
        { header: 'feature view', get: (v) => v.name },
        { header: 'entities', get: (v) => (v.entities ?? []).join(',') },
        { header: 'features', get: (v) => (v.features ?? []).map((f) => f.name).join(',') },
        { header: 'ttl s', get: (v) => v.ttlSeconds },
      ]),
    );
  });

  withCommon(
    features
      .command('materialize <featureView>')
      .description('write a feature view to the offline and online stores (synchronous)')
      .option('--mode <mode>', 'incremental | full | range', oneOf('incremental', 'full', 'range'), 'incremental')
      .option('--start <time>', 'range start (ISO-8601)', isoInstant)
      .option('--end <time>', 'end (ISO-8601; default now)', isoInstant),
    ['strata features materialize person_profile --mode full'],
  ).action(async (featureView: string, opts: { json?: boolean; mode: 'incremental' | 'full' | 'range'; start?: string; end?: string }) => {
    const out = ctx.output(opts);
    out.note(`materializing ${featureView} (${opts.mode})…`);
    const run = await ctx.api().materialize({ featureView, mode: opts.mode, ...(opts.start ? { start: opts.start } : {}), ...(opts.end ? { end: opts.end } : {}) });
    const upToDate = (run.status as string) === 'UP_TO_DATE';
    emit(out, run, () =>
      [renderRecord(upToDate ? { featureView, status: run.status, 'materialized until': (run as { materializedUntil?: string }).materializedUntil } : { featureView, status: run.status, mode: run.mode, rows: run.rowCount, 'online rows': run.onlineRowCount, id: run.id }), ...materializeSummary(run)].join('\n'),
    );
    if (run.status === 'FAILED') throw new Error(`materialization of ${featureView} failed: ${run.error ?? 'no error given'}`);
  });

  withCommon(
    features
      .command('get-online')
      .description('online feature values for entity rows (as_of honoured: a value newer than as_of is never PRESENT)')
      .option('--features <refs>', 'view:feature references (repeat or comma-separate)', collect)
      .option('--feature-service <name>', 'a feature service instead of --features')
      .option('--entity <key=v1,v2>', 'join key and its values (repeat per key)', entityColumns)
      .option('--request <key=v1,v2>', 'request data for on-demand views (repeat per field)', entityColumns)
      .option('--as-of <time>', 'read as of this instant (ISO-8601)', isoInstant),
    ['strata features get-online --features person_profile:age,person_profile:hours_per_week --entity person_id=1,2'],
  ).action(async (opts: { json?: boolean; features?: string[]; featureService?: string; entity?: Record<string, unknown[]>; request?: Record<string, unknown[]>; asOf?: string }) => {
    const out = ctx.output(opts);
    if (!opts.features?.length && !opts.featureService) throw new Error('give --features or --feature-service');
    if (!opts.entity) throw new Error('give at least one --entity key=value');
    const answer = await ctx.api().getOnlineFeatures({
      ...(opts.featureService ? { feature_service: opts.featureService } : { features: opts.features }),
      entities: opts.entity,
      ...(opts.request ? { request_data: opts.request } : {}),
      ...(opts.asOf ? { as_of: opts.asOf } : {}),
    });
    const rows = onlineRows(answer);
    // the join keys (given with --entity) are echoed back PRESENT: only the features' statuses tell whether values were found
    const keys = new Set(Object.keys(opts.entity));
    const featureStatuses = (r: Record<string, unknown>): Record<string, string> => Object.fromEntries(Object.entries(r['statuses'] as Record<string, string>).filter(([n]) => !keys.has(n)));
    const warnings = [...new Set(rows.flatMap((r) => statusWarnings(featureStatuses(r), 'no value')))];
    for (const w of warnings) out.note(`warning: ${w}`);
    emit(out, answer, () =>
      renderTable(rows, [
        ...answer.metadata.feature_names.map((n) => ({ header: n, get: (r: Record<string, unknown>) => r[n] })),
        { header: 'feature statuses', get: (r) => [...new Set(Object.values(featureStatuses(r)))].join(',') },
      ]),
    );
  });

  const sets = program.command('training-sets').description('point-in-time training sets (features service)');
  withCommon(
    sets
      .command('build <trainingSet>')
      .description('build a training set (point-in-time join) over dataset versions and wait for it')
      .option('--dataset <name[@version]>', 'dataset version(s); default version: the newest (repeatable)', collectDatasets)
      .option('--feature-service <name>', "override the definition's features with a feature service")
      .option('--timeout <s>', 'give up waiting after this many seconds', Number, 1800),
    ['strata training-sets build adult_income --dataset adult_people'],
  ).action(async (trainingSet: string, opts: { json?: boolean; dataset?: Array<{ datasetName: string; versionId?: string }>; featureService?: string; timeout: number }) => {
    const out = ctx.output(opts);
    if (!opts.dataset?.length) throw new Error('give --dataset <name[@version]>');
    const api = ctx.api();
    const refs = await Promise.all(
      opts.dataset.map(async (d) => {
        if (d.versionId) return { datasetName: d.datasetName, versionId: d.versionId };
        const v = await latestVersion(api, d.datasetName);
        out.note(`dataset ${d.datasetName}: the newest version ${v.versionId} (${v.rowCount} rows); give ${d.datasetName}@<version> for another`);
        return { datasetName: d.datasetName, versionId: v.versionId };
      }),
    );
    const started = await api.startTrainingSet(trainingSet, refs, opts.featureService);
    const bar = progress(out, `training set ${trainingSet}`);
    const done = await pollUntil(() => api.client.getTrainingSet(started.id), (b) => b.status !== 'RUNNING', { intervalMs: ctx.pollMs, timeoutMs: opts.timeout * 1000, what: `training set ${started.id}`, onValue: (b) => bar.update(b.status === 'RUNNING' ? 0.5 : 1, b.status) }).finally(() => bar.stop());
    if (done.status === 'FAILED') throw new Error(`training set ${trainingSet} failed: ${typeof done.error === 'string' ? done.error : JSON.stringify(done.error)}`);
    emit(out, done, () => renderRecord({ id: done.id, status: done.status, rows: done.rowCount, columns: (done.columns ?? []).map((c) => c.name).join(', '), uri: done.uri, sha256: done.sha256 }));
  });
}
