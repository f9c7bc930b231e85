import type { ModelVersion, PromotionDecision, RegisteredModel } from '@strata/contracts/api';
import { formatMetric, formatTime } from './format';

/** One row of the Models list. */
export interface ModelRow {
  name: string;
  latestVersion: number;
  /** Version the `champion` alias points at (null: none). */
  champion: number | null;
  challenger: number | null;
  /** Other aliases as `alias→vN`, sorted. */
  otherAliases: string[];
  updatedAt: string;
}

/** Registered models → Models list rows, by name. */
export function modelRows(models: readonly RegisteredModel[]): ModelRow[] {
  return [...models]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((m) => ({
      name: m.name,
      latestVersion: m.latestVersion,
      champion: m.aliases['champion'] ?? null,
      challenger: m.aliases['challenger'] ?? null,
      otherAliases: Object.entries(m.aliases)
        .filter(([a]) => a !== 'champion' && a !== 'challenger')
        .map(([a, v]) => `${a}→v${v}`)
        .sort(),
      updatedAt: formatTime(m.updatedAt),
    }));
}

/** One row of a model's versions table. */
export interface VersionRow {
  version: number;
  aliases: string[];
  /** `roc_auc`, `accuracy`, … formatted, in the order of {@link metricColumns}. */
  metrics: Record<string, string>;
  trainer: string;
  status: string;
  servable: boolean;
  runId: string;
  createdAt: string;
}

/** The metric columns of a versions table: `roc_auc` and `accuracy` first when present, then the others by name (at most `max`). */
export function metricColumns(versions: readonly ModelVersion[], max = 6): string[] {
  const all = new Set<string>();
  for (const v of versions) for (const k of Object.keys(v.metrics)) all.add(k);
  const preferred = ['roc_auc', 'accuracy', 'log_loss'].filter((k) => all.has(k));
  const rest = [...all].filter((k) => !preferred.includes(k)).sort();
  return [...preferred, ...rest].slice(0, max);
}

/** Versions (any order) → rows, newest first. */
export function versionRows(versions: readonly ModelVersion[], columns: readonly string[]): VersionRow[] {
  return [...versions]
    .sort((a, b) => b.version - a.version)
    .map((v) => ({
      version: v.version,
      aliases: [...v.aliases].sort(),
      metrics: Object.fromEntries(columns.map((c) => [c, formatMetric(v.metrics[c])])),
      trainer: v.tags['trainer'] ?? '—',
      status: v.status,
      servable: v.servable,
      runId: v.runId,
      createdAt: formatTime(v.createdAt),
    }));
}

/** One promotion decision, as the model page shows it. */
export interface DecisionRow {
  id: number;
  outcome: 'promoted' | 'rejected';
  applied: boolean;
  /** e.g. `v2 vs v1` (`v2 vs none` without a champion). */
  versions: string;
  /** e.g. `roc_auc (maximize, margin 0)`. */
  metric: string;
  challengerValue: string;
  championValue: string;
  /** Signed improvement in the policy's direction, with its sign (`+0.012`, `-0.024`). */
  improvement: string;
  /** `live rollout: 988 / 1000 labels` for a live decision, else `offline evaluation`. */
  basis: string;
  reason: string;
  by: string;
  decidedAt: string;
}

/** Promotion decisions → rows, newest first. */
export function decisionRows(decisions: readonly PromotionDecision[]): DecisionRow[] {
  return [...decisions]
    .sort((a, b) => b.decidedAt.localeCompare(a.decidedAt) || b.id - a.id)
    .map((d) => ({
      id: d.id,
      outcome: d.outcome,
      applied: d.applied,
      versions: `v${d.challengerVersion} vs ${d.championVersion === null ? 'none' : `v${d.championVersion}`}`,
      metric: `${d.metric} (${d.direction}, margin ${d.minMargin})`,
      challengerValue: formatMetric(d.challengerValue),
      championValue: formatMetric(d.championValue),
      improvement: d.improvement === null ? '—' : `${d.improvement >= 0 ? '+' : ''}${d.improvement.toFixed(3)}`,
      basis: d.evidence ? `live rollout: ${d.evidence.challengerLabeled} / ${d.evidence.championLabeled} labels (challenger / champion)` : 'offline evaluation',
      reason: d.reason,
      by: `${d.actor} (${d.trigger})`,
      decidedAt: formatTime(d.decidedAt),
    }));
}
