import type { LiveEvidence, MetricValue, ModelVersion, PromotionPolicy } from '@strata/registry/data-access';
import { createHash } from 'node:crypto';
import { applyOfflineDisparityGate, type OfflineDisparityEvidence } from './promotion-fairness';

/** Alias a retraining result is registered under; setting it triggers an automatic evaluation. */
export const CHALLENGER_ALIAS = 'challenger';

/** Tolerance on `improvement >= minMargin` (floating-point subtraction noise, e.g. 0.3 − 0.29). */
export const MARGIN_EPSILON = 1e-12;

/** The evaluated numbers and verdict of one challenger-vs-champion comparison. */
export interface PromotionVerdict {
  outcome: 'promoted' | 'rejected';
  reason: string;
  challengerValue: MetricValue | null;
  championValue: MetricValue | null;
  improvement: number | null;
  challengerEvaluationDigest: string | null;
  championEvaluationDigest: string | null;
  /** The offline disparity gate's numbers (policy `fairness`), when it was evaluated. */
  evidence?: { disparity: OfflineDisparityEvidence };
}

/**
 * Digest identifying the evaluation data of a version: `lineage.evaluation.digest` (computed at
 * registration when `lineage.evaluation.datasetVersions` is given, see {@link evaluationDigestOf}).
 */
export function evaluationDigest(v: Pick<ModelVersion, 'lineage'>): string | null {
  const ev = v.lineage['evaluation'] as { digest?: unknown } | undefined;
  return ev && typeof ev.digest === 'string' ? ev.digest : null;
}

/**
 * Digest of evaluation data from its dataset versions and split: sha256 of the sorted lines
 * `<datasetName>@<versionId>:<contentSha256>` joined by `\n`, then `\nsplit:<splitTime or ''>`.
 * Two models evaluated on the same dataset versions with the same split get the same digest.
 */
export function evaluationDigestOf(datasetVersions: Array<{ datasetName: string; versionId: string; contentSha256: string }>, splitTime?: string): string {
  const lines = datasetVersions.map((d) => `${d.datasetName}@${d.versionId}:${d.contentSha256}`).sort();
  return createHash('sha256').update(`${lines.join('\n')}\nsplit:${splitTime ?? ''}`).digest('hex');
}

const fmt = (v: MetricValue | number): string => (typeof v === 'number' ? String(v) : v);

/**
 * Decides a live rollout (pure function): the policy's metric measured by monitoring on each
 * version's labeled traffic of the same rollout (same period, same request stream split by the
 * router), so both sides share the evaluation digest `live-rollout:<rolloutId>`.
 * Promoted iff both values are finite, each side has at least `minLabeledPerVersion` labels, and
 * `improvement > 0 && improvement >= minMargin − 1e-12` (improvement as in {@link decidePromotion}).
 * Otherwise rejected (the caller rolls the challenger back), with the reason and the numbers.
 */
export function decideLive(
  policy: Pick<PromotionPolicy, 'metric' | 'direction' | 'minMargin'>,
  minLabeledPerVersion: number,
  evidence: LiveEvidence,
  championVersion: number,
  challengerVersion: number,
): PromotionVerdict {
  const digest = `live-rollout:${evidence.rolloutId}`;
  const base = {
    challengerValue: evidence.challengerValue,
    championValue: evidence.championValue,
    improvement: null,
    challengerEvaluationDigest: digest,
    championEvaluationDigest: digest,
  };
  const reject = (reason: string): PromotionVerdict => ({ ...base, outcome: 'rejected', reason });
  const m = policy.metric;
  const ex = (e: { predictions: number; labels: number } | undefined) => `${e?.predictions ?? 0} predictions, ${e?.labels ?? 0} labels`;
  const cutoff = evidence.trainingDataCutoff
    ? ` after the challenger's training data cutoff ${evidence.trainingDataCutoff} (excluded: v${challengerVersion} ${ex(evidence.challengerExcluded)}; v${championVersion} ${ex(evidence.championExcluded)})`
    : '';
  const labels = `labels ${evidence.challengerLabeled} (v${challengerVersion}) / ${evidence.championLabeled} (v${championVersion})${cutoff}`;
  if (evidence.challengerLabeled < minLabeledPerVersion || evidence.championLabeled < minLabeledPerVersion) {
    return reject(`live ${m} not decidable: ${labels} < ${minLabeledPerVersion} required per version`);
  }
  const c = evidence.challengerValue;
  const ch = evidence.championValue;
  if (c === null || !Number.isFinite(c)) return reject(`challenger version ${challengerVersion} has no finite live ${m} (${String(c)}); ${labels}`);
  if (ch === null || !Number.isFinite(ch)) return reject(`champion version ${championVersion} has no finite live ${m} (${String(ch)}); ${labels}`);
  const improvement = policy.direction === 'maximize' ? c - ch : ch - c;
  const summary = `live ${m} ${fmt(c)} (v${challengerVersion}) vs ${fmt(ch)} (v${championVersion}) on rollout ${evidence.rolloutId}, ${labels}, ${policy.direction}: improvement ${fmt(improvement)}`;
  if (improvement > 0 && improvement >= policy.minMargin - MARGIN_EPSILON) {
    return { ...base, improvement, outcome: 'promoted', reason: `${summary} >= margin ${fmt(policy.minMargin)}` };
  }
  return { ...base, improvement, outcome: 'rejected', reason: `${summary} ${improvement <= 0 ? 'is not positive' : `< margin ${fmt(policy.minMargin)}`}` };
}

