import { Inject, Injectable } from '@nestjs/common';
import type { RolloutArm, RolloutComparison } from '@strata/contracts/api';
import { DatabaseService } from '@strata/shared/nest-platform';
import { NotFoundError } from '@strata/shared/util-errors';
import { CounterSet, healthFromCounters, performanceFromCounters } from './aggregates';
import { AggregationService, excludedRolloutWindow, rolloutWindow, type RolloutState } from './aggregation.service';
import { MONITORING_OPTIONS, type MonitoringOptions, type RolloutGuardOptions, type RolloutMetric } from './monitoring.constants';
import { monitoringMetrics } from './monitoring.metrics';
import { MonitoringRegistryClient } from './registry.client';
import type { FairnessGate } from '@strata/shared/util-model-evaluation';
import { SegmentsService } from './segments.service';
import { BackgroundPassService } from './background-pass.service';

/**
 * The live comparison of a rollout (`GET /models/{m}/rollouts/current/comparison`) and each of its
 * sides are the API contract's `RolloutComparison` / `RolloutArm` (`@strata/contracts/api`),
 * declared there only. An arm's labels and metric count only predictions after the challenger's
 * training data cutoff (its registry lineage, via model-rollout-changed; all of them when unknown);
 * requests, errors and latency cover all rollout traffic (the guard judges serving health).
 */
export type { RolloutArm, RolloutComparison };

const METRIC_KEYS: Record<RolloutMetric, 'rocAuc' | 'accuracy' | 'logLoss' | 'f1' | 'precision' | 'recall'> = {
  roc_auc: 'rocAuc', accuracy: 'accuracy', log_loss: 'logLoss', f1: 'f1', precision: 'precision', recall: 'recall',
};

/** Default rollback actor (the rollout HTTP contract's `X-Strata-Actor`). */
export const AUTO_ROLLBACK_ACTOR = 'monitoring:auto-rollback';
/** Actor of live promotion decisions (closed loop). */
export const ROLLOUT_EVALUATOR_ACTOR = 'monitoring:rollout-evaluator';

/**
 * Rollout guard: compares champion and challenger on live traffic since the rollout started
 * (counters of window `r:<rolloutId>`, by version) and, when the challenger breaches a
 * threshold over at least `minRequests` requests, asks the registry to roll back — once per
 * rollout (`rollout_state.rollback_requested_at`, claimed before the call, released when the
 * registry could not be reached so the next tick retries).
 *
 * Breach rules (challenger c, champion h; rates = errors / (predictions + errors)):
 * - `c.errorRate > maxErrorRate`;
 * - `maxErrorRateRatio > 0`, h.requests ≥ minRequests and `c.errorRate > maxErrorRateRatio × h.errorRate`
 *   with at least one challenger error;
 * - `c.p99 > maxP99Seconds` (p99 of successful predictions, DDSketch ±1%);
 * - `maxP99Ratio > 0`, h.predictions ≥ minRequests and `c.p99 > maxP99Ratio × h.p99`.
 */
@Injectable()
export class RolloutGuardService extends BackgroundPassService {
  constructor(
    private readonly aggregation: AggregationService,
    private readonly registry: MonitoringRegistryClient,
    private readonly database: DatabaseService,
    @Inject(MONITORING_OPTIONS) private readonly options: MonitoringOptions,
    private readonly segments: SegmentsService,
  ) {
    super('RolloutGuard', 'rollout guard pass failed', () => options.rolloutGuard?.intervalMs ?? 0);
  }

