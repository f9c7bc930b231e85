import { useMemo, useState } from 'react';
import { Link, useParams } from 'react-router';
import type { TrainingSearch } from '@strata/contracts/api';
import { Endpoints } from '../api/console-endpoints';
import { EChart } from '../components/echart';
import { Empty, Show } from '../components/states';
import { useLoad } from '../components/use-load';
import { useSession } from '../components/session';
import { formatTime } from '../mapping/format';
import { defaultTrialSort, sortTrials, trialParams, trialRows, type TrialSort } from '../mapping/runs';
import { metricVsParamOption } from './run-charts';

/** A hyperparameter search: its trials in a sortable table and the metric against a chosen param. */
export function SearchPageView() {
  const { searchId = '' } = useParams();
  const { client } = useSession();
  const loaded = useLoad(() => client.call(Endpoints.getTrainingSearch, { params: { searchId } }), [client, searchId]);
  return (
    <section>
      <Show loaded={loaded} what={`search ${searchId}`}>
        {(s) => (
          <>
            <h1>
              <Link to="/models">Models</Link> / <Link to={`/models/${encodeURIComponent(s.modelName)}`}>{s.modelName}</Link> / <Link to={`/models/${encodeURIComponent(s.modelName)}/runs`}>runs</Link> / search {s.searchId.slice(0, 8)}
            </h1>
            <SearchBody search={s} />
          </>
        )}
      </Show>
    </section>
  );
}

function SearchBody({ search }: { search: TrainingSearch }) {
  const trials = search.trials ?? [];
  const params = useMemo(() => trialParams(trials), [trials]);
  const rows = useMemo(() => trialRows(search), [search]);
  const [sort, setSort] = useState<TrialSort>(() => defaultTrialSort(search));
  const [param, setParam] = useState<string | undefined>();
  const shownParam = param && params.includes(param) ? param : params[0];
  const option = useMemo(() => (shownParam ? metricVsParamOption(rows, shownParam, search.metric) : undefined), [rows, shownParam, search.metric]);
  const sorted = sortTrials(rows, sort);
  const header = (by: string, label: string) => (
    <th aria-sort={sort.by === by ? (sort.descending ? 'descending' : 'ascending') : 'none'}>
      <button className="sort" onClick={() => setSort({ by, descending: sort.by === by ? !sort.descending : by === 'metric' && search.direction !== 'minimize' })} data-testid={`sort-${by}`}>
        {label}
        {sort.by === by ? (sort.descending ? ' ▼' : ' ▲') : ''}
      </button>
    </th>
  );
  return (
    <>
      <p className="summary" data-testid="search-summary">
        {search.status} · {search.strategy} search · {search.metric} ({search.direction}) · {search.completedTrials ?? 0}/{search.trialCount} trials done{search.failedTrials ? `, ${search.failedTrials} failed` : ''} · best{' '}
        {search.bestRunId ? <Link to={`/runs/${encodeURIComponent(search.bestRunId)}`}>{search.bestMetric?.toFixed(4) ?? '—'}</Link> : '—'}
        {search.modelVersion !== null ? ` → v${search.modelVersion}` : ''} · started {formatTime(search.createdAt)}
        {search.error ? ` · ${search.error.code}: ${search.error.message}` : ''}
      </p>
      {trials.length === 0 ? (
        <Empty>No trial yet.</Empty>
      ) : (
        <>
          <h2>
            {search.metric} vs{' '}
            <select value={shownParam} onChange={(e) => setParam(e.target.value)} aria-label="param" data-testid="param-select">
              {params.map((p) => (
                <option key={p} value={p}>
                  {p}
                </option>
              ))}
            </select>
          </h2>
          {option && rows.some((r) => r.metric !== null) ? <EChart option={option} height={280} testId="trials-chart" /> : <Empty>No trial has a {search.metric} yet.</Empty>}
          <h2>Trials</h2>
          <table data-testid="trials-table">
            <thead>
              <tr>
                {header('trial', '#')}
                {header('status', 'status')}
                {params.map((p) => header(`param:${p}`, p))}
                {header('metric', search.metric)}
              </tr>
            </thead>
            <tbody>
              {sorted.map((r) => (
                <tr key={r.runId} className={r.best ? 'best' : ''} data-testid={`trial-${r.trial}`}>
                  <td>
                    <Link to={`/runs/${encodeURIComponent(r.runId)}`}>{r.trial}</Link>
                    {r.best ? ' ★' : ''}
                  </td>
                  <td>{r.status}</td>
                  {params.map((p) => (
                    <td key={p} className="num">
                      {r.params[p] === undefined ? '—' : String(r.params[p])}
                    </td>
                  ))}
                  <td className="num">{r.metric === null ? '—' : r.metric.toFixed(4)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </>
  );
}
