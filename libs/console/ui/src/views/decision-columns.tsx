import type { Column } from '../components/data-table';
import type { DecisionRow } from '../mapping/models';

/**
 * The columns of promotion-decision tables (a model's decisions, a rollout's live decisions), by
 * name, so each table lists the ones it shows in its own order.
 */
export const DecisionColumns = {
  decidedAt: { header: 'decided (UTC)', cell: (d) => d.decidedAt },
  /** The outcome, and `(not applied)` for a dry run or a rejection. */
  outcomeApplied: { header: 'outcome', cell: (d) => `${d.outcome}${d.applied ? '' : ' (not applied)'}`, className: (d) => `outcome-${d.outcome}` },
  outcome: { header: 'outcome', cell: (d) => d.outcome, className: (d) => `outcome-${d.outcome}` },
  versions: { header: 'versions', cell: (d) => d.versions },
  metric: { header: 'metric', cell: (d) => d.metric },
  challengerValue: { header: 'challenger', cell: (d) => d.challengerValue, className: 'num' },
  championValue: { header: 'champion', cell: (d) => d.championValue, className: 'num' },
  improvement: { header: 'improvement', cell: (d) => d.improvement, className: 'num' },
  basis: { header: 'basis', cell: (d) => d.basis },
  /** The basis of a live decision: its labels. */
  labels: { header: 'labels', cell: (d) => d.basis },
  reason: { header: 'reason', cell: (d) => d.reason },
  by: { header: 'by', cell: (d) => d.by },
} satisfies Record<string, Column<DecisionRow>>;
