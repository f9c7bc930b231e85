import fs from 'node:fs';
import path from 'node:path';
import type { PromotionDecision, PromotionPolicy } from '@strata/shared/data-access-strata-client';
import { type Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import { type CliContext, withCommon } from './context';
import { emit, renderRecord, renderTable } from './output';

/**
 * `strata models policy <model> --file <yaml|json> | --show` (the registry's promotion policy,
 * with its offline disparity gate `fairness`, issue 17) and the text of a promotion decision
 * (`strata models promote`), with the gate's numbers per side when the policy has one.
 */

/**
 * The policy document of `file` (YAML or JSON), resolved from `cwd`, sent as is (the registry
 * validates it and answers 400 naming the bad field, e.g. `fairness.maxWidening`).
 * @throws Error (one line) naming the file when it cannot be read, does not parse, or has no `metric` / `direction`.
 */
export function readPolicyFile(file: string, cwd: string): { metric: string; direction: 'maximize' | 'minimize' } & Record<string, unknown> {
  let doc: unknown;
  try {
    doc = parseYaml(fs.readFileSync(path.resolve(cwd, file), 'utf8'));
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new Error(`${file}: ${e.code ? `cannot read the promotion policy (${e.code})` : `not YAML or JSON: ${String(e.message).split('\n')[0]}`}`);
  }
  const d = doc as { metric?: unknown; direction?: unknown } | null;
  if (!d || typeof d !== 'object' || Array.isArray(d) || typeof d.metric !== 'string' || typeof d.direction !== 'string') {
    throw new Error(`${file}: a promotion policy is an object with 'metric' and 'direction', e.g. metric: accuracy, direction: maximize`);
  }
  return d as { metric: string; direction: 'maximize' | 'minimize' } & Record<string, unknown>;
}

/** The human view of a stored policy. */
export function policyText(p: PromotionPolicy): string {
  const f = p.fairness;
  const bounds = f ? [f.maxWidening !== null ? `max widening ${f.maxWidening}` : '', f.maxValue !== null ? `max value ${f.maxValue}` : '', f.minValue !== null ? `min value ${f.minValue}` : ''].filter(Boolean).join(', ') : '';
  const fb = (f ?? {}) as { buckets?: number[]; significantOnly?: boolean };
  const r = p.rollout as { mode: string; challengerWeight?: number; minLabeledPerVersion: number } | null | undefined;
  return renderRecord({
    model: p['name'],
    metric: `${p.metric} (${p.direction}, min margin ${String(p['minMargin'])})`,
    'auto promote': p['autoPromote'],
    rollout: r ? `${r.mode} ${r.challengerWeight ?? ''}, ${r.minLabeledPerVersion} labels per version` : '-',
    // one gate definition: the registry applies it to the offline decision and monitoring to the live rollout decision
    fairness: f ? `${f.metric} on ${f.segment}${fb.buckets ? ` in buckets ${fb.buckets.join('/')}` : ''}: ${bounds}${fb.significantOnly ? ', significant widenings only' : ''} (min count ${f.minCount}), offline and live decisions` : '-',
  });
}

interface Side {
  version: number;
  value: number | null;
  groups: Array<{ group: string; predictionCount: number; selectionRate: number | null; truePositiveRate: number | null; falsePositiveRate: number | null; positivePredictiveValue: number | null }>;
  eligibleGroups: string[];
}

/** The text of a decision: the verdict, then (when gated) the fairness gate and each side's groups. */
export function promotionDecisionText(d: PromotionDecision): string {
  const head = renderRecord({
    outcome: d.outcome,
    applied: d.applied,
    metric: d.metric,
    challenger: `v${d.challengerVersion} ${d.challengerValue}`,
    champion: `v${d.championVersion} ${d.championValue}`,
    improvement: d.improvement,
    reason: d.reason,
  });
  const g = (d.evidence as { disparity?: Record<string, unknown> } | null)?.disparity;
  if (!g) return head;
  const gate = renderRecord({
    'fairness gate': `${String(g['status'] ?? (g['passed'] ? 'passed' : 'refused'))}: ${String(g['metric'])} on ${String(g['segment'])}`,
    challenger: `v${String(g['challengerVersion'])} ${String(g['challengerValue'])}`,
    champion: `v${String(g['championVersion'])} ${String(g['championValue'])}`,
    widening: g['widening'],
  });
  const sides = (['challenger', 'champion'] as const).map((k) => g[k] as Side | undefined).filter((s): s is Side => Boolean(s));
  if (sides.length === 0) return `${head}\n\n${gate}`;
  const rows = sides.flatMap((s) => s.groups.map((x) => ({ ...x, version: s.version, eligible: s.eligibleGroups.includes(x.group) })));
  const r4 = (x: number | null) => (x === null ? 'n/a' : x.toFixed(4));
  const table = renderTable(rows, [
    { header: 'version', get: (x) => `v${x.version}` },
    { header: 'group', get: (x) => (x.eligible ? x.group : `${x.group} (below min count)`) },
    { header: 'n', get: (x) => x.predictionCount },
    { header: 'selection rate', get: (x) => r4(x.selectionRate) },
    { header: 'TPR', get: (x) => r4(x.truePositiveRate) },
    { header: 'FPR', get: (x) => r4(x.falsePositiveRate) },
    { header: 'precision', get: (x) => r4(x.positivePredictiveValue) },
  ]);
  return `${head}\n\n${gate}\n\n${table}`;
}

export function registerPolicyCommand(models: Command, ctx: CliContext): void {
  withCommon(
    models
      .command('policy <model>')
      .description("set (--file) or print (--show) a model's promotion policy: metric, direction, min margin, auto promote, rollout, fairness gate")
      .option('--file <file>', 'the policy as YAML or JSON (metric, direction, minMargin, autoPromote, rollout, fairness: { segment, metric, maxWidening | maxValue | minValue, minCount, significantOnly, buckets }: the gate of the offline and the live decision)')
      .option('--show', 'print the stored policy'),
    ['strata models policy adult-income --file policy.yaml', 'strata models policy adult-income --show --json'],
  ).action(async (model: string, opts: { json?: boolean; file?: string; show?: boolean }) => {
    if (Boolean(opts.file) === Boolean(opts.show)) throw new Error('give --file <yaml|json> to set the promotion policy, or --show to print it');
    const out = ctx.output(opts);
    const api = ctx.api().client;
    const stored = opts.file ? await api.setPromotionPolicy(model, readPolicyFile(opts.file, ctx.cwd)) : await api.getPromotionPolicy(model);
    emit(out, stored, () => policyText(stored));
  });
}
