import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { z } from 'zod';
import { parseFeatureRef, ValueType, type Entity, type FeatureService, type FeatureView, type OnDemandFeatureView, type PushSource, type TrainingSetSpec } from '../feature-view';
import { FeatureRepoError } from '../offline-store.errors';

/** A loaded, validated feature repository. */
export interface FeatureRepo {
  readonly dir: string;
  readonly entities: readonly Entity[];
  readonly featureViews: readonly FeatureView[];
  readonly onDemandFeatureViews: readonly OnDemandFeatureView[];
  readonly trainingSets: readonly TrainingSetSpec[];
  readonly featureServices: readonly FeatureService[];
  readonly pushSources: readonly PushSource[];
}

const ident = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an identifier ([A-Za-z_][A-Za-z0-9_]*)');
const valueType = z.enum(Object.values(ValueType) as [ValueType, ...ValueType[]]);
const feature = z.object({ name: ident, dtype: valueType, description: z.string().optional() }).strict();

const entityDoc = z.object({ kind: z.literal('Entity'), name: ident, joinKey: ident, valueType, description: z.string().optional() }).strict();
const featureViewDoc = z
  .object({
    kind: z.literal('FeatureView'),
    name: ident,
    description: z.string().optional(),
    entities: z.array(ident).min(1),
    ttlSeconds: z.number().int().nonnegative(),
    source: z.object({ datasetName: z.string().min(1) }).strict(),
    timestampField: ident,
    createdTimestampField: ident.optional(),
    features: z.array(feature).min(1),
    transformation: z.string().min(1).optional(),
    sourceLookbackSeconds: z.number().int().nonnegative().optional(),
    pushSource: ident.optional(),
  })
  .strict();
const onDemandDoc = z
  .object({
    kind: z.literal('OnDemandFeatureView'),
    name: ident,
    description: z.string().optional(),
    requestSchema: z.array(feature).min(1),
    features: z.array(feature.extend({ expression: z.string().min(1) }).strict()).min(1),
  })
  .strict();
const trainingSetDoc = z
  .object({
    kind: z.literal('TrainingSet'),
    name: ident,
    description: z.string().optional(),
    source: z.object({ datasetName: z.string().min(1) }).strict(),
    entitySql: z.string().min(1),
    eventTimestampColumn: ident,
    label: ident.optional(),
    features: z.array(z.string()).min(1).optional(),
    featureService: ident.optional(),
    fullFeatureNames: z.boolean().optional(),
  })
  .strict()
  .refine((t) => (t.features === undefined) !== (t.featureService === undefined), { message: 'give exactly one of features or featureService', path: ['features'] });
const featureServiceDoc = z
  .object({ kind: z.literal('FeatureService'), name: ident, description: z.string().optional(), features: z.array(z.string()).min(1) })
  .strict();
const pushSourceDoc = z
  .object({
    kind: z.literal('PushSource'),
    name: ident,
    description: z.string().optional(),
    schema: z.array(feature).min(1),
    timestampField: ident,
    createdTimestampField: ident.optional(),
  })
  .strict();
const repoDoc = z.discriminatedUnion('kind', [entityDoc, featureViewDoc, onDemandDoc, trainingSetDoc, featureServiceDoc, pushSourceDoc]);

/**
 * Loads every `*.yaml` / `*.yml` file of `dir` (not recursive; a file may hold several
 * `---`-separated documents). Each document has a `kind`: `Entity`, `FeatureView`,
 * `OnDemandFeatureView`, `TrainingSet`, `FeatureService` or `PushSource`, and the fields of the
 * matching type.
 *
 * Cross-checks: unique names per kind and unique view names across kinds; a view's
 * `entities` must be declared join keys; unique feature names per view; training-set
 * feature refs and feature-service refs must resolve to a declared feature; a training set's
 * `featureService` must be declared; a view's `pushSource` must be declared and carry the view's
 * join keys, timestamp and features with the same types (keys: any type, converted on push).
 * @throws FeatureRepoError listing EVERY problem, each naming the file (and document index) and
 *   field path: one problem is the message; several are `feature repo: N problems:` then one per
 *   line. `details.issues` has one line per issue.
 */
