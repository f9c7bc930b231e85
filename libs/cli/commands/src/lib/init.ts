import fs from 'node:fs';
import path from 'node:path';
import { type Command } from 'commander';
import { stringify } from 'yaml';
import { type CliContext, withCommon } from './context';
import { emit } from './output';
import { type InferredColumn, detectDelimiter, inferColumns } from './init-infer';

/** What `strata init` needs to write a project. */
export interface InitOptions {
  /** dataset name (`^[a-z0-9][a-z0-9_.-]*$`) */
  dataset: string;
  columns: InferredColumn[];
  /** field delimiter of the sample (detectDelimiter); other than `,` it is written as `csv.delimiter` */
  delimiter?: string;
  entity: string;
  timestamp: string;
  label?: string;
  /** label value counted as the positive class (STRING labels); numeric labels: 1 */
  positive?: string;
}

const NUMERIC = new Set(['INT64', 'FLOAT64', 'INT32', 'FLOAT32', 'BOOL']);
const sqlString = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/** The files of a new project: dataset spec, feature repo (entity, feature view, training set), README. Paths relative to the project. */
export function projectFiles(o: InitOptions): Record<string, string> {
  const byName = new Map(o.columns.map((c) => [c.name, c]));
  for (const [what, col] of [['--entity', o.entity], ['--timestamp', o.timestamp], ...(o.label ? [['--label', o.label]] : [])] as Array<[string, string]>)
    if (!byName.has(col)) throw new Error(`${what} ${col}: no such column (columns: ${o.columns.map((c) => c.name).join(', ')})`);
  const entityCol = byName.get(o.entity)!;
  if (entityCol.type !== 'INT64' && entityCol.type !== 'STRING') throw new Error(`--entity ${o.entity}: a join key must be INT64 or STRING, not ${entityCol.type}`);
  const ts = byName.get(o.timestamp)!;
  if (ts.type !== 'TIMESTAMP') throw new Error(`--timestamp ${o.timestamp}: not a time column (inferred ${ts.type}; ISO-8601 text or Unix epoch integers are)`);
  const rest = o.columns.filter((c) => ![o.entity, o.timestamp, o.label].includes(c.name));
  const numeric = rest.filter((c) => NUMERIC.has(c.type));
  const strings = rest.filter((c) => c.type === 'STRING');
  const entityName = o.entity.replace(/_id$/, '') || 'entity';
  const view = `${o.dataset.replace(/[^a-z0-9_]/g, '_')}_features`;
  const labelCol = o.label ? byName.get(o.label)! : undefined;
  const labelSql = !labelCol ? '' : labelCol.type === 'STRING' ? `(${o.label} = ${sqlString(o.positive ?? 'yes')})` : labelCol.type === 'BOOL' ? o.label! : `(${o.label} = ${o.positive ?? 1})`;

  const dataset = {
    name: o.dataset,
    description: `${o.dataset}: written by strata init; check the types, then add checks (min, max, allowedValues)`,
    format: 'csv',
    ...(o.delimiter && o.delimiter !== ',' ? { csv: { delimiter: o.delimiter } } : {}),
    policy: 'quarantine',
    columns: o.columns.map((c) => ({ name: c.name, type: c.type, nullable: c.name === o.entity || c.name === o.timestamp ? false : c.nullable, ...(c.format ? { format: c.format } : {}) })),
  };
  const files: Record<string, string> = {
    'dataset.yaml': `# Dataset spec (docs/tutorial-bring-your-own-data.md): strata datasets apply dataset.yaml\n${stringify(dataset)}`,
    'feature_repo/entities.yaml': stringify({ kind: 'Entity', name: entityName, joinKey: o.entity, valueType: entityCol.type, description: `one ${entityName} (join key ${o.entity})` }),
    [`feature_repo/${view}.yaml`]:
      `# Batch features of each ${entityName}, as of ${o.timestamp} (docs/feature-repo-reference.md).\n` +
      (strings.length ? `# String columns (categories) not listed here: ${strings.map((s) => s.name).join(', ')}; derive numbers from them in an OnDemandFeatureView.\n` : '') +
      stringify({
        kind: 'FeatureView',
        name: view,
        entities: [o.entity],
        ttlSeconds: 31_536_000,
        source: { datasetName: o.dataset },
        timestampField: o.timestamp,
        features: numeric.map((c) => ({ name: c.name, dtype: c.type === 'BOOL' ? 'INT64' : c.type })),
      }),
  };
  if (o.label) {
    files['feature_repo/training_set.yaml'] =
      `# Entity rows of the training set: one per row of ${o.dataset}; label = ${labelSql}.\n` +
      stringify({
        kind: 'TrainingSet',
        name: `${o.dataset.replace(/[^a-z0-9_]/g, '_')}_training`,
        source: { datasetName: o.dataset },
        eventTimestampColumn: 'event_timestamp',
        label: 'label',
        fullFeatureNames: true,
        entitySql: `SELECT ${o.entity}, ${o.timestamp} AS event_timestamp, ${labelSql} AS label\nFROM source\nWHERE ${o.label} IS NOT NULL\nORDER BY ${o.timestamp}, ${o.entity}\n`,
        features: numeric.map((c) => `${view}:${c.name}`),
      });
  }
  files['README.md'] = [
    `# ${o.dataset}`,
    '',
    'Written by `strata init`. Next:',
    '',
    '```bash',
    'strata datasets apply dataset.yaml',
    `strata datasets ingest ${o.dataset} <file.csv>`,
    'strata features plan && strata features apply',
    ...(o.label ? [`strata train --model ${o.dataset.replace(/_/g, '-')} --training-set ${o.dataset.replace(/[^a-z0-9_]/g, '_')}_training --dataset ${o.dataset}`] : []),
    '```',
    '',
  ].join('\n');
  return files;
}

