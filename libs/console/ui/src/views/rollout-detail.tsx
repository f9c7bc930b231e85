import { useState } from 'react';
import type { PromotionDecision, Rollout, RolloutComparison, WhoAmI } from '@strata/contracts/api';
import { Endpoints } from '../api/console-endpoints';
import { ConsoleApiError } from '../api/console-client';
import { formatTime } from '../mapping/format';
import type { DecisionRow } from '../mapping/models';
import { canManageRollouts, comparisonLines, guardStatus, percent, rolloutDecisions, thresholdList, type ComparisonLine } from '../mapping/rollouts';
import { DataTable, type Column } from '../components/data-table';
import { Empty, ErrorBox, Show } from '../components/states';
import { usePoll } from '../components/use-poll';
import { useSession } from '../components/session';
import { DecisionColumns } from './decision-columns';

/** The answer of a promote / roll back: the rollout as the registry left it, or the error (naming the service). */
export type ActionResult = { ok: true; action: 'promote' | 'rollback'; rollout: Rollout } | { ok: false; action: 'promote' | 'rollback'; error: unknown };

/** How often the live comparison of an active rollout is read again, ms. */
const LIVE_REFRESH_MS = 5000;

/** The live decisions of a rollout (the basis of a live decision is its labels). */
const DECISION_COLUMNS: ReadonlyArray<Column<DecisionRow>> = [
  DecisionColumns.decidedAt,
  DecisionColumns.outcome,
  DecisionColumns.metric,
  DecisionColumns.challengerValue,
  DecisionColumns.championValue,
  DecisionColumns.improvement,
  DecisionColumns.labels,
  DecisionColumns.reason,
  DecisionColumns.by,
];

/** A measure per side, headed by its name, with the guard's limit on the challenger. */
const COMPARISON_COLUMNS: ReadonlyArray<Column<ComparisonLine>> = [
  { cell: (l) => l.measure, rowHeader: true },
  { header: 'champion', cell: (l) => l.champion, className: 'num' },
  { header: 'challenger', cell: (l) => l.challenger, className: 'num' },
  { header: 'guard limit (challenger)', cell: (l) => l.limit },
];

export function RolloutDetail({ rollout, decisions, who, result, onResult }: { rollout: Rollout; decisions: PromotionDecision[]; who: WhoAmI | undefined; result: ActionResult | undefined; onResult: (r: ActionResult) => void }) {
  const decided = rolloutDecisions(decisions, rollout.rolloutId);
  return (
    <>
      <p className="summary" data-testid="rollout-summary">
        <span className={`rollout-status rollout-${rollout.status}`} data-testid="rollout-status">
          {rollout.status}
        </span>{' '}
        · {rollout.mode} of v{rollout.challengerVersion} against champion v{rollout.championVersion}
        {rollout.mode === 'canary' ? ` · ${percent(rollout.challengerWeight)} of traffic to the challenger` : ' · challenger mirrored'} · started {formatTime(rollout.startedAt)} by {rollout.actor}
        {rollout.reason ? ` (${rollout.reason})` : ''}
        {rollout.endedAt ? ` · ended ${formatTime(rollout.endedAt)} by ${rollout.endedBy ?? '—'}${rollout.endReason ? ` (${rollout.endReason})` : ''}` : ''}
      </p>
      {result ? <ActionOutcome result={result} /> : null}
      {rollout.status === 'active' ? (
        <>
          <RolloutActions rollout={rollout} who={who} onResult={onResult} />
          <LiveComparison model={rollout.modelName} />
        </>
      ) : (
        <p className="hint">The live comparison is shown while a rollout is active; this one is {rollout.status}.</p>
      )}
      <h2>Decision</h2>
      {decided.length === 0 ? (
        <Empty>No live promotion decision recorded for this rollout{rollout.status === 'active' ? ' yet' : ''}.</Empty>
      ) : (
        <DataTable testId="rollout-decisions" columns={DECISION_COLUMNS} rows={decided} rowKey={(d) => d.id} />
      )}
    </>
  );
}

