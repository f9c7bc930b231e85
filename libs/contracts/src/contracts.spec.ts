import * as fs from 'node:fs';
import * as path from 'node:path';
import { ALL_EVENTS, findContract } from './index';
import { renderAll } from './render-artifacts';

const TOPIC_PATTERN = /^strata\.([a-z][a-z0-9-]*)\.([a-z][a-z0-9-]*)\.v([1-9][0-9]*)$/;
const EVENTS_DIR = path.join(__dirname, 'events');
const FIXTURES_DIR = path.join(__dirname, '__fixtures__');
const REPO_ROOT = path.resolve(__dirname, '../../..');

function eventFiles(): string[] {
  return fs
    .readdirSync(EVENTS_DIR, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'))
    .map((f) => f.split(path.sep).join('/'))
    .sort();
}

function fixture(topic: string): unknown {
  return JSON.parse(fs.readFileSync(path.join(FIXTURES_DIR, `${topic}.json`), 'utf8'));
}

describe('ALL_EVENTS', () => {
  it('has unique topics and CloudEvents types', () => {
    const topics = ALL_EVENTS.map((c) => c.topic);
    expect(new Set(topics).size).toBe(topics.length);
    expect(new Set(ALL_EVENTS.map((c) => c.type)).size).toBe(topics.length);
  });

  it.each(ALL_EVENTS.map((c) => [c.topic, c] as const))('%s matches strata.<domain>.<event>.v<N>', (topic, c) => {
    const m = TOPIC_PATTERN.exec(topic);
    expect(m).not.toBeNull();
    expect(m?.[1]).toBe(c.domain);
    expect(m?.[2]).toBe(c.event);
    expect(Number(m?.[3])).toBe(c.version);
    expect(c.type).toBe(`dev.${topic}`);
    expect(c.partitions).toBeGreaterThanOrEqual(1);
    expect(c.producers.length).toBeGreaterThan(0);
    expect(c.consumers.length).toBeGreaterThan(0);
  });

  it('has exactly one contract per file events/<domain>/<event>.v<N>.ts, named after its topic', () => {
    const fromContracts = ALL_EVENTS.map((c) => `${c.domain}/${c.event}.v${c.version}.ts`).sort();
    expect(eventFiles()).toEqual(fromContracts);
  });

  it('each event file exports the contract it is named after', () => {
    for (const c of ALL_EVENTS) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const mod = require(path.join(EVENTS_DIR, c.domain, `${c.event}.v${c.version}`)) as Record<string, unknown>;
      expect(Object.values(mod)).toContain(c);
    }
  });

  it('findContract finds by topic', () => {
    expect(findContract('strata.registry.model-alias-changed.v1')?.event).toBe('model-alias-changed');
    expect(findContract('strata.nope.v1')).toBeUndefined();
  });
});

describe('fixtures', () => {
  it('there is one fixture per topic and no orphan', () => {
    const files = fs.readdirSync(FIXTURES_DIR).filter((f) => f.endsWith('.json')).sort();
    expect(files).toEqual(ALL_EVENTS.map((c) => `${c.topic}.json`).sort());
  });

  describe.each(ALL_EVENTS.map((c) => [c.topic, c] as const))('%s', (topic, c) => {
    it('parses its fixture and derives a non-empty key', () => {
      const value = c.schema.parse(fixture(topic));
      expect(c.key(value)).toMatch(/.+/);
      // A key declared as one field (`keyField`) is that field's value, and docs name that field.
      if (/^\w+$/.test(c.keyDescription)) expect(c.key(value)).toBe((value as Record<string, unknown>)[c.keyDescription]);
    });

    it('rejects the fixture with its first field removed', () => {
      const value = fixture(topic) as Record<string, unknown>;
      const [firstRequired] = Object.keys(value);
      delete value[firstRequired as string];
      const result = c.schema.safeParse(value);
      expect(result.success).toBe(false);
      expect(result.error?.issues[0]?.path).toEqual([firstRequired]);
    });

    it('rejects a fixture with a wrongly typed field', () => {
      const value = fixture(topic) as Record<string, unknown>;
      const [, second] = Object.keys(value);
      value[second as string] = { unexpected: true };
      expect(c.schema.safeParse(value).success).toBe(false);
    });
  });
});