/**
 * Decides whether `challenger` replaces `champion` under `policy` (pure function).
 * Promoted iff: a champion exists and is another version; both versions carry an evaluation
 * digest and the digests are equal (same evaluation data); both have a finite value of
 * `policy.metric`; `improvement > 0` and `improvement >= minMargin − 1e-12`, where
 * `improvement = challenger − champion` (maximize) or `champion − challenger` (minimize); and,
 * when the policy has `fairness`, the disparity gate passes on both versions' per-group evaluation
 * ({@link applyOfflineDisparityGate}: numbers per side in `evidence.disparity`; insufficient data
 * refuses). Otherwise rejected, with the reason.
 */
export function decidePromotion(policy: Pick<PromotionPolicy, 'metric' | 'direction' | 'minMargin'> & { fairness?: PromotionPolicy['fairness'] }, challenger: ModelVersion, champion: ModelVersion | null): PromotionVerdict {
  const verdict = decideOnMetric(policy, challenger, champion);
  if (!policy.fairness || !champion || verdict.challengerValue === null || verdict.championValue === null || verdict.improvement === null) return verdict;
  return applyOfflineDisparityGate(verdict, policy.fairness, challenger, champion);
}

function decideOnMetric(policy: Pick<PromotionPolicy, 'metric' | 'direction' | 'minMargin'>, challenger: ModelVersion, champion: ModelVersion | null): PromotionVerdict {
  const cd = evaluationDigest(challenger);
  const base = {
    challengerValue: challenger.metrics[policy.metric] ?? null,
    championValue: champion ? (champion.metrics[policy.metric] ?? null) : null,
    improvement: null,
    challengerEvaluationDigest: cd,
    championEvaluationDigest: champion ? evaluationDigest(champion) : null,
  };
  const reject = (reason: string): PromotionVerdict => ({ ...base, outcome: 'rejected', reason });
  const m = policy.metric;
  if (!champion) return reject(`model has no champion to compare version ${challenger.version} with; set the champion alias explicitly`);
  if (champion.version === challenger.version) return reject(`version ${challenger.version} already is the champion`);
  if (!cd) return reject(`challenger version ${challenger.version} has no evaluation data digest (lineage.evaluation.digest or lineage.evaluation.datasetVersions)`);
  if (!base.championEvaluationDigest) return reject(`champion version ${champion.version} has no evaluation data digest (lineage.evaluation.digest or lineage.evaluation.datasetVersions)`);
  if (cd !== base.championEvaluationDigest) {
    return reject(`not evaluated on the same data: challenger version ${challenger.version} on ${cd}, champion version ${champion.version} on ${base.championEvaluationDigest}`);
  }
  const c = base.challengerValue;
  const ch = base.championValue;
  if (c === null) return reject(`challenger version ${challenger.version} has no metric '${m}'`);
  if (ch === null) return reject(`champion version ${champion.version} has no metric '${m}'`);
  if (typeof c !== 'number') return reject(`challenger version ${challenger.version} has a non-finite ${m} (${c})`);
  if (typeof ch !== 'number') return reject(`champion version ${champion.version} has a non-finite ${m} (${ch})`);
  const improvement = policy.direction === 'maximize' ? c - ch : ch - c;
  const summary = `${m} ${fmt(c)} (v${challenger.version}) vs ${fmt(ch)} (v${champion.version}), ${policy.direction}: improvement ${fmt(improvement)}`;
  if (improvement > 0 && improvement >= policy.minMargin - MARGIN_EPSILON) {
    return { ...base, improvement, outcome: 'promoted', reason: `${summary} >= margin ${fmt(policy.minMargin)}` };
  }
  return { ...base, improvement, outcome: 'rejected', reason: `${summary} ${improvement <= 0 ? 'is not positive' : `< margin ${fmt(policy.minMargin)}`}` };
}
