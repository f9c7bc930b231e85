import fs from 'node:fs';
import path from 'node:path';
import type { SegmentConfigView } from '@strata/shared/data-access-strata-client';
import { type Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import { type CliContext, withCommon } from './context';
import { emit, renderRecord, renderTable } from './output';

/**
 * `strata monitor segments-config <model> --file <yaml|json>` / `--show`: sets or prints a model's
 * segment / fairness config (`PUT` / `GET /models/{m}/segments/config` of monitoring, issue 17;
 * the body is the file's document as is — monitoring validates it and answers 400 naming the bad
 * field, e.g. `segments.0.buckets`). Shape: docs/service-apis.md (monitoring, segments).
 */

/**
 * The segment config document of `file` (YAML, or JSON: YAML 1.2 reads both), resolved from `cwd`.
 * @throws Error (one line) naming the file when it cannot be read, does not parse, or is not an
 *   object with a `segments` list.
 */
export function readSegmentConfigFile(file: string, cwd: string): Record<string, unknown> {
  let text: string;
  try {
    text = fs.readFileSync(path.resolve(cwd, file), 'utf8');
  } catch (err) {
    throw new Error(`${file}: cannot read the segment config (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new Error(`${file}: not YAML or JSON: ${String((err as Error).message).split('\n')[0]}`);
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc) || !Array.isArray((doc as { segments?: unknown }).segments)) {
    throw new Error(`${file}: a segment config is an object with a 'segments' list, e.g. segments: [{ name: sex }]`);
  }
  return doc as Record<string, unknown>;
}

/** The human view of a stored config: the settings, then one row per segment column. */
export function segmentConfigText(config: SegmentConfigView): string {
  const thresholds = Object.entries(config.thresholds ?? {}).map(([m, v]) => `${m} ${v}`).join(', ') || '-';
  const gate = config.gate ? `${config.gate.metric} on ${config.gate.segment}, max widening ${config.gate.maxWidening}` : '-';
  const head = renderRecord({ model: config.modelName, topN: config.topN, minCount: config.minCount, thresholds, gate, updated: `${config.updatedAt} by ${config.updatedBy}` });
  const table = renderTable(config.segments, [
    { header: 'segment', get: (s) => s.name },
    { header: 'field', get: (s) => s.field ?? s.name },
    { header: 'buckets', get: (s) => s.buckets?.join(', ') },
    { header: 'values', get: (s) => s.values?.join(', ') },
  ]);
  return `${head}\n\n${table}`;
}

export function registerSegmentConfigCommand(monitor: Command, ctx: CliContext): void {
  withCommon(
    monitor
      .command('segments-config <model>')
      .description("set (--file) or print (--show) a model's segment / fairness config: segment columns, top N, minimum count, disparity thresholds, promotion gate")
      .option('--file <file>', 'the config as YAML or JSON (segments: [{ name, field?, buckets?, values? }], topN, minCount, thresholds, gate)')
      .option('--show', 'print the stored config'),
    ['strata monitor segments-config adult-income --file segments.yaml', 'strata monitor segments-config adult-income --show --json'],
  ).action(async (model: string, opts: { json?: boolean; file?: string; show?: boolean }) => {
    if (Boolean(opts.file) === Boolean(opts.show)) throw new Error('give --file <yaml|json> to set the segment config, or --show to print it');
    const out = ctx.output(opts);
    const stored = opts.file ? await ctx.api().putSegmentConfig(model, readSegmentConfigFile(opts.file, ctx.cwd)) : await ctx.api().segmentConfig(model);
    emit(out, stored, () => segmentConfigText(stored));
  });
}
