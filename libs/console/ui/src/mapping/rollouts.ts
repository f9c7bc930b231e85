import type { GuardThresholds, PromotionDecision, Rollout, RolloutArm, RolloutComparison, WhoAmI } from '@strata/contracts/api';
import { formatTime } from './format';
import { decisionRows, type DecisionRow } from './models';

/** Whether the signed-in user may promote or roll back (`rollouts:write`; every action when auth is off). */
export function canManageRollouts(who: WhoAmI | undefined): boolean {
  if (!who) return false;
  return who.permissions === null || who.permissions.includes('rollouts:write');
}

/** A share in [0, 1] as a percentage (`10%`, `12.5%`). */
export function percent(share: number | null | undefined, digits = 1): string {
  if (share === null || share === undefined || !Number.isFinite(share)) return '—';
  const p = share * 100;
  return `${Number.isInteger(p) ? p : Number(p.toFixed(digits))}%`;
}

/** Seconds as milliseconds for display (`12.3 ms`), `—` when absent. */
export function millis(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '—';
  const ms = seconds * 1000;
  return `${ms >= 100 ? ms.toFixed(0) : ms.toFixed(1)} ms`;
}

/** What each side serves: canary = the weights; shadow = the champion answers every request, the challenger sees a mirror. */
export function trafficSplit(mode: 'canary' | 'shadow' | null, challengerWeight: number | null): { champion: string; challenger: string } {
  if (mode === 'shadow') return { champion: '100% (served)', challenger: 'mirrored (not served)' };
  if (challengerWeight === null) return { champion: '—', challenger: '—' };
  return { champion: percent(1 - challengerWeight), challenger: percent(challengerWeight) };
}

/** A rollout in the list of a model's rollouts. */
export interface RolloutRow {
  rolloutId: string;
  status: Rollout['status'];
  mode: Rollout['mode'];
  /** e.g. `v2 vs v1`. */
  versions: string;
  /** canary: `10%` to the challenger; shadow: `mirrored`. */
  split: string;
  startedAt: string;
  /** e.g. `2024-03-02 10:00 by key:abc (promoted: better)`; `—` while active. */
  ended: string;
  startedBy: string;
}

/** Rollouts (any order) → rows, newest first. */
export function rolloutRows(rollouts: readonly Rollout[]): RolloutRow[] {
  return [...rollouts]
    .sort((a, b) => b.startedAt.localeCompare(a.startedAt))
    .map((r) => ({
      rolloutId: r.rolloutId,
      status: r.status,
      mode: r.mode,
      versions: `v${r.challengerVersion} vs v${r.championVersion}`,
      split: r.mode === 'shadow' ? 'mirrored' : `${percent(r.challengerWeight)} to the challenger`,
      startedAt: formatTime(r.startedAt),
      ended: r.endedAt ? `${formatTime(r.endedAt)} by ${r.endedBy ?? '—'}${r.endReason ? ` (${r.endReason})` : ''}` : '—',
      startedBy: r.actor,
    }));
}

/** One line of the live comparison table: a measure on each side, and the guard's limit of it when there is one. */
export interface ComparisonLine {
  measure: string;
  champion: string;
  challenger: string;
  /** The guard's limit on the challenger (empty when none). */
  limit: string;
}

const count = (n: number): string => String(n);
const rate = (r: number | null): string => (r === null ? '—' : percent(r, 2));
const metricText = (v: number | null): string => (v === null ? '—' : v.toFixed(3));

/**
 * The live comparison (`GET /models/{m}/rollouts/current/comparison`) → the lines of its table:
 * version, traffic, requests, errors and error rate, latency p50/p99, labels and the guarded
 * metric per side, with the guard's thresholds on the challenger (rates, seconds → ms). A ratio
 * threshold of 0 is off and not shown.
 */
export function comparisonLines(c: RolloutComparison): ComparisonLine[] {
  const t = c.guard.thresholds;
  const split = trafficSplit(c.mode, c.challengerWeight);
  const both = (f: (a: RolloutArm) => string) => ({ champion: f(c.champion), challenger: f(c.challenger) });
  const errorLimit = t ? [`≤ ${percent(t.maxErrorRate, 2)}`, t.maxErrorRateRatio > 0 ? `≤ ${t.maxErrorRateRatio}× champion` : ''].filter(Boolean).join(', ') : '';
  const p99Limit = t ? [`≤ ${millis(t.maxP99Seconds)}`, t.maxP99Ratio > 0 ? `≤ ${t.maxP99Ratio}× champion` : ''].filter(Boolean).join(', ') : '';
  return [
    { measure: 'version', ...both((a) => `v${a.version}`), limit: '' },
    { measure: 'traffic', ...split, limit: '' },
    { measure: 'requests', ...both((a) => count(a.requestCount)), limit: t ? `verdict after ${t.minRequests} requests` : '' },
    { measure: 'errors', ...both((a) => count(a.errorCount)), limit: '' },
    { measure: 'error rate', ...both((a) => rate(a.errorRate)), limit: errorLimit },
    { measure: 'latency p50', ...both((a) => millis(a.latencySeconds.p50)), limit: '' },
    { measure: 'latency p99', ...both((a) => millis(a.latencySeconds.p99)), limit: p99Limit },
    { measure: 'labeled predictions', ...both((a) => count(a.labeledCount)), limit: '' },
    { measure: 'unlabeled predictions', ...both((a) => count(a.unlabeledCount)), limit: '' },
    { measure: `${c.metric.name} (${c.metric.higherIsBetter ? 'higher' : 'lower'} is better)`, ...both((a) => metricText(a.metricValue)), limit: '' },
  ];
}

/** The guard's state in one sentence: off, watching, breached (with the breaches), or rollback requested. */
export function guardStatus(c: RolloutComparison): { state: 'off' | 'ok' | 'breached' | 'rollback-requested'; text: string } {
  const g = c.guard;
  if (g.rollbackRequestedAt) return { state: 'rollback-requested', text: `rollback requested ${formatTime(g.rollbackRequestedAt)}: ${g.rollbackReason ?? '—'}` };
  if (g.breaches.length) return { state: 'breached', text: `breached: ${g.breaches.join('; ')}` };
  if (!g.enabled) return { state: 'off', text: 'guard off' };
  return { state: 'ok', text: 'within thresholds' };
}

/** The guard's thresholds as `name: value` (rates as %, latency in ms). */
export function thresholdList(t: GuardThresholds | null): string[] {
  if (!t) return [];
  return [
    `min requests before a verdict: ${t.minRequests}`,
    `max error rate: ${percent(t.maxErrorRate, 2)}`,
    `max error rate ratio: ${t.maxErrorRateRatio > 0 ? `${t.maxErrorRateRatio}×` : 'off'}`,
    `max p99: ${millis(t.maxP99Seconds)}`,
    `max p99 ratio: ${t.maxP99Ratio > 0 ? `${t.maxP99Ratio}×` : 'off'}`,
    `checked every ${t.intervalMs / 1000} s`,
  ];
}

/** The live decision(s) recorded for one rollout (`evidence.rolloutId`), newest first, as the model page shows decisions. */
export function rolloutDecisions(decisions: readonly PromotionDecision[], rolloutId: string): DecisionRow[] {
  return decisionRows(decisions.filter((d) => d.evidence !== null && 'rolloutId' in d.evidence && d.evidence.rolloutId === rolloutId));
}
