import { useMemo } from 'react';
import { Link, useParams } from 'react-router';
import type { TrackedRun, TrainingRun } from '@strata/contracts/api';
import { Endpoints } from '../api/console-endpoints';
import { ConsoleApiError } from '../api/console-client';
import { DataTable, type Column } from '../components/data-table';
import { EChart } from '../components/echart';
import { ModelHeading } from '../components/model-heading';
import { Empty, ErrorBox, Show } from '../components/states';
import { useLoad } from '../components/use-load';
import { useEndpoint } from '../components/use-endpoint';
import { useSession } from '../components/session';
import { keyValues, metricSeries, runFacts, seriesKeys, type KeyValue, type MetricSeries } from '../mapping/runs';
import { seriesOption } from './run-charts';

/** Tag the training service puts on the registry's tracked run of a training run. */
const TRAINING_RUN_TAG = 'strata.training_run_id';
/** At most this many series are charted (one history read each). */
const MAX_SERIES = 8;

/** A training run: facts, params, metrics, metric series (loss per iteration) from its tracked run, and its log. */
export function RunPageView() {
  const { runId = '' } = useParams();
  const loaded = useEndpoint(Endpoints.getTrainingRun, { params: { runId } });
  return (
    <section>
      <Show loaded={loaded} what={`training run ${runId}`}>
        {(run) => (
          <>
            <ModelHeading name={run.modelName}>
              <Link to={`/models/${encodeURIComponent(run.modelName)}/runs`}>runs</Link> / {run.runId.slice(0, 8)}
            </ModelHeading>
            <RunBody run={run} />
          </>
        )}
      </Show>
    </section>
  );
}

function RunBody({ run }: { run: TrainingRun }) {
  const params = keyValues(run.params);
  const metrics = keyValues(run.metrics);
  return (
    <>
      <dl className="facts-grid" data-testid="run-facts">
        {runFacts(run).map((f) => (
          <div key={f.key}>
            <dt>{f.key}</dt>
            <dd>{f.value}</dd>
          </div>
        ))}
        {run.parentSearchId ? (
          <div>
            <dt>search</dt>
            <dd>
              <Link to={`/searches/${encodeURIComponent(run.parentSearchId)}`}>{run.parentSearchId.slice(0, 8)}</Link>
            </dd>
          </div>
        ) : null}
        {run.modelVersion !== undefined ? (
          <div>
            <dt>lineage</dt>
            <dd>
              <Link to={`/models/${encodeURIComponent(run.modelName)}/versions/${run.modelVersion}/lineage`}>v{run.modelVersion} lineage</Link>
            </dd>
          </div>
        ) : null}
      </dl>
      <div className="two-col">
        <div>
          <h2>Params</h2>
          {params.length ? <KeyValueTable rows={params} testId="run-params" /> : <Empty>No params.</Empty>}
        </div>
        <div>
          <h2>Metrics</h2>
          {metrics.length ? <KeyValueTable rows={metrics} testId="run-metrics" /> : <Empty>No metrics yet.</Empty>}
        </div>
      </div>
      <RunSeries run={run} />
      <RunLog runId={run.runId} />
    </>
  );
}

/** A key/value table (params, metrics): each row headed by its key (`<th scope="row">`), no header row. */
const KEY_VALUE_COLUMNS: ReadonlyArray<Column<KeyValue>> = [
  { cell: (r) => r.key, rowHeader: true },
  { cell: (r) => r.value, className: 'num' },
];

function KeyValueTable({ rows, testId }: { rows: KeyValue[]; testId: string }) {
  return <DataTable testId={testId} columns={KEY_VALUE_COLUMNS} rows={rows} rowKey={(r) => r.key} head={false} />;
}

/** The tracked run of a training run in the registry (experiment = model name, tag = training run id), or undefined. */
async function trackedRunOf(client: ReturnType<typeof useSession>['client'], run: TrainingRun): Promise<TrackedRun | undefined> {
  const found = await client.call(Endpoints.searchExperiments, { query: { filter: `name = '${run.modelName.replace(/'/g, "\\'")}'` } });
  const exp = found.experiments.find((e) => e.name === run.modelName);
  if (!exp) return undefined;
  const runs = await client.call(Endpoints.searchTrackedRuns, { body: { experimentIds: [exp.experimentId], filter: `tags.\`${TRAINING_RUN_TAG}\` = '${run.runId}'` } });
  return runs.runs[0] as TrackedRun | undefined;
}

function RunSeries({ run }: { run: TrainingRun }) {
  const { client } = useSession();
  const loaded = useLoad(async (): Promise<MetricSeries[] | undefined> => {
    const tracked = await trackedRunOf(client, run);
    if (!tracked) return undefined;
    const keys = seriesKeys(tracked.latestMetrics).slice(0, MAX_SERIES);
    const histories = await Promise.all(keys.map((key) => client.call(Endpoints.metricHistory, { params: { runId: tracked.runId, key }, query: { limit: 1000 } })));
    return keys.map((key, i) => metricSeries(key, histories[i] ?? []));
  }, [client, run.runId]);
  const option = useMemo(() => (loaded.state === 'ok' && loaded.data ? seriesOption(loaded.data) : undefined), [loaded]);
  return (
    <>
      <h2>Metric series</h2>
      <Show loaded={loaded} what="metric series">
        {(series) =>
          !series ? (
            <Empty>This run has no tracked run in the registry yet (it is mirrored when the run ends).</Empty>
          ) : series.length === 0 || !option ? (
            <Empty>The trainer logged no per-iteration series.</Empty>
          ) : (
            <EChart option={option} height={300} testId="series-chart" />
          )
        }
      </Show>
    </>
  );
}

function RunLog({ runId }: { runId: string }) {
  const loaded = useEndpoint(Endpoints.trainingRunLogs, { params: { runId } });
  return (
    <>
      <h2>Log</h2>
      {loaded.state === 'error' && loaded.error instanceof ConsoleApiError && loaded.error.status === 404 ? (
        <Empty>No log captured.</Empty>
      ) : loaded.state === 'error' ? (
        <ErrorBox error={loaded.error} />
      ) : (
        <Show loaded={loaded} what="log">
          {(log) => (log.text ? <pre className="log" data-testid="run-log">{log.text}</pre> : <Empty>No log captured (in-process trainers log to the service).</Empty>)}
        </Show>
      )}
    </>
  );
}
