import type { Rollout, RolloutArm, RolloutComparison } from '@strata/contracts/api';
import { decision } from './fixtures';
import { canManageRollouts, comparisonLines, guardStatus, millis, percent, rolloutDecisions, rolloutRows, thresholdList, trafficSplit } from './rollouts';

function arm(role: 'champion' | 'challenger', over: Partial<RolloutArm> = {}): RolloutArm {
  return {
    role,
    version: role === 'champion' ? 1 : 2,
    requestCount: 900,
    predictionCount: 891,
    errorCount: 9,
    errorRate: 0.01,
    latencySeconds: { p50: 0.0042, p95: 0.011, p99: 0.0183, relativeAccuracy: 0.01 },
    labeledCount: 640,
    unlabeledCount: 251,
    metricValue: 0.8734,
    excluded: { predictionCount: 0, labeledCount: 0 },
    byAlias: [],
    ...over,
  };
}

function comparison(over: Partial<RolloutComparison> = {}): RolloutComparison {
  return {
    modelName: 'adult-income',
    rolloutId: 'r-2',
    mode: 'canary',
    status: 'active',
    startedAt: '2024-03-03T08:00:00.000Z',
    challengerWeight: 0.25,
    trainingDataCutoff: null,
    metric: { name: 'roc_auc', higherIsBetter: true },
    champion: arm('champion'),
    challenger: arm('challenger', { requestCount: 300, predictionCount: 294, errorCount: 6, errorRate: 0.02, latencySeconds: { p50: 0.005, p95: 0.02, p99: 0.25, relativeAccuracy: 0.01 }, labeledCount: 210, unlabeledCount: 84, metricValue: 0.8911 }),
    disparityGate: null,
    guard: {
      enabled: true,
      thresholds: { intervalMs: 5000, minRequests: 100, maxErrorRate: 0.05, maxErrorRateRatio: 0, maxP99Seconds: 1, maxP99Ratio: 3, metric: 'roc_auc' },
      breaches: [],
      rollbackRequestedAt: null,
      rollbackReason: null,
    },
    ...over,
  };
}

function rollout(id: string, over: Partial<Rollout> = {}): Rollout {
  return {
    rolloutId: id,
    modelName: 'adult-income',
    status: 'active',
    mode: 'canary',
    championVersion: 1,
    challengerVersion: 2,
    challengerWeight: 0.25,
    stickyKey: null,
    // the serving route the registry sends (the mapping does not read it)
    route: null,
    actor: 'key:ml1',
    reason: 'canary of v2',
    startedAt: '2024-03-03T08:00:00.000Z',
    updatedAt: '2024-03-03T08:00:00.000Z',
    endedBy: null,
    endReason: null,
    endedAt: null,
    ...over,
  };
}

