/**
 * The `consumers:` of every contract agree with the code: a Strata service listed as a consumer
 * has a handler (`@ConsumeEvent(<Contract>)`) for that topic in its app or libs, and every
 * handler consumes a topic whose contract lists its service. Reads the sources as text (comments
 * stripped; spec files skipped), so it needs no service to run.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as contracts from './index';
import { ALL_EVENTS, type AnyEventContract } from './index';

const REPO_ROOT = path.resolve(__dirname, '../../..');
/** The platform's services: `apps/<service>` and `libs/<service>/**`. */
const SERVICES = ['ingestion', 'features', 'training', 'registry', 'serving', 'monitoring'] as const;
const SPEC = /\.(spec|int-spec|e2e-spec)\.ts$/;

interface Handler {
  file: string;
  service: string | undefined;
  contractName: string;
  contract: AnyEventContract | undefined;
}

function sourceFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => f.split(path.sep).join('/'))
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !SPEC.test(f) && !f.split('/').includes('node_modules'))
    .map((f) => path.join(dir, f));
}

/** The service owning a repository-relative path (`apps/serving/...`, `libs/serving/...`), if any. */
export function serviceOf(rel: string): string | undefined {
  const [root, first] = rel.split('/');
  return (root === 'apps' || root === 'libs') && (SERVICES as readonly string[]).includes(first ?? '') ? first : undefined;
}

/** `@ConsumeEvent(Name` occurrences in code (comments stripped). */
export function consumedContractNames(code: string): string[] {
  const stripped = code.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1');
  return [...stripped.matchAll(/@ConsumeEvent\(\s*([A-Za-z_$][\w$]*)/g)].map((m) => m[1] as string);
}

function handlers(): Handler[] {
  const byName = contracts as unknown as Record<string, unknown>;
  const out: Handler[] = [];
  for (const file of [...sourceFiles(path.join(REPO_ROOT, 'apps')), ...sourceFiles(path.join(REPO_ROOT, 'libs'))]) {
    const rel = path.relative(REPO_ROOT, file).split(path.sep).join('/');
    for (const contractName of consumedContractNames(fs.readFileSync(file, 'utf8'))) {
      const candidate = byName[contractName];
      const contract = ALL_EVENTS.find((c) => c === candidate);
      out.push({ file: rel, service: serviceOf(rel), contractName, contract });
    }
  }
  return out;
}

describe('consumers of every contract match the handlers in the code', () => {
  const found = handlers();

  it('finds the handlers (the scan works)', () => {
    expect(found.length).toBeGreaterThanOrEqual(10);
    expect(found).toContainEqual(expect.objectContaining({ service: 'serving', contractName: 'ModelAliasChangedV1' }));
  });

  it('every @ConsumeEvent names a contract of ALL_EVENTS and lives in a service', () => {
    const bad = found.filter((h) => !h.contract || !h.service).map((h) => `${h.file}: @ConsumeEvent(${h.contractName})`);
    expect(bad).toEqual([]);
  });

  it('every handler consumes a topic whose contract lists its service', () => {
    const unlisted = found
      .filter((h) => h.contract && h.service && !h.contract.consumers.includes(h.service))
      .map((h) => `${h.file}: ${h.service} consumes ${h.contract?.topic}, whose consumers are [${h.contract?.consumers.join(', ')}]`);
    expect(unlisted).toEqual([]);
  });

  it('every Strata service a contract lists as consumer has a handler for that topic', () => {
    const missing: string[] = [];
    for (const c of ALL_EVENTS) {
      for (const consumer of c.consumers.filter((s) => (SERVICES as readonly string[]).includes(s))) {
        if (!found.some((h) => h.contract === c && h.service === consumer)) missing.push(`${c.topic}: lists ${consumer}, which has no @ConsumeEvent(${c.topic})`);
      }
    }
    expect(missing).toEqual([]);
  });
});

describe('the scan itself', () => {
  it('reads handler names, ignoring comments and doc examples', () => {
    const code = [
      '/** e.g. @ConsumeEvent(TrainingRunCompletedV1) */',
      '// @ConsumeEvent(DriftDetectedV1)',
      "const url = 'http://x'; @ConsumeEvent(ModelAliasChangedV1, { broadcast: true })",
      '@ConsumeEvent( PredictionLoggedV1)',
    ].join('\n');
    expect(consumedContractNames(code)).toEqual(['ModelAliasChangedV1', 'PredictionLoggedV1']);
  });

  it('maps paths to services', () => {
    expect(serviceOf('libs/serving/domain-inference/src/lib/model-alias.consumer.ts')).toBe('serving');
    expect(serviceOf('apps/monitoring/src/main.ts')).toBe('monitoring');
    expect(serviceOf('libs/messaging/src/nest/consume-event.decorator.ts')).toBeUndefined();
  });
});
