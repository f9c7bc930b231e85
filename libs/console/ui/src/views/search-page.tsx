import { useMemo, useState } from 'react';
import { Link, useParams } from 'react-router';
import type { TrainingSearch } from '@strata/contracts/api';
import { Endpoints } from '../api/console-endpoints';
import { DataTable, type Column, type ColumnSort } from '../components/data-table';
import { EChart } from '../components/echart';
import { ModelHeading } from '../components/model-heading';
import { Empty, Show } from '../components/states';
import { useEndpoint } from '../components/use-endpoint';
import { formatTime } from '../mapping/format';
import { defaultTrialSort, nextTrialSort, sortTrials, trialParams, trialRows, type TrialRow, type TrialSort } from '../mapping/runs';
import { sortOrder } from '../mapping/table';
import { metricVsParamOption } from './run-charts';

/** A hyperparameter search: its trials in a sortable table and the metric against a chosen param. */
export function SearchPageView() {
  const { searchId = '' } = useParams();
  const loaded = useEndpoint(Endpoints.getTrainingSearch, { params: { searchId } });
  return (
    <section>
      <Show loaded={loaded} what={`search ${searchId}`}>
        {(s) => (
          <>
            <ModelHeading name={s.modelName}>
              <Link to={`/models/${encodeURIComponent(s.modelName)}/runs`}>runs</Link> / search {s.searchId.slice(0, 8)}
            </ModelHeading>
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
  const sortBy = (by: string): ColumnSort => ({ order: sortOrder(sort, by), onSort: () => setSort(nextTrialSort(sort, by, search)), testId: `sort-${by}` });
  const columns: Array<Column<TrialRow>> = [
    {
      header: '#',
      sort: sortBy('trial'),
      cell: (r) => (
        <>
          <Link to={`/runs/${encodeURIComponent(r.runId)}`}>{r.trial}</Link>
          {r.best ? ' ★' : ''}
        </>
      ),
    },
    { header: 'status', sort: sortBy('status'), cell: (r) => r.status },
    ...params.map((p): Column<TrialRow> => ({ header: p, sort: sortBy(`param:${p}`), cell: (r) => (r.params[p] === undefined ? '—' : String(r.params[p])), className: 'num' })),
    { header: search.metric, sort: sortBy('metric'), cell: (r) => (r.metric === null ? '—' : r.metric.toFixed(4)), className: 'num' },
  ];
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
          <DataTable testId="trials-table" columns={columns} rows={sorted} rowKey={(r) => r.runId} rowTestId={(r) => `trial-${r.trial}`} rowClassName={(r) => (r.best ? 'best' : '')} />
        </>
      )}
    </>
  );
}
