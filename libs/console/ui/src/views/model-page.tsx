import { Link, useParams } from 'react-router';
import { Endpoints } from '../api/console-endpoints';
import { formatTime } from '../mapping/format';
import type { AliasChange } from '@strata/contracts/api';
import { decisionRows, metricColumns, versionRows, type DecisionRow, type VersionRow } from '../mapping/models';
import { DataTable, type Column } from '../components/data-table';
import { Empty, Show } from '../components/states';
import { useLoad } from '../components/use-load';
import { useSession } from '../components/session';
import { DecisionColumns } from './decision-columns';

const HISTORY_ALIASES = ['champion', 'challenger'];

/** A model's promotion decisions: every column, with `(not applied)` on dry runs and rejections. */
const DECISION_COLUMNS: ReadonlyArray<Column<DecisionRow>> = [
  DecisionColumns.decidedAt,
  DecisionColumns.outcomeApplied,
  DecisionColumns.versions,
  DecisionColumns.metric,
  DecisionColumns.challengerValue,
  DecisionColumns.championValue,
  DecisionColumns.improvement,
  DecisionColumns.basis,
  DecisionColumns.reason,
  DecisionColumns.by,
];

/** Moves of the champion / challenger aliases, newest first. */
const ALIAS_HISTORY_COLUMNS: ReadonlyArray<Column<AliasChange>> = [
  { header: 'when (UTC)', cell: (h) => formatTime(h.changedAt) },
  { header: 'alias', cell: (h) => h.alias },
  { header: 'from → to', cell: (h) => `${h.fromVersion === null ? '—' : `v${h.fromVersion}`} → ${h.toVersion === null ? 'removed' : `v${h.toVersion}`}` },
  { header: 'who', cell: (h) => h.actor },
  { header: 'why', cell: (h) => h.reason },
];

/** A model's versions: aliases, the metric columns (`metrics`, in order), trainer, status and the lineage / run links. */
function versionColumns(name: string, metrics: readonly string[]): Array<Column<VersionRow>> {
  return [
    { header: 'version', cell: (v) => `v${v.version}` },
    {
      header: 'aliases',
      cell: (v) =>
        v.aliases.map((a) => (
          <span key={a} className={`alias alias-${a}`}>
            {a}
          </span>
        )),
    },
    ...metrics.map((c): Column<VersionRow> => ({ header: c, cell: (v) => v.metrics[c], className: 'num' })),
    { header: 'trainer', cell: (v) => v.trainer },
    { header: 'status', cell: (v) => (v.servable ? v.status : `${v.status} (not servable)`) },
    { header: 'created (UTC)', cell: (v) => v.createdAt },
    {
      cell: (v) => (
        <>
          <Link to={`/models/${encodeURIComponent(name)}/versions/${v.version}/lineage`}>lineage</Link> ·{' '}
          <Link to={`/runs/${encodeURIComponent(v.runId)}`}>run</Link>
        </>
      ),
    },
  ];
}

/** A model: versions with metrics and aliases, alias history, promotion decisions with their numbers. */
export function ModelPageView() {
  const { name = '' } = useParams();
  const { client } = useSession();
  const loaded = useLoad(async () => {
    const [model, versions, decisions, ...history] = await Promise.all([
      client.call(Endpoints.getModel, { params: { name } }),
      client.call(Endpoints.listVersions, { params: { name }, query: { limit: 100 } }),
      client.call(Endpoints.listDecisions, { params: { name }, query: { limit: 50 } }),
      ...HISTORY_ALIASES.map((alias) => client.call(Endpoints.aliasHistory, { params: { name, alias } })),
    ]);
    return { model, versions: versions.modelVersions, decisions: decisions.decisions, history: history.flat().sort((a, b) => b.changedAt.localeCompare(a.changedAt)) };
  }, [client, name]);
  return (
    <section>
      <h1>
        <Link to="/models">Models</Link> / {name}
      </h1>
      <Show loaded={loaded} what={`model ${name}`}>
        {({ model, versions, decisions, history }) => {
          const columns = metricColumns(versions);
          return (
            <>
              <p className="summary" data-testid="model-summary">
                champion {model.aliases['champion'] ? `v${model.aliases['champion']}` : '—'} · challenger {model.aliases['challenger'] ? `v${model.aliases['challenger']}` : '—'} · {model.latestVersion} version(s) ·{' '}
                <Link to={`/models/${encodeURIComponent(name)}/monitoring`}>monitoring</Link> ·{' '}
                <Link to={`/models/${encodeURIComponent(name)}/rollouts`}>rollouts</Link> ·{' '}
                <Link to={`/models/${encodeURIComponent(name)}/runs`}>runs</Link>
              </p>
              <h2>Versions</h2>
              {versions.length === 0 ? (
                <Empty>No versions registered.</Empty>
              ) : (
                <DataTable testId="versions-table" columns={versionColumns(name, columns)} rows={versionRows(versions, columns)} rowKey={(v) => v.version} rowTestId={(v) => `version-${v.version}`} />
              )}
              <h2>Promotion decisions</h2>
              {decisions.length === 0 ? (
                <Empty>No promotion decision yet.</Empty>
              ) : (
                <DataTable testId="decisions-table" columns={DECISION_COLUMNS} rows={decisionRows(decisions)} rowKey={(d) => d.id} />
              )}
              <h2>Alias history</h2>
              {history.length === 0 ? (
                <Empty>No champion or challenger alias has moved yet.</Empty>
              ) : (
                <DataTable testId="alias-history" columns={ALIAS_HISTORY_COLUMNS} rows={history} rowKey={(h) => `${h.alias}-${h.id}`} />
              )}
            </>
          );
        }}
      </Show>
    </section>
  );
}
