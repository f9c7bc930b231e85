import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { PromotionDecision, PromotionPolicy, StrataLifecycleApi } from '@strata/shared/data-access-strata-client';
import { cliHarness } from '../testing/cli-harness';
import { registerModelCommands } from './models';
import { policyText, promotionDecisionText, readPolicyFile } from './models-policy';

const policy: PromotionPolicy = {
  name: 'adult-income', metric: 'accuracy', direction: 'maximize', minMargin: 0, autoPromote: false, rollout: null,
  fairness: { segment: 'sex', metric: 'demographic_parity_difference', maxWidening: 0.05, maxValue: null, minValue: null, minCount: 30 },
} as PromotionPolicy;

const group = (g: string, n: number, sr: number) => ({ group: g, predictionCount: n, selectionRate: sr, truePositiveRate: 0.5, falsePositiveRate: null, positivePredictiveValue: 0.75 });
const decision = {
  id: 7, name: 'adult-income', challengerVersion: 2, championVersion: 1, metric: 'accuracy', direction: 'maximize', minMargin: 0, challengerValue: 0.9, championValue: 0.8,
  improvement: 0.1, challengerEvaluationDigest: 'd', championEvaluationDigest: 'd', outcome: 'rejected', applied: false, reason: 'accuracy 0.9 (v2) vs 0.8 (v1); refused by the disparity gate: …',
  trigger: 'request', actor: 'cli', requestId: null, decidedAt: '2026-12-07T06:00:00.000Z',
  evidence: {
    disparity: {
      segment: 'sex', metric: 'demographic_parity_difference', championVersion: 1, challengerVersion: 2, championValue: 0.1, challengerValue: 0.3, widening: 0.2, passed: false, status: 'widened', reason: '…',
      challenger: { version: 2, value: 0.3, eligibleGroups: ['Male', 'Female'], groups: [group('Male', 100, 0.45), group('Female', 100, 0.15)] },
      champion: { version: 1, value: 0.1, eligibleGroups: ['Male', 'Female'], groups: [group('Male', 100, 0.3), group('Female', 100, 0.2), group('Other', 10, 0.1)] },
    },
  },
} as unknown as PromotionDecision;

describe('strata models policy / promote (fairness gate, issue 17)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-policy-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  afterEach(() => jest.restoreAllMocks());

  function harness() {
    const calls: Array<{ method: string; args: unknown[] }> = [];
    const client = {
      setPromotionPolicy: (...args: unknown[]) => (calls.push({ method: 'setPromotionPolicy', args }), Promise.resolve(policy)),
      getPromotionPolicy: (...args: unknown[]) => (calls.push({ method: 'getPromotionPolicy', args }), Promise.resolve(policy)),
      decidePromotion: (...args: unknown[]) => (calls.push({ method: 'decidePromotion', args }), Promise.resolve(decision)),
    };
    const api = { client } as unknown as StrataLifecycleApi;
    return { calls, ...cliHarness(api, registerModelCommands, { cwd: dir, prefix: ['models'] }) };
  }

  it('--file PUTs the YAML policy as is; --show GETs and prints the gate', async () => {
    fs.writeFileSync(path.join(dir, 'policy.yaml'), 'metric: accuracy\ndirection: maximize\nautoPromote: false\nfairness: { segment: sex, metric: demographic_parity_difference, maxWidening: 0.05 }\n');
    const h = harness();
    await h.run(['policy', 'adult-income', '--file', 'policy.yaml', '--json']);
    expect(h.calls).toEqual([{ method: 'setPromotionPolicy', args: ['adult-income', { metric: 'accuracy', direction: 'maximize', autoPromote: false, fairness: { segment: 'sex', metric: 'demographic_parity_difference', maxWidening: 0.05 } }] }]);
    expect(JSON.parse(h.stdout.join(''))).toEqual(policy);
    const s = harness();
    await s.run(['policy', 'adult-income', '--show']);
    expect(s.stdout.join('')).toBe(policyText(policy) + '\n');
    expect(policyText(policy)).toContain('fairness      demographic_parity_difference on sex: max widening 0.05 (min count 30)');
    expect(policyText({ ...policy, fairness: { segment: 'age', metric: 'demographic_parity_difference', maxWidening: null, maxValue: 0.2, minValue: null, minCount: 30, significantOnly: true, buckets: [25, 45, 65] } as never })).toContain(
      'fairness      demographic_parity_difference on age in buckets 25/45/65: max value 0.2, significant widenings only (min count 30), offline and live decisions',
    );
    fs.writeFileSync(path.join(dir, 'bad.yaml'), 'segment: sex\n');
    expect(() => readPolicyFile('bad.yaml', dir)).toThrow("bad.yaml: a promotion policy is an object with 'metric' and 'direction', e.g. metric: accuracy, direction: maximize");
    await expect(harness().run(['policy', 'adult-income'])).rejects.toThrow('give --file <yaml|json> to set the promotion policy, or --show to print it');
  });

  it('promote prints the verdict, the fairness gate and each side\'s groups', async () => {
    const h = harness();
    await h.run(['promote', 'adult-income', '--version', '2']);
    expect(h.calls).toEqual([{ method: 'decidePromotion', args: ['adult-income', { challengerVersion: 2, apply: true }] }]);
    const text = h.stdout.join('');
    expect(text).toBe(promotionDecisionText(decision) + '\n');
    expect(text).toContain('fairness gate  widened: demographic_parity_difference on sex');
    expect(text).toContain(' v2         Female                     100    0.1500            0.5000    n/a    0.7500\n');
    expect(text).toContain(' v1         Other (below min count)    10     0.1000            0.5000    n/a    0.7500\n');
  });
});