function ActionOutcome({ result }: { result: ActionResult }) {
  if (!result.ok) return <ErrorBox error={result.error} />;
  const r = result.rollout;
  return (
    <div className="state ok" role="status" data-testid="action-result">
      {result.action === 'promote' ? `Promoted: v${r.challengerVersion} is now the champion` : `Rolled back: all traffic to champion v${r.championVersion}`} (rollout {r.status}, by {r.endedBy ?? '—'}).
    </div>
  );
}

/** Promote / roll back, shown only when the user's role may (`rollouts:write`); sent with the user's own credential. */
function RolloutActions({ rollout, who, onResult }: { rollout: Rollout; who: WhoAmI | undefined; onResult: (r: ActionResult) => void }) {
  const { client } = useSession();
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  if (!canManageRollouts(who)) {
    return (
      <p className="hint" data-testid="rollout-readonly">
        Your role ({who?.roles.join(', ') || 'unknown'}) may not promote or roll back (needs rollouts:write).
      </p>
    );
  }
  const act = async (action: 'promote' | 'rollback') => {
    setBusy(true);
    const why = reason.trim() || (action === 'promote' ? `promoted from the console` : `rolled back from the console`);
    try {
      const endpoint = action === 'promote' ? Endpoints.promoteRollout : Endpoints.rollbackRollout;
      const updated = await client.call(endpoint, { params: { name: rollout.modelName }, body: { reason: why } });
      onResult({ ok: true, action, rollout: updated });
    } catch (error) {
      onResult({ ok: false, action, error: error instanceof ConsoleApiError || error instanceof Error ? error : new Error(String(error)) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="controls rollout-actions" data-testid="rollout-actions">
      <input aria-label="reason" placeholder="reason (recorded and audited)" value={reason} maxLength={1024} onChange={(e) => setReason(e.target.value)} />
      <button className="primary" disabled={busy} onClick={() => void act('promote')} data-testid="promote">
        Promote v{rollout.challengerVersion}
      </button>
      <button className="danger" disabled={busy} onClick={() => void act('rollback')} data-testid="rollback">
        Roll back to v{rollout.championVersion}
      </button>
    </div>
  );
}

/** The live comparison of the model's active rollout (monitoring), read again every few seconds. */
function LiveComparison({ model }: { model: string }) {
  const { client } = useSession();
  const { loaded, updatedAt } = usePoll(() => client.call(Endpoints.rolloutComparison, { params: { model } }), [client, model], LIVE_REFRESH_MS);
  return (
    <>
      <h2>Live comparison</h2>
      <Show loaded={loaded} what="live comparison">
        {(c) => <ComparisonTable comparison={c} updatedAt={updatedAt} />}
      </Show>
    </>
  );
}

function ComparisonTable({ comparison, updatedAt }: { comparison: RolloutComparison; updatedAt: number | undefined }) {
  const guard = guardStatus(comparison);
  const thresholds = thresholdList(comparison.guard.thresholds);
  return (
    <>
      <p className="hint">
        Since {formatTime(comparison.startedAt)} on live traffic{comparison.trainingDataCutoff ? `; labels after the challenger's training data cutoff ${formatTime(comparison.trainingDataCutoff)}` : ''}
        {updatedAt ? ` · read ${new Date(updatedAt).toISOString().slice(11, 19)} UTC` : ''}
      </p>
      <DataTable testId="live-comparison" columns={COMPARISON_COLUMNS} rows={comparisonLines(comparison)} rowKey={(l) => l.measure} />
      <p className={`guard guard-${guard.state}`} data-testid="guard-status">
        Guard: {guard.text}
      </p>
      {thresholds.length ? <p className="hint">Thresholds: {thresholds.join(' · ')}</p> : null}
      {comparison.disparityGate ? (
        <p className="hint">
          Disparity gate ({comparison.disparityGate.segment}, {comparison.disparityGate.metric}): {comparison.disparityGate.passed ? 'passed' : 'failed'}: {comparison.disparityGate.reason}
        </p>
      ) : null}
    </>
  );
}
