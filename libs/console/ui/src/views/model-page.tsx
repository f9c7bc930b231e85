import { Link, useParams } from 'react-router';
import { Endpoints } from '../api/console-endpoints';
import { formatTime } from '../mapping/format';
import { decisionRows, metricColumns, versionRows } from '../mapping/models';
import { Empty, Show } from '../components/states';
import { useLoad } from '../components/use-load';
import { useSession } from '../components/session';

const HISTORY_ALIASES = ['champion', 'challenger'];

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
                <table data-testid="versions-table">
                  <thead>
                    <tr>
                      <th>version</th>
                      <th>aliases</th>
                      {columns.map((c) => (
                        <th key={c}>{c}</th>
                      ))}
                      <th>trainer</th>
                      <th>status</th>
                      <th>created (UTC)</th>
                      <th />
                    </tr>
                  </thead>
                  <tbody>
                    {versionRows(versions, columns).map((v) => (
                      <tr key={v.version} data-testid={`version-${v.version}`}>
                        <td>v{v.version}</td>
                        <td>
                          {v.aliases.map((a) => (
                            <span key={a} className={`alias alias-${a}`}>
                              {a}
                            </span>
                          ))}
                        </td>
                        {columns.map((c) => (
                          <td key={c} className="num">
                            {v.metrics[c]}
                          </td>
                        ))}
                        <td>{v.trainer}</td>
                        <td>{v.servable ? v.status : `${v.status} (not servable)`}</td>
                        <td>{v.createdAt}</td>
                        <td>
                          <Link to={`/models/${encodeURIComponent(name)}/versions/${v.version}/lineage`}>lineage</Link> ·{' '}
                          <Link to={`/runs/${encodeURIComponent(v.runId)}`}>run</Link>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
              <h2>Promotion decisions</h2>
              {decisions.length === 0 ? (
                <Empty>No promotion decision yet.</Empty>
              ) : (
                <table data-testid="decisions-table">
                  <thead>
                    <tr>
                      <th>decided (UTC)</th>
                      <th>outcome</th>
                      <th>versions</th>
                      <th>metric</th>
                      <th>challenger</th>
                      <th>champion</th>
                      <th>improvement</th>
                      <th>basis</th>
                      <th>reason</th>
                      <th>by</th>
                    </tr>
                  </thead>
                  <tbody>
                    {decisionRows(decisions).map((d) => (
                      <tr key={d.id}>
                        <td>{d.decidedAt}</td>
                        <td className={`outcome-${d.outcome}`}>
                          {d.outcome}
                          {d.applied ? '' : ' (not applied)'}
                        </td>
                        <td>{d.versions}</td>
                        <td>{d.metric}</td>
                        <td className="num">{d.challengerValue}</td>
                        <td className="num">{d.championValue}</td>
                        <td className="num">{d.improvement}</td>
                        <td>{d.basis}</td>
                        <td>{d.reason}</td>
                        <td>{d.by}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
              <h2>Alias history</h2>
              {history.length === 0 ? (
                <Empty>No champion or challenger alias has moved yet.</Empty>
              ) : (
                <table data-testid="alias-history">
                  <thead>
                    <tr>
                      <th>when (UTC)</th>
                      <th>alias</th>
                      <th>from → to</th>
                      <th>who</th>
                      <th>why</th>
                    </tr>
                  </thead>
                  <tbody>
                    {history.map((h) => (
                      <tr key={`${h.alias}-${h.id}`}>
                        <td>{formatTime(h.changedAt)}</td>
                        <td>{h.alias}</td>
                        <td>
                          {h.fromVersion === null ? '—' : `v${h.fromVersion}`} → {h.toVersion === null ? 'removed' : `v${h.toVersion}`}
                        </td>
                        <td>{h.actor}</td>
                        <td>{h.reason}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </>
          );
        }}
      </Show>
    </section>
  );
}