describe('field rules', () => {
  const registered = () => fixture('strata.registry.model-version-registered.v1') as Record<string, unknown>;
  const c = findContract('strata.registry.model-version-registered.v1')!;

  it('rejects uppercase or short sha256', () => {
    expect(c.schema.safeParse({ ...registered(), artifactSha256: 'ABC' }).success).toBe(false);
    const upper = (registered().artifactSha256 as string).toUpperCase();
    expect(c.schema.safeParse({ ...registered(), artifactSha256: upper }).success).toBe(false);
  });

  it('rejects non-UTC or malformed timestamps', () => {
    expect(c.schema.safeParse({ ...registered(), registeredAt: '2026-11-29T22:00:00+01:00' }).success).toBe(false);
    expect(c.schema.safeParse({ ...registered(), registeredAt: 'yesterday' }).success).toBe(false);
  });

  it('rejects version 0 and fractional versions', () => {
    expect(c.schema.safeParse({ ...registered(), version: 0 }).success).toBe(false);
    expect(c.schema.safeParse({ ...registered(), version: 1.5 }).success).toBe(false);
  });

  it('rejects an alias change that changes nothing', () => {
    const alias = findContract('strata.registry.model-alias-changed.v1')!;
    const v = fixture('strata.registry.model-alias-changed.v1') as Record<string, unknown>;
    expect(alias.schema.safeParse({ ...v, fromVersion: 7, toVersion: 7 }).success).toBe(false);
    expect(alias.schema.safeParse({ ...v, fromVersion: null, toVersion: 7 }).success).toBe(true);
  });

  it('rejects a drift window that ends before it starts (compares instants, not strings)', () => {
    const drift = findContract('strata.monitoring.drift-detected.v1')!;
    const v = fixture('strata.monitoring.drift-detected.v1') as Record<string, unknown>;
    expect(drift.schema.safeParse({ ...v, windowEnd: '2026-11-29T21:00:00Z' }).success).toBe(false);
    expect(drift.schema.safeParse({ ...v, windowStart: '2026-11-29T23:00:00.500Z', windowEnd: '2026-11-29T23:00:00.500Z' }).success).toBe(true);
  });

  it('rejects a probability outside [0, 1] and unknown training reasons', () => {
    const p = findContract('strata.serving.prediction-logged.v1')!;
    const v = fixture('strata.serving.prediction-logged.v1') as Record<string, unknown>;
    expect(p.schema.safeParse({ ...v, outputs: { prediction: 1, probability: 1.2 } }).success).toBe(false);
    const t = findContract('strata.training.training-requested.v1')!;
    const r = fixture('strata.training.training-requested.v1') as Record<string, unknown>;
    expect(t.schema.safeParse({ ...r, reason: 'whim' }).success).toBe(false);
  });
});

describe('generated artefacts', () => {
  it('are up to date (run `node -r @swc-node/register tools/contracts/generate.ts` if this fails)', () => {
    const stale: string[] = [];
    for (const [rel, content] of renderAll()) {
      const abs = path.join(REPO_ROOT, rel);
      if (!fs.existsSync(abs) || fs.readFileSync(abs, 'utf8') !== content) stale.push(rel);
    }
    expect(stale).toEqual([]);
  });

  it('topics.json lists every topic and its .dlq', () => {
    const topics = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'libs/contracts/generated/topics.json'), 'utf8')) as Array<{
      topic: string;
      partitions: number;
    }>;
    for (const c of ALL_EVENTS) {
      expect(topics).toContainEqual({ topic: c.topic, partitions: c.partitions });
      expect(topics).toContainEqual({ topic: `${c.topic}.dlq`, partitions: 1 });
    }
  });
});

describe('dependencies', () => {
  it('imports nothing but zod and relative modules (workflow-safe)', () => {
    const files = fs
      .readdirSync(__dirname, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'));
    for (const f of files) {
      // Comments may show usage examples; only code counts.
      const code = fs
        .readFileSync(path.join(__dirname, f), 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/\/\/.*$/gm, '');
      for (const m of code.matchAll(/(?:from|require\()\s*'([^']+)'/g)) {
        expect([f, m[1]]).toEqual([f, m[1] === 'zod' || m[1]!.startsWith('.') ? m[1] : 'zod or a relative path']);
      }
      expect([f, /\bclass\s+\w+/.test(code), /^\s*@\w+/m.test(code)]).toEqual([f, false, false]);
    }
  });
});