describe('rollout view mapping', () => {
  it('shows promote/roll back only to a role with rollouts:write, or to everyone when auth is off', () => {
    const who = (permissions: string[] | null) => ({ id: 'key:x', name: 'x', via: 'api-key', roles: [], projects: null, authEnforced: permissions !== null, permissions });
    expect(canManageRollouts(who(['models:read', 'rollouts:read']))).toBe(false);
    expect(canManageRollouts(who(['rollouts:read', 'rollouts:write']))).toBe(true);
    expect(canManageRollouts(who(null))).toBe(true);
    expect(canManageRollouts(undefined)).toBe(false);
  });

  it('formats shares and latency', () => {
    expect([percent(0.1), percent(0.125), percent(0.0123, 2), percent(null)]).toEqual(['10%', '12.5%', '1.23%', '—']);
    expect([millis(0.0042), millis(0.25), millis(null)]).toEqual(['4.2 ms', '250 ms', '—']);
    expect(trafficSplit('canary', 0.25)).toEqual({ champion: '75%', challenger: '25%' });
    expect(trafficSplit('shadow', 0)).toEqual({ champion: '100% (served)', challenger: 'mirrored (not served)' });
  });

  it('maps the live comparison to one line per measure with the guard limit on the challenger', () => {
    const lines = comparisonLines(comparison());
    expect(lines.map((l) => [l.measure, l.champion, l.challenger, l.limit])).toEqual([
      ['version', 'v1', 'v2', ''],
      ['traffic', '75%', '25%', ''],
      ['requests', '900', '300', 'verdict after 100 requests'],
      ['errors', '9', '6', ''],
      ['error rate', '1%', '2%', '≤ 5%'],
      ['latency p50', '4.2 ms', '5.0 ms', ''],
      ['latency p99', '18.3 ms', '250 ms', '≤ 1000 ms, ≤ 3× champion'],
      ['labeled predictions', '640', '210', ''],
      ['unlabeled predictions', '251', '84', ''],
      ['roc_auc (higher is better)', '0.873', '0.891', ''],
    ]);
    const noLabels = comparisonLines(comparison({ metric: { name: 'log_loss', higherIsBetter: false }, challenger: arm('challenger', { metricValue: null, errorRate: null }), guard: { ...comparison().guard, thresholds: null } }));
    expect(noLabels.find((l) => l.measure.startsWith('log_loss'))).toEqual({ measure: 'log_loss (lower is better)', champion: '0.873', challenger: '—', limit: '' });
    expect(noLabels.find((l) => l.measure === 'error rate')).toEqual({ measure: 'error rate', champion: '1%', challenger: '—', limit: '' });
  });

  it("states the guard's verdict and lists its thresholds", () => {
    expect(guardStatus(comparison())).toEqual({ state: 'ok', text: 'within thresholds' });
    expect(guardStatus(comparison({ guard: { ...comparison().guard, breaches: ['challenger p99 1.2 s > 1 s'] } }))).toEqual({ state: 'breached', text: 'breached: challenger p99 1.2 s > 1 s' });
    expect(guardStatus(comparison({ guard: { ...comparison().guard, rollbackRequestedAt: '2024-03-03T09:15:00.000Z', rollbackReason: 'p99' } }))).toEqual({
      state: 'rollback-requested',
      text: 'rollback requested 2024-03-03 09:15: p99',
    });
    expect(guardStatus(comparison({ guard: { ...comparison().guard, enabled: false } })).state).toBe('off');
    expect(thresholdList(comparison().guard.thresholds)).toEqual([
      'min requests before a verdict: 100',
      'max error rate: 5%',
      'max error rate ratio: off',
      'max p99: 1000 ms',
      'max p99 ratio: 3×',
      'checked every 5 s',
    ]);
    expect(thresholdList(null)).toEqual([]);
  });

  it('lists rollouts newest first with split and how they ended', () => {
    const rows = rolloutRows([
      rollout('r-1', { status: 'rolled-back', startedAt: '2024-03-01T08:00:00.000Z', endedAt: '2024-03-01T09:30:00.000Z', endedBy: 'monitoring:auto-rollback', endReason: 'error rate 8% > 5%' }),
      rollout('r-2'),
      rollout('r-0', { mode: 'shadow', status: 'ended', startedAt: '2024-02-01T08:00:00.000Z', endedAt: '2024-02-02T08:00:00.000Z', endedBy: 'key:ml1' }),
    ]);
    expect(rows.map((r) => [r.rolloutId, r.status, r.split, r.ended])).toEqual([
      ['r-2', 'active', '25% to the challenger', '—'],
      ['r-1', 'rolled-back', '25% to the challenger', '2024-03-01 09:30 by monitoring:auto-rollback (error rate 8% > 5%)'],
      ['r-0', 'ended', 'mirrored', '2024-02-02 08:00 by key:ml1'],
    ]);
    expect(rows[0]).toMatchObject({ versions: 'v2 vs v1', startedAt: '2024-03-03 08:00', startedBy: 'key:ml1' });
  });

  it("keeps only the rollout's own live decisions", () => {
    const evidence = (rolloutId: string) => ({ rolloutId, championLabeled: 640, challengerLabeled: 210, trainingDataCutoff: null, championExcluded: { predictions: 0, labels: 0 }, challengerExcluded: { predictions: 0, labels: 0 } });
    const rows = rolloutDecisions([decision({ id: 1 }), decision({ id: 2, evidence: evidence('r-2'), challengerValue: 0.8911, championValue: 0.8734, improvement: 0.0177 }), decision({ id: 3, evidence: evidence('r-1') })], 'r-2');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ id: 2, challengerValue: '0.891', championValue: '0.873', improvement: '+0.018', basis: 'live rollout: 210 / 640 labels (challenger / champion)' });
  });
});
