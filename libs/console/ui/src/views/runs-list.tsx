import { Link, useParams } from 'react-router';
import type { TrainingRun, TrainingSearch } from '@strata/contracts/api';
import { Endpoints } from '../api/console-endpoints';
import { DataTable, type Column } from '../components/data-table';
import { ModelHeading } from '../components/model-heading';
import { Empty, Show } from '../components/states';
import { useLoad } from '../components/use-load';
import { useSession } from '../components/session';
import { formatMetric, formatTime } from '../mapping/format';

/** How many runs / searches the page lists (newest first). */
const LIMIT = 50;

/** A hyperparameter search: its time opens it; trials done of all; the best metric and the version it registered. */
const SEARCH_COLUMNS: ReadonlyArray<Column<TrainingSearch>> = [
  { header: 'started (UTC)', cell: (s) => <Link to={`/searches/${encodeURIComponent(s.searchId)}`}>{formatTime(s.createdAt)}</Link> },
  { header: 'status', cell: (s) => s.status },
  { header: 'strategy', cell: (s) => s.strategy },
  { header: 'metric', cell: (s) => `${s.metric} (${s.direction})` },
  { header: 'trials', cell: (s) => `${s.completedTrials ?? 0}/${s.trialCount}`, className: 'num' },
  { header: 'best', cell: (s) => formatMetric(s.bestMetric, 4), className: 'num' },
  { header: 'version', cell: (s) => (s.modelVersion === null ? '—' : `v${s.modelVersion}`) },
];

/** A training run: its time opens it; the search it is a trial of, if any. */
const RUN_COLUMNS: ReadonlyArray<Column<TrainingRun>> = [
  { header: 'started (UTC)', cell: (r) => <Link to={`/runs/${encodeURIComponent(r.runId)}`}>{formatTime(r.createdAt)}</Link> },
  { header: 'status', cell: (r) => r.status },
  { header: 'trainer', cell: (r) => r.trainer },
  { header: 'reason', cell: (r) => r.reason },
  { header: 'roc_auc', cell: (r) => formatMetric(r.metrics?.['roc_auc']), className: 'num' },
  { header: 'version', cell: (r) => (r.modelVersion === undefined ? '—' : `v${r.modelVersion}`) },
  { header: 'search', cell: (r) => (r.parentSearchId ? <Link to={`/searches/${encodeURIComponent(r.parentSearchId)}`}>{r.parentSearchId.slice(0, 8)}</Link> : '—') },
];

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
      <ModelHeading name={name}>runs</ModelHeading>
      <Show loaded={loaded} what={`runs of ${name}`}>
        {({ runs, searches }) => (
          <>
            <h2>Hyperparameter searches</h2>
            {searches.length === 0 ? (
              <Empty>No search for {name}.</Empty>
            ) : (
              <DataTable testId="searches-table" columns={SEARCH_COLUMNS} rows={searches} rowKey={(s) => s.searchId} />
            )}
            <h2>Training runs</h2>
            {runs.length === 0 ? (
              <Empty>No training run for {name}.</Empty>
            ) : (
              <DataTable testId="runs-table" columns={RUN_COLUMNS} rows={runs} rowKey={(r) => r.runId} rowTestId={(r) => `run-${r.runId}`} />
            )}
          </>
        )}
      </Show>
    </section>
  );
}
