import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { SegmentConfigView, StrataLifecycleApi } from '@strata/shared/data-access-strata-client';
import { cliHarness } from '../testing/cli-harness';
import { readSegmentConfigFile, registerSegmentConfigCommand, segmentConfigText } from './monitor-segments-config';

const stored: SegmentConfigView = {
  modelName: 'adult-income',
  segments: [{ name: 'sex', field: 'applicant__sex_category' }, { name: 'age', buckets: [30, 50] }],
  topN: 10,
  minCount: 20,
  thresholds: { demographic_parity_difference: 0.2 },
  gate: null,
  updatedBy: 'operator',
  updatedAt: '2026-12-07T03:00:00.000Z',
};

describe('strata monitor segments-config', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-segcfg-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  afterEach(() => jest.restoreAllMocks());

  function harness() {
    const calls: Array<{ method: string; args: unknown[] }> = [];
    const api = {
      putSegmentConfig: (...args: unknown[]) => (calls.push({ method: 'putSegmentConfig', args }), Promise.resolve(stored)),
      segmentConfig: (...args: unknown[]) => (calls.push({ method: 'segmentConfig', args }), Promise.resolve(stored)),
    } as unknown as StrataLifecycleApi;
    return { calls, ...cliHarness(api, (program, ctx) => registerSegmentConfigCommand(program.command('monitor'), ctx), { cwd: dir, prefix: ['monitor'] }) };
  }

  it('--file PUTs the YAML document as is (relative to the working directory) and prints the stored config', async () => {
    fs.writeFileSync(path.join(dir, 'segments.yaml'), 'segments:\n  - { name: sex, field: applicant__sex_category }\n  - { name: age, buckets: [30, 50] }\nminCount: 20\nthresholds: { demographic_parity_difference: 0.2 }\n');
    const h = harness();
    await h.run(['segments-config', 'adult-income', '--file', 'segments.yaml', '--json']);
    expect(h.calls).toEqual([
      { method: 'putSegmentConfig', args: ['adult-income', { segments: [{ name: 'sex', field: 'applicant__sex_category' }, { name: 'age', buckets: [30, 50] }], minCount: 20, thresholds: { demographic_parity_difference: 0.2 } }] },
    ]);
    expect(JSON.parse(h.stdout.join(''))).toEqual(stored);
  });

  it('reads JSON too; --show GETs; the human view lists settings and one row per segment', async () => {
    fs.writeFileSync(path.join(dir, 'segments.json'), JSON.stringify({ segments: [{ name: 'race' }], topN: 5 }));
    expect(readSegmentConfigFile('segments.json', dir)).toEqual({ segments: [{ name: 'race' }], topN: 5 });
    const h = harness();
    await h.run(['segments-config', 'adult-income', '--show']);
    expect(h.calls).toEqual([{ method: 'segmentConfig', args: ['adult-income'] }]);
    expect(h.stdout.join('')).toBe(segmentConfigText(stored) + '\n');
    const text = segmentConfigText(stored);
    expect(text).toContain('minCount    20');
    expect(text).toContain('thresholds  demographic_parity_difference 0.2');
    expect(text).toMatch(/sex\s+applicant__sex_category\s+-\s+-/);
    expect(text).toMatch(/age\s+age\s+30, 50\s+-/);
  });

  it('one-line errors: neither or both options, a missing file, a document without segments, bad YAML', async () => {
    await expect(harness().run(['segments-config', 'm'])).rejects.toThrow('give --file <yaml|json> to set the segment config, or --show to print it');
    await expect(harness().run(['segments-config', 'm', '--show', '--file', 'x.yaml'])).rejects.toThrow('give --file');
    expect(() => readSegmentConfigFile('nope.yaml', dir)).toThrow('nope.yaml: cannot read the segment config (ENOENT)');
    fs.writeFileSync(path.join(dir, 'flat.yaml'), 'name: sex\n');
    expect(() => readSegmentConfigFile('flat.yaml', dir)).toThrow("flat.yaml: a segment config is an object with a 'segments' list");
    fs.writeFileSync(path.join(dir, 'bad.yaml'), 'segments: [ { name: sex\n');
    expect(() => readSegmentConfigFile('bad.yaml', dir)).toThrow(/^bad\.yaml: not YAML or JSON: [^\n]+$/);
  });
});
