import type { ModelVersion, Rollout, StrataLifecycleApi } from '@strata/shared/data-access-strata-client';
import { type Command } from 'commander';
import { cliActor } from './cli-config';
import { type CliContext, withCommon } from './context';
import { promotionDecisionText, registerPolicyCommand } from './models-policy';
import { emit, renderRecord, renderTable } from './output';
import { oneOf, positiveInt, unitInterval } from './parse';

/** A version given as a number or an alias (`3`, `champion`). */
export async function resolveVersion(api: StrataLifecycleApi, model: string, versionOrAlias: string): Promise<ModelVersion> {
  return /^\d+$/.test(versionOrAlias) ? api.getModelVersion(model, Number(versionOrAlias)) : api.client.getModelVersionByAlias(model, versionOrAlias);
}

const versionColumns = [
  { header: 'version', get: (v: ModelVersion) => v.version },
  { header: 'aliases', get: (v: ModelVersion) => (v.aliases ?? []).join(',') },
  { header: 'roc_auc', get: (v: ModelVersion) => v.metrics?.['roc_auc'] },
  { header: 'accuracy', get: (v: ModelVersion) => v.metrics?.['accuracy'] },
  { header: 'run', get: (v: ModelVersion) => v.runId },
  { header: 'created', get: (v: ModelVersion) => (v as { createdAt?: string }).createdAt },
];

/** Lineage of a version as `what → value` rows: datasets, feature views, training set, run, evaluation. */
export function lineageRows(v: ModelVersion): Array<{ what: string; value: unknown }> {
  const l = (v.lineage ?? {}) as Record<string, unknown>;
  const rows: Array<{ what: string; value: unknown }> = [];
  for (const d of (l['datasetVersions'] as Array<{ datasetName: string; versionId: string }> | undefined) ?? []) rows.push({ what: 'dataset version', value: `${d.datasetName}@${d.versionId}` });
  for (const f of (l['featureViews'] as Array<string | { name: string }> | undefined) ?? []) rows.push({ what: 'feature view', value: typeof f === 'string' ? f : f.name });
  for (const key of ['trainingSet', 'featureService', 'trainingDataCutoff', 'codeVersion', 'workflowId']) if (l[key] !== undefined && l[key] !== null) rows.push({ what: key, value: l[key] });
  if (l['evaluation']) rows.push({ what: 'evaluation', value: l['evaluation'] });
  rows.push({ what: 'training run', value: v.runId }, { what: 'artifact', value: `${v.artifactUri} (${v.artifactSha256 ? `sha256 ${v.artifactSha256.slice(0, 12)}…` : `not servable: ${v.notServableReason ?? 'no verified artifact'}`})` });
  return rows;
}

const rolloutRecord = (r: Rollout): Record<string, unknown> => ({
  rollout: r.rolloutId,
  status: r.status,
  mode: r.mode,
  champion: r.championVersion,
  challenger: r.challengerVersion,
  'challenger weight': r.challengerWeight,
  'sticky key': r.stickyKey,
  started: `${r.startedAt} by ${r.actor}`,
  ...(r.endedAt ? { ended: `${r.endedAt}: ${r.endReason ?? ''}` } : {}),
});

