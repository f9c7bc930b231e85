import { Link, useParams } from 'react-router';
import { Endpoints } from '../api/console-endpoints';
import { Empty, Show } from '../components/states';
import { useLoad } from '../components/use-load';
import { useSession } from '../components/session';
import { formatMetric, formatTime } from '../mapping/format';

/** How many runs / searches the page lists (newest first). */
const LIMIT = 50;

/** A model's training runs and hyperparameter searches, newest first. */
export function RunsListView() {
  const { name = '' } = useParams();
  const { client } = useSession();
  const loaded = useLoad(async () => {
    const [runs, searches] = await Promise.all([client.call(Endpoints.listTrainingRuns, { query: { modelName: name, limit: LIMIT } }), client.call(Endpoints.listTrainingSearches, { query: { modelName: name, limit: LIMIT } })]);
    return { runs, searches };
  }, [client, name]);
  return (
    <section>
      <h1>
        <Link to="/models">Models</Link> / <Link to={`/models/${encodeURIComponent(name)}`}>{name}</Link> / runs
      </h1>
      <Show loaded={loaded} what={`runs of ${name}`}>
        {({ runs, searches }) => (
          <>
            <h2>Hyperparameter searches</h2>
            {searches.length === 0 ? (
              <Empty>No search for {name}.</Empty>
            ) : (
              <table data-testid="searches-table">
                <thead>
                  <tr>
                    <th>started (UTC)</th>
                    <th>status</th>
                    <th>strategy</th>
                    <th>metric</th>
                    <th>trials</th>
                    <th>best</th>
                    <th>version</th>
                  </tr>
                </thead>
                <tbody>
                  {searches.map((s) => (
                    <tr key={s.searchId}>
                      <td>
                        <Link to={`/searches/${encodeURIComponent(s.searchId)}`}>{formatTime(s.createdAt)}</Link>
                      </td>
                      <td>{s.status}</td>
                      <td>{s.strategy}</td>
                      <td>
                        {s.metric} ({s.direction})
                      </td>
                      <td className="num">
                        {s.completedTrials ?? 0}/{s.trialCount}
                      </td>
                      <td className="num">{formatMetric(s.bestMetric, 4)}</td>
                      <td>{s.modelVersion === null ? '—' : `v${s.modelVersion}`}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            <h2>Training runs</h2>
            {runs.length === 0 ? (
              <Empty>No training run for {name}.</Empty>
            ) : (
              <table data-testid="runs-table">
                <thead>
                  <tr>
                    <th>started (UTC)</th>
                    <th>status</th>
                    <th>trainer</th>
                    <th>reason</th>
                    <th>roc_auc</th>
                    <th>version</th>
                    <th>search</th>
                  </tr>
                </thead>
                <tbody>
                  {runs.map((r) => (
                    <tr key={r.runId} data-testid={`run-${r.runId}`}>
                      <td>
                        <Link to={`/runs/${encodeURIComponent(r.runId)}`}>{formatTime(r.createdAt)}</Link>
                      </td>
                      <td>{r.status}</td>
                      <td>{r.trainer}</td>
                      <td>{r.reason}</td>
                      <td className="num">{formatMetric(r.metrics?.['roc_auc'])}</td>
                      <td>{r.modelVersion === undefined ? '—' : `v${r.modelVersion}`}</td>
                      <td>{r.parentSearchId ? <Link to={`/searches/${encodeURIComponent(r.parentSearchId)}`}>{r.parentSearchId.slice(0, 8)}</Link> : '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </>
        )}
      </Show>
    </section>
  );
}