  protected runPass(): Promise<unknown> {
    return this.checkAll();
  }

/**
   * The live decision (closed loop): when the model's promotion policy has a `rollout` and BOTH
   * versions have at least `minLabeledPerVersion` labeled predictions on the rollout's traffic, the
   * policy's metric is computed per version from the rollout counters and sent to the registry,
   * which records the decision and promotes the challenger or rolls the rollout back. Claimed once
   * per rollout like a rollback (released when the registry cannot be reached or answers that the
   * rollout is not decidable yet, so a later pass retries).
   */
  private async decideLive(state: RolloutState): Promise<void> {
    const policy = await this.registry.getPromotionPolicy(state.modelName);
    if (!policy?.rollout) return;
    const key = liveMetricKey(policy.metric);
    if (!key) {
      this.logger.warn({ model: state.modelName, metric: policy.metric }, 'promotion policy metric cannot be measured on live traffic; no live decision');
      return;
    }
    // only predictions after the challenger's training data cutoff (window r:<id>); rx:<id> holds the excluded ones
    const rows = await this.aggregation.read(state.modelName, rolloutWindow(state.rolloutId), {});
    const excludedRows = await this.aggregation.read(state.modelName, excludedRolloutWindow(state.rolloutId), {});
    const arm = (version: number): { labeled: number; value: number | null; excluded: { predictions: number; labels: number } } => {
      const c = new CounterSet();
      for (const r of rows) if (r.modelVersion === version && r.windowKey === rolloutWindow(state.rolloutId)) c.add(r.metric, r.bucket, r.n, r.s);
      const x = new CounterSet();
      for (const r of excludedRows) if (r.modelVersion === version && r.windowKey === excludedRolloutWindow(state.rolloutId)) x.add(r.metric, r.bucket, r.n, r.s);
      const p = performanceFromCounters(c);
      const v = p.performance[key];
      return { labeled: p.labeledCount, value: typeof v === 'number' && Number.isFinite(v) ? v : null, excluded: { predictions: x.n('pred'), labels: performanceFromCounters(x).labeledCount } };
    };
    const h = arm(state.championVersion as number);
    const c = arm(state.challengerVersion as number);
    const need = policy.rollout.minLabeledPerVersion;
    if (h.labeled < need || c.labeled < need) return;
    const cutoff = state.challengerDataCutoff?.toISOString() ?? null;
    const reason =
      `live ${policy.metric}: challenger v${String(state.challengerVersion)} ${String(c.value)} on ${c.labeled} labels, champion v${String(state.championVersion)} ${String(h.value)} on ${h.labeled} labels` +
      (cutoff ? `; after training data cutoff ${cutoff}, excluded v${String(state.challengerVersion)} ${c.excluded.predictions}/${c.excluded.labels}, v${String(state.championVersion)} ${h.excluded.predictions}/${h.excluded.labels} predictions/labels` : '');
    // the disparity gate (issue #17): the policy's fairness (else the legacy segment config gate), on the same rollout counters; the registry refuses when it failed
    const disparity = await this.segments.rolloutGate(state.modelName, state.rolloutId, state.championVersion as number, state.challengerVersion as number, policy.fairness);
    if (!(await this.aggregation.claimRollback(state.modelName, state.rolloutId, `decision requested: ${reason}`.slice(0, 1024)))) return;
    try {
      const res = await this.registry.decideRollout(
        state.modelName,
        {
          rolloutId: state.rolloutId, championValue: h.value, challengerValue: c.value, championLabeled: h.labeled, challengerLabeled: c.labeled,
          trainingDataCutoff: cutoff, championExcluded: h.excluded, challengerExcluded: c.excluded, ...(disparity ? { disparity } : {}),
        },
        this.options.rolloutGuard?.actor === AUTO_ROLLBACK_ACTOR || !this.options.rolloutGuard?.actor ? ROLLOUT_EVALUATOR_ACTOR : this.options.rolloutGuard.actor,
      );
      if (res.status === 409) await this.aggregation.claimRollback(state.modelName, state.rolloutId, null); // not decidable yet: retry later
      this.logger.warn({ model: state.modelName, rolloutId: state.rolloutId, status: res.status, reason, decision: res.body }, 'live rollout decision requested');
    } catch (err) {
      await this.aggregation.claimRollback(state.modelName, state.rolloutId, null);
      this.logger.warn({ model: state.modelName, rolloutId: state.rolloutId, err: (err as Error).message }, 'live rollout decision failed; will retry');
    }
  }