export function registerModelCommands(program: Command, ctx: CliContext): void {
  const models = program.command('models').description('registered models, versions, aliases, promotion and lineage (registry)');

  withCommon(models.command('list').description('registered models').option('--search <text>', 'name contains'), ['strata models list']).action(async (opts: { json?: boolean; search?: string }) => {
    const out = ctx.output(opts);
    const list = await ctx.api().listModels({ search: opts.search });
    emit(out, list, () =>
      renderTable(list, [
        { header: 'model', get: (m) => m.name },
        { header: 'latest', get: (m) => m.latestVersion },
        { header: 'aliases', get: (m) => Object.entries(m.aliases ?? {}).map(([a, v]) => `${a}=v${v}`).join(' ') },
        { header: 'updated', get: (m) => m.updatedAt },
      ]),
    );
  });

  withCommon(models.command('show <model> [version]').description('a model, or one version (number or alias) with its metrics and signature'), ['strata models show adult-income', 'strata models show adult-income champion']).action(
    async (model: string, version: string | undefined, opts: { json?: boolean }) => {
      const out = ctx.output(opts);
      const api = ctx.api();
      if (version) {
        const v = await resolveVersion(api, model, version);
        return emit(out, v, () => `${renderRecord({ model: v.name, version: v.version, aliases: (v.aliases ?? []).join(','), run: v.runId, artifact: v.artifactUri })}\n\nmetrics\n${renderRecord(Object.fromEntries(Object.entries(v.metrics ?? {}).filter(([, x]) => typeof x !== 'object')))}\n\nsignature\n${JSON.stringify(v.signature, null, 2)}`);
      }
      const m = await api.getModel(model);
      emit(out, m, () => `${renderRecord({ model: m.name, description: m.description, latest: m.latestVersion, aliases: Object.entries(m.aliases ?? {}).map(([a, n]) => `${a}=v${n}`).join(' ') })}\n\n${renderTable(m.latestVersions ?? [], versionColumns)}`);
    },
  );

  withCommon(models.command('versions <model>').description('versions, newest first').option('--limit <n>', 'at most', positiveInt, 100), ['strata models versions adult-income']).action(
    async (model: string, opts: { json?: boolean; limit: number }) => {
      const out = ctx.output(opts);
      const versions = await ctx.api().listModelVersions(model, opts.limit);
      emit(out, versions, () => renderTable(versions, versionColumns));
    },
  );

  withCommon(models.command('alias <model> <alias> <version>').description('point an alias (champion, challenger, ...) at a version; audited').option('--reason <text>', 'why', 'set with the strata CLI'), [
    'strata models alias adult-income challenger 2 --reason "retrained on March"',
  ]).action(async (model: string, alias: string, version: string, opts: { json?: boolean; reason: string }) => {
    const out = ctx.output(opts);
    const n = positiveInt(version);
    const result = await ctx.api().client.setAlias(model, alias, n, opts.reason, cliActor());
    emit(out, result, () => `${model}: ${alias} → v${n}`);
  });

  withCommon(
    models
      .command('promote <model>')
      .description("compare the challenger with the champion under the model's promotion policy and promote it when it wins")
      .option('--version <n>', 'challenger version (default: alias challenger)', positiveInt)
      .option('--dry-run', 'decide without moving champion'),
    ['strata models promote adult-income', 'strata models promote adult-income --version 2 --dry-run --json'],
  ).action(async (model: string, opts: { json?: boolean; version?: number; dryRun?: boolean }) => {
    const out = ctx.output(opts);
    const d = await ctx.api().client.decidePromotion(model, { ...(opts.version ? { challengerVersion: opts.version } : {}), apply: !opts.dryRun });
    emit(out, d, () => promotionDecisionText(d));
  });
  registerPolicyCommand(models, ctx);

  withCommon(models.command('lineage <model> <version>').description('where a version comes from: dataset versions, feature views, training set, run, artifact'), ['strata models lineage adult-income champion']).action(
    async (model: string, version: string, opts: { json?: boolean }) => {
      const out = ctx.output(opts);
      const v = await resolveVersion(ctx.api(), model, version);
      emit(out, { name: v.name, version: v.version, runId: v.runId, artifactUri: v.artifactUri, artifactSha256: v.artifactSha256, lineage: v.lineage }, () =>
        renderTable(lineageRows(v), [
          { header: 'what', get: (r) => r.what },
          { header: 'value', get: (r) => r.value },
        ]),
      );
    },
  );

  const rollout = program.command('rollout').description('canary and shadow rollouts of a challenger (registry routes, serving applies, monitoring compares)');
  withCommon(
    rollout
      .command('start <model>')
      .description('start a canary (a share of traffic) or shadow (a copy of traffic) rollout of the challenger')
      .option('--mode <mode>', 'canary | shadow', oneOf('canary', 'shadow'), 'canary')
      .option('--version <n>', 'challenger version (default: alias challenger)', positiveInt)
      .option('--weight <w>', 'canary share of the challenger, 0..1 (default 0.1)', unitInterval)
      .option('--sticky-key <name>', 'request field that pins a caller to one version')
      .option('--reason <text>', 'why'),
    ['strata rollout start adult-income --version 2 --weight 0.5'],
  ).action(async (model: string, opts: { json?: boolean; mode: 'canary' | 'shadow'; version?: number; weight?: number; stickyKey?: string; reason?: string }) => {
    const out = ctx.output(opts);
    const r = await ctx.api().startRollout(model, {
      mode: opts.mode,
      ...(opts.version ? { challengerVersion: opts.version } : {}),
      ...(opts.weight !== undefined ? { challengerWeight: opts.weight } : {}),
      ...(opts.stickyKey ? { stickyKey: opts.stickyKey } : {}),
      ...(opts.reason ? { reason: opts.reason } : {}),
    });
    emit(out, r, () => renderRecord(rolloutRecord(r)));
  });
  withCommon(rollout.command('status <model>').description("the active rollout and monitoring's live comparison of the two versions"), ['strata rollout status adult-income']).action(async (model: string, opts: { json?: boolean }) => {
    const out = ctx.output(opts);
    const api = ctx.api();
    const r = await api.currentRollout(model);
    const comparison = (await api.rolloutComparison(model).catch(() => null)) as { metric?: { name: string }; champion?: Record<string, unknown>; challenger?: Record<string, unknown> } | null;
    emit(out, { rollout: r, comparison }, () => {
      const sides = comparison ? [comparison.champion, comparison.challenger].filter((s): s is Record<string, unknown> => Boolean(s)) : [];
      const table = sides.length
        ? '\n\n' +
          renderTable(sides, [
            { header: 'role', get: (s) => s['role'] },
            { header: 'version', get: (s) => s['version'] },
            { header: 'requests', get: (s) => s['requestCount'] },
            { header: 'errors', get: (s) => s['errorCount'] },
            { header: 'labeled', get: (s) => s['labeledCount'] },
            { header: comparison?.metric?.name ?? 'metric', get: (s) => s['metricValue'] },
          ])
        : '';
      return renderRecord(rolloutRecord(r)) + table;
    });
  });
  for (const how of ['promote', 'rollback'] as const) {
    withCommon(rollout.command(`${how} <model>`).description(how === 'promote' ? 'end the rollout: the challenger becomes champion' : 'end the rollout: the champion keeps all traffic').requiredOption('--reason <text>', 'why (recorded)'), [
      `strata rollout ${how} adult-income --reason "live ROC AUC ${how === 'promote' ? 'better' : 'worse'}"`,
    ]).action(async (model: string, opts: { json?: boolean; reason: string }) => {
      const out = ctx.output(opts);
      const r = await ctx.api().endRollout(model, how, opts.reason);
      emit(out, r, () => renderRecord(rolloutRecord(r)));
    });
  }
}