export function registerInitCommand(program: Command, ctx: CliContext): void {
  withCommon(
    program
      .command('init [dir]')
      .description('start a project: a dataset spec and a feature repo (entity, feature view, training set), typed from a sample CSV')
      .requiredOption('--from-csv <file>', 'a CSV with a header row; column types are inferred from its first 2,000 rows')
      .requiredOption('--entity <column>', 'join key column (INT64 or STRING)')
      .requiredOption('--timestamp <column>', 'event time column (ISO-8601 text, or Unix epoch seconds/ms)')
      .option('--label <column>', 'label column (adds a training set)')
      .option('--positive <value>', 'label value of the positive class (default 1; required for text labels)')
      .option('--dataset <name>', 'dataset name (default: the CSV file name)')
      .option('--force', 'overwrite existing files'),
    ['strata init adult --from-csv adult.csv --entity person_id --timestamp event_time --label income --positive ">50K"'],
  ).action(async (dir: string | undefined, opts: { json?: boolean; fromCsv: string; entity: string; timestamp: string; label?: string; positive?: string; dataset?: string; force?: boolean }) => {
    const out = ctx.output(opts);
    const root = path.resolve(ctx.cwd, dir ?? '.');
    const csvFile = path.resolve(ctx.cwd, opts.fromCsv);
    const head = fs.readFileSync(csvFile, 'utf8').slice(0, 4 * 1024 * 1024);
    const dataset = opts.dataset ?? path.basename(csvFile).replace(/\.[^.]+$/, '').toLowerCase().replace(/[^a-z0-9_.-]/g, '_');
    if (!/^[a-z0-9][a-z0-9_.-]{0,127}$/.test(dataset)) throw new Error(`dataset name '${dataset}' must match ^[a-z0-9][a-z0-9_.-]{0,127}$ (pass --dataset)`);
    const labelType = opts.label ? inferColumns(head, opts.timestamp).find((c) => c.name === opts.label)?.type : undefined;
    if (labelType === 'STRING' && !opts.positive) throw new Error(`--label ${opts.label} is text: name the positive class with --positive <value>`);
    const files = projectFiles({ dataset, columns: inferColumns(head, opts.timestamp), delimiter: detectDelimiter(head.split(/\r?\n/, 1)[0] ?? ''), entity: opts.entity, timestamp: opts.timestamp, label: opts.label, positive: opts.positive });
    const existing = Object.keys(files).filter((f) => fs.existsSync(path.join(root, f)));
    if (existing.length && !opts.force) throw new Error(`${existing.map((f) => path.join(root, f)).join(', ')} already exist (--force overwrites)`);
    for (const [file, content] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
      fs.writeFileSync(path.join(root, file), content);
    }
    emit(out, { dir: root, dataset, files: Object.keys(files) }, () => `project ${dataset} written to ${root}:\n${Object.keys(files).map((f) => `  ${f}`).join('\n')}\nnext: see ${path.join(root, 'README.md')}`);
  });
}