  /** One guard pass over every active rollout without a rollback request. */
  async checkAll(): Promise<void> {
    await this.database.whenReady();
    await this.aggregation.catchUp();
    for (const r of await this.aggregation.activeRollouts()) {
      if (this.pass.stopped) return;
      await this.check(r);
    }
  }

  /**
   * The comparison of the model's current rollout.
   * @throws NotFoundError when monitoring has seen no rollout of the model, or its last one is not active
   */
  async comparison(model: string): Promise<RolloutComparison> {
    await this.aggregation.catchUp();
    const state = await this.aggregation.rollout(model);
    if (!state || state.status !== 'active' || state.championVersion === null || state.challengerVersion === null) {
      throw new NotFoundError(`Model '${model}' has no active rollout (as announced on strata.registry.model-rollout-changed.v1)`);
    }
    return this.compare(state);
  }

  private async compare(state: RolloutState): Promise<RolloutComparison> {
    const metric = this.options.rolloutGuard?.metric ?? 'roc_auc';
    const compared = rolloutWindow(state.rolloutId);
    const excludedKey = excludedRolloutWindow(state.rolloutId);
    const rows = [
      ...(await this.aggregation.read(state.modelName, compared, { byAlias: true })),
      ...(await this.aggregation.read(state.modelName, excludedKey, { byAlias: true })),
    ];
    const arm = (role: 'champion' | 'challenger', version: number): RolloutArm => {
      // health (requests, errors, latency) over all rollout traffic; labels and the metric only
      // over predictions after the challenger's training data cutoff
      const all = { health: new CounterSet(), compared: new CounterSet(), excluded: new CounterSet() };
      const perAlias = new Map<string, typeof all>();
      for (const r of rows) {
        if (r.modelVersion !== version || (r.windowKey !== compared && r.windowKey !== excludedKey)) continue;
        const a = r.alias === '' ? 'none' : r.alias;
        if (!perAlias.has(a)) perAlias.set(a, { health: new CounterSet(), compared: new CounterSet(), excluded: new CounterSet() });
        for (const target of [all, perAlias.get(a)!]) {
          target.health.add(r.metric, r.bucket, r.n, r.s);
          (r.windowKey === compared ? target.compared : target.excluded).add(r.metric, r.bucket, r.n, r.s);
        }
      }
      const summary = (c: typeof all) => {
        const h = healthFromCounters(c.health);
        const p = performanceFromCounters(c.compared);
        return {
          ...h, requestCount: h.predictionCount + h.errorCount, labeledCount: p.labeledCount,
          unlabeledCount: Math.max(0, c.compared.n('pred') - c.compared.n('lbl')), metricValue: p.performance[METRIC_KEYS[metric]],
          excluded: { predictionCount: c.excluded.n('pred'), labeledCount: performanceFromCounters(c.excluded).labeledCount },
        };
      };
      return {
        role, version, ...summary(all),
        byAlias: [...perAlias.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([alias, c]) => {
          const s = summary(c);
          return { alias, requestCount: s.requestCount, predictionCount: s.predictionCount, errorCount: s.errorCount, errorRate: s.errorRate, latencySeconds: s.latencySeconds, labeledCount: s.labeledCount, metricValue: s.metricValue };
        }),
      };
    };
    const champion = arm('champion', state.championVersion as number);
    const challenger = arm('challenger', state.challengerVersion as number);
    const g = this.options.rolloutGuard ?? null;
    return {
      modelName: state.modelName, rolloutId: state.rolloutId, mode: state.mode, status: state.status, startedAt: state.startedAt.toISOString(),
      challengerWeight: state.challengerWeight, trainingDataCutoff: state.challengerDataCutoff?.toISOString() ?? null, metric: { name: metric, higherIsBetter: metric !== 'log_loss' },
      champion, challenger,
      disparityGate: await this.segments.rolloutGate(state.modelName, state.rolloutId, champion.version, challenger.version, await this.policyGate(state.modelName)),
      guard: {
        enabled: !!g && g.intervalMs > 0, thresholds: g, breaches: g ? breaches(champion, challenger, g) : [],
        rollbackRequestedAt: state.rollbackRequestedAt?.toISOString() ?? null, rollbackReason: state.rollbackReason,
      },
    };
  }