export async function loadFeatureRepo(dir: string): Promise<FeatureRepo> {
  let names: string[];
  try {
    names = (await fs.readdir(dir)).filter((n) => /\.ya?ml$/.test(n)).sort();
  } catch (e) {
    throw new FeatureRepoError(`${dir}: cannot read feature repo directory: ${(e as Error).message}`, { dir });
  }
  const files: Array<{ file: string; text: string }> = [];
  for (const n of names) files.push({ file: path.join(dir, n), text: await fs.readFile(path.join(dir, n), 'utf8') });
  return parseFeatureRepoDocuments(files, dir);
}

/** Same as {@link loadFeatureRepo} on in-memory file contents (tests, API uploads). @throws FeatureRepoError */
export function parseFeatureRepoDocuments(files: ReadonlyArray<{ file: string; text: string }>, dir = '<memory>'): FeatureRepo {
  const entities: Array<Entity & { where: string }> = [];
  const featureViews: Array<FeatureView & { where: string }> = [];
  const odfvs: Array<OnDemandFeatureView & { where: string }> = [];
  const trainingSets: Array<TrainingSetSpec & { where: string }> = [];
  const featureServices: Array<FeatureService & { where: string }> = [];
  const pushSources: Array<PushSource & { where: string }> = [];
  // Every problem is collected (each with its place), so one run reports them all.
  const problems: string[] = [];
  /** The same, one line per issue (a document's schema issues each on its own line, with the document). */
  const issues: string[] = [];
  for (const { file, text } of files) {
    const docs = parseAllDocuments(text);
    docs.forEach((d, i) => {
      const where = docs.length > 1 ? `${file} (document ${i + 1})` : file;
      if (d.errors.length > 0) {
        const lines = d.errors.map((err) => `${where}: YAML syntax error: ${err.message.split('\n')[0]}`);
        problems.push(...lines);
        issues.push(...lines);
        return;
      }
      const js: unknown = d.toJS();
      if (js === null || js === undefined) return;
      const r = repoDoc.safeParse(js);
      if (!r.success) {
        const lines = r.error.issues.map((x) => `${formatPath(x.path)}: ${x.message}`);
        problems.push(`${where}: invalid feature repo document:\n  ${lines.join('\n  ')}`);
        issues.push(...lines.map((l) => `${where}: ${l}`));
        return;
      }
      const v = r.data;
      switch (v.kind) {
        case 'Entity':
          entities.push({ name: v.name, joinKey: v.joinKey, valueType: v.valueType, ...(v.description ? { description: v.description } : {}), where });
          break;
        case 'FeatureView': {
          const { kind: _k, ...rest } = v;
          featureViews.push({ ...rest, kind: 'feature_view', where });
          break;
        }
        case 'OnDemandFeatureView': {
          const { kind: _k, ...rest } = v;
          odfvs.push({ ...rest, kind: 'on_demand_feature_view', where });
          break;
        }
        case 'TrainingSet': {
          const { kind: _k, features, ...rest } = v;
          trainingSets.push({ ...rest, features: features ?? [], kind: 'training_set', where });
          break;
        }
        case 'FeatureService': {
          const { kind: _k, ...rest } = v;
          featureServices.push({ ...rest, kind: 'feature_service', where });
          break;
        }
        case 'PushSource': {
          const { kind: _k, ...rest } = v;
          pushSources.push({ ...rest, kind: 'push_source', where });
          break;
        }
      }
    });
  }
  const fail = (where: string, field: string, msg: string): void => {
    problems.push(`${where}: ${field}: ${msg}`);
    issues.push(`${where}: ${field}: ${msg}`);
  };
  const dup = <T extends { name: string; where: string }>(items: T[], what: string) => {
    const seen = new Map<string, string>();
    for (const it of items) {
      if (seen.has(it.name)) fail(it.where, 'name', `duplicate ${what} '${it.name}' (also in ${seen.get(it.name)})`);
      seen.set(it.name, it.where);
    }
  };
  dup(entities, 'entity');
  dup([...featureViews, ...odfvs], 'feature view');
  dup(trainingSets, 'training set');
  dup(featureServices, 'feature service');
  dup(pushSources, 'push source');
  for (const p of pushSources) {
    const cols = new Set<string>();
    p.schema.forEach((c, i) => (cols.has(c.name) ? fail(p.where, `schema[${i}].name`, `duplicate column '${c.name}'`) : cols.add(c.name)));
    for (const [field, col] of [['timestampField', p.timestampField], ['createdTimestampField', p.createdTimestampField]] as const) {
      if (col === undefined) continue;
      const c = p.schema.find((x) => x.name === col);
      if (!c) fail(p.where, field, `'${col}' is not a column of schema`);
      else if (c.dtype !== 'TIMESTAMP') fail(p.where, field, `'${col}' must have dtype TIMESTAMP (has ${c.dtype})`);
    }
  }
  const joinKeys = new Set(entities.map((e) => e.joinKey));
  for (const v of featureViews) {
    v.entities.forEach((k, i) => joinKeys.has(k) || fail(v.where, `entities[${i}]`, `'${k}' is not the joinKey of any declared Entity`));
    const fs_ = new Set<string>();
    v.features.forEach((f, i) => {
      if (fs_.has(f.name)) fail(v.where, `features[${i}].name`, `duplicate feature '${f.name}'`);
      if ([...v.entities, v.timestampField].includes(f.name)) fail(v.where, `features[${i}].name`, `'${f.name}' is a join key or timestamp column`);
      fs_.add(f.name);
    });
  }
  for (const v of featureViews) {
    if (v.pushSource === undefined) continue;
    const p = pushSources.find((x) => x.name === v.pushSource);
    if (!p) {
      fail(v.where, 'pushSource', `'${v.pushSource}' is not a declared PushSource`);
      continue;
    }
    for (const k of v.entities) if (!p.schema.some((c) => c.name === k)) fail(v.where, 'pushSource', `push source '${p.name}' lacks join key column '${k}'`);
    for (const f of v.features) {
      const c = p.schema.find((x) => x.name === f.name);
      if (!c) fail(v.where, 'pushSource', `push source '${p.name}' lacks feature column '${f.name}'`);
      else if (c.dtype !== f.dtype) fail(v.where, 'pushSource', `push source '${p.name}' column '${f.name}' is ${c.dtype}, the view declares ${f.dtype}`);
    }
  }
  for (const v of odfvs) {
    const fs_ = new Set<string>();
    v.features.forEach((f, i) => (fs_.has(f.name) ? fail(v.where, `features[${i}].name`, `duplicate feature '${f.name}'`) : fs_.add(f.name)));
  }
  const checkRefs = (where: string, refs: readonly string[]) =>
    refs.forEach((ref, i) => {
      let p: { view: string; feature: string };
      try {
        p = parseFeatureRef(ref);
      } catch (e) {
        return fail(where, `features[${i}]`, (e as Error).message);
      }
      const fv = featureViews.find((v) => v.name === p.view) ?? odfvs.find((v) => v.name === p.view);
      if (!fv) return fail(where, `features[${i}]`, `'${ref}': unknown feature view '${p.view}'`);
      if (!fv.features.some((f) => f.name === p.feature)) fail(where, `features[${i}]`, `'${ref}': view '${p.view}' has no feature '${p.feature}'`);
    });
  for (const t of trainingSets) {
    checkRefs(t.where, t.features);
    if (t.featureService !== undefined && !featureServices.some((f) => f.name === t.featureService))
      fail(t.where, 'featureService', `'${t.featureService}' is not a declared FeatureService`);
  }
  for (const f of featureServices) checkRefs(f.where, f.features);
  if (problems.length > 0) {
    // one problem: its own message; several: a count, then each on its own line (details.issues lists them too)
    throw new FeatureRepoError(problems.length === 1 ? problems[0]! : `feature repo: ${issues.length} problems:\n${issues.join('\n')}`, { issues });
  }
  const strip = <T extends { where: string }>(x: T): Omit<T, 'where'> => {
    const { where: _w, ...rest } = x;
    return rest;
  };
  return {
    dir,
    entities: entities.map(strip),
    featureViews: featureViews.map(strip),
    onDemandFeatureViews: odfvs.map(strip),
    trainingSets: trainingSets.map(strip),
    featureServices: featureServices.map(strip),
    pushSources: pushSources.map(strip),
  };
}

function formatPath(p: ReadonlyArray<PropertyKey>): string {
  if (p.length === 0) return '(root)';
  return p.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? String(s) : `.${String(s)}`)).join('');
}
