import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { Endpoints } from '../api/console-endpoints';
import { ConsoleApiError } from '../api/console-client';
import { rolloutRows, type RolloutRow } from '../mapping/rollouts';
import { DataTable, type Column } from '../components/data-table';
import { ModelHeading } from '../components/model-heading';
import { Empty, Show } from '../components/states';
import { useLoad } from '../components/use-load';
import { useEndpoint } from '../components/use-endpoint';
import { useSession } from '../components/session';
import { RolloutDetail, type ActionResult } from './rollout-detail';

/** A rollout of model `name`: its start time opens it. */
function rolloutColumns(name: string): Array<Column<RolloutRow>> {
  return [
    { header: 'started (UTC)', cell: (r) => <Link to={`/models/${encodeURIComponent(name)}/rollouts/${encodeURIComponent(r.rolloutId)}`}>{r.startedAt}</Link> },
    { header: 'status', cell: (r) => r.status, className: (r) => `rollout-${r.status}` },
    { header: 'mode', cell: (r) => r.mode },
    { header: 'versions', cell: (r) => r.versions },
    { header: 'split', cell: (r) => r.split },
    { header: 'started by', cell: (r) => r.startedBy },
    { header: 'ended', cell: (r) => r.ended },
  ];
}

/** A model's rollouts, newest first; the active one is opened at `/models/{name}/rollouts/{id}`. */
export function RolloutsPageView() {
  const { name = '' } = useParams();
  const loaded = useEndpoint(Endpoints.listRollouts, { params: { name } });
  return (
    <section>
      <ModelHeading name={name}>rollouts</ModelHeading>
      <Show loaded={loaded} what={`rollouts of ${name}`}>
        {(rollouts) =>
          rollouts.length === 0 ? (
            <Empty>No rollout of {name} yet (start one with `strata rollouts start`).</Empty>
          ) : (
            <DataTable testId="rollouts-table" columns={rolloutColumns(name)} rows={rolloutRows(rollouts)} rowKey={(r) => r.rolloutId} rowTestId={(r) => `rollout-${r.rolloutId}`} />
          )
        }
      </Show>
    </section>
  );
}

/** One rollout: its record, the live comparison while active, its live decisions, promote / roll back for a role that may. */
export function RolloutPageView() {
  const { name = '', rolloutId = '' } = useParams();
  const { client } = useSession();
  const [tick, setTick] = useState(0);
  // the last action's answer, kept here so it stays on screen while the page reloads
  const [result, setResult] = useState<ActionResult | undefined>();
  const loaded = useLoad(async () => {
    const [rollouts, decisions, who] = await Promise.all([
      client.call(Endpoints.listRollouts, { params: { name } }),
      client.call(Endpoints.listDecisions, { params: { name }, query: { limit: 100 } }),
      client.call(Endpoints.whoami, {}).catch((e: unknown) => {
        // an older service without /auth/whoami: no buttons rather than no page
        if (e instanceof ConsoleApiError && e.status === 404) return undefined;
        throw e;
      }),
    ]);
    const rollout = rollouts.find((r) => r.rolloutId === rolloutId);
    if (!rollout) throw new ConsoleApiError('registry', 404, `model ${name} has no rollout ${rolloutId}`);
    return { rollout, decisions: decisions.decisions, who };
  }, [client, name, rolloutId, tick]);
  return (
    <section>
      <ModelHeading name={name}>
        <Link to={`/models/${encodeURIComponent(name)}/rollouts`}>rollouts</Link> / {rolloutId.slice(0, 8)}
      </ModelHeading>
      <Show loaded={loaded} what={`rollout ${rolloutId}`}>
        {(d) => <RolloutDetail rollout={d.rollout} decisions={d.decisions} who={d.who} result={result} onResult={(r) => {
          setResult(r);
          if (r.ok) setTick((t) => t + 1);
        }} />}
      </Show>
    </section>
  );
}