  /** The policy's fairness gate for the comparison view (best effort: null when the registry cannot answer; the decision itself reads the policy strictly). */
  private async policyGate(model: string): Promise<FairnessGate | null> {
    try {
      return (await this.registry.getPromotionPolicy(model))?.fairness ?? null;
    } catch (err) {
      this.logger.warn({ model, err: (err as Error).message }, 'promotion policy not read; the comparison shows the segment config gate only');
      return null;
    }
  }

  private async check(state: RolloutState): Promise<void> {
    const g = this.options.rolloutGuard;
    if (!g || state.championVersion === null || state.challengerVersion === null) return;
    const cmp = await this.compare(state);
    if (cmp.guard.breaches.length === 0) {
      await this.decideLive(state);
      return;
    }
    const c = cmp.challenger;
    const h = cmp.champion;
    const fmt = (x: number | null) => (x === null ? 'n/a' : x.toFixed(4));
    const reason =
      `monitoring auto-rollback of rollout ${state.rolloutId}: challenger v${c.version} ${cmp.guard.breaches.join('; ')} ` +
      `(challenger: ${c.errorCount}/${c.requestCount} failed, p99 ${fmt(c.latencySeconds.p99)} s; champion v${h.version}: ${h.errorCount}/${h.requestCount} failed, p99 ${fmt(h.latencySeconds.p99)} s)`;
    if (!(await this.aggregation.claimRollback(state.modelName, state.rolloutId, reason.slice(0, 1024)))) return;
    try {
      const res = await this.registry.rollbackRollout(state.modelName, reason.slice(0, 1024), g.actor ?? AUTO_ROLLBACK_ACTOR);
      monitoringMetrics.rollbacks.inc({ model: state.modelName });
      this.logger.warn({ model: state.modelName, rolloutId: state.rolloutId, status: res.status, reason }, 'rollout rollback requested');
    } catch (err) {
      await this.aggregation.claimRollback(state.modelName, state.rolloutId, null); // retry on the next pass
      this.logger.warn({ model: state.modelName, rolloutId: state.rolloutId, err: (err as Error).message }, 'rollback request failed; will retry');
    }
  }
}

/** The performance field measuring `metric` (a promotion policy metric name), or null when live traffic cannot measure it. */
export function liveMetricKey(metric: string): (typeof METRIC_KEYS)[RolloutMetric] | null {
  return metric in METRIC_KEYS ? METRIC_KEYS[metric as RolloutMetric] : null;
}

/** The guard's breach messages for challenger vs champion (empty when none or below minRequests). */
export function breaches(champion: RolloutArm, challenger: RolloutArm, g: RolloutGuardOptions): string[] {
  const out: string[] = [];
  if (challenger.requestCount < g.minRequests) return out;
  const rate = challenger.errorRate ?? 0;
  const hRate = champion.errorRate ?? 0;
  if (rate > g.maxErrorRate) out.push(`error rate ${rate.toFixed(4)} > ${g.maxErrorRate} (absolute)`);
  else if (g.maxErrorRateRatio > 0 && champion.requestCount >= g.minRequests && challenger.errorCount > 0 && rate > g.maxErrorRateRatio * hRate) {
    out.push(`error rate ${rate.toFixed(4)} > ${g.maxErrorRateRatio} × champion ${hRate.toFixed(4)} (relative)`);
  }
  const p99 = challenger.latencySeconds.p99;
  const hP99 = champion.latencySeconds.p99;
  if (p99 !== null && p99 > g.maxP99Seconds) out.push(`p99 latency ${p99.toFixed(4)} s > ${g.maxP99Seconds} s (absolute)`);
  else if (p99 !== null && hP99 !== null && g.maxP99Ratio > 0 && champion.predictionCount >= g.minRequests && p99 > g.maxP99Ratio * hP99) {
    out.push(`p99 latency ${p99.toFixed(4)} s > ${g.maxP99Ratio} × champion ${hP99.toFixed(4)} s (relative)`);
  }
  return out;
}
