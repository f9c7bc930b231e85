import { useMemo, useState } from 'react';
import { useParams } from 'react-router';
import type { MonitoringWindow } from '@strata/contracts/api';
import { Endpoints } from '../api/console-endpoints';
import { EChart } from '../components/echart';
import { ModelHeading } from '../components/model-heading';
import { VersionedWindows, WindowSelect } from '../components/window-controls';
import { Empty, Show } from '../components/states';
import { useEndpoint } from '../components/use-endpoint';
import { monitoringView, windowVersions } from '../mapping/monitoring';
import { driftOption, performanceOption } from './monitoring-charts';
import { OpsCharts } from './monitoring-ops-charts';

type WindowKind = 'day' | 'week' | 'month';
const WINDOW_KINDS: ReadonlyArray<readonly [WindowKind, string]> = [
  ['day', 'day'],
  ['week', 'week'],
  ['month', 'month'],
];

/** A model's monitoring: per version, drift per feature over time against its threshold and ROC AUC / accuracy, alert windows marked. */
export function MonitoringPageView() {
  const { name = '' } = useParams();
  const [kind, setKind] = useState<WindowKind>('day');
  const [version, setVersion] = useState<number | undefined>();
  const all = useEndpoint(Endpoints.windows, { params: { model: name }, query: { window: kind } });
  return (
    <section>
      <ModelHeading name={name}>monitoring</ModelHeading>
      <WindowSelect value={kind} options={WINDOW_KINDS} onChange={setKind} />
      <Show loaded={all} what="monitoring windows">
        {(windows) => (
          <VersionedWindows windows={windows} versions={windowVersions(windows)} chosen={version} onChoose={setVersion} empty={<Empty>No predictions monitored for {name} yet.</Empty>}>
            {(ofVersion) => <VersionCharts windows={ofVersion} />}
          </VersionedWindows>
        )}
      </Show>
    </section>
  );
}

function VersionCharts({ windows }: { windows: MonitoringWindow[] }) {
  const view = useMemo(() => monitoringView(windows), [windows]);
  const drift = useMemo(() => driftOption(view), [view]);
  const perf = useMemo(() => performanceOption(view), [view]);
  return (
    <>
      <h2>Drift per feature</h2>
      <p className="hint" data-testid="alert-windows">
        {view.alerts.length ? `Alert windows (dataset drift): ${view.alerts.map((a) => a.label).join('; ')}` : 'No alert window.'}
      </p>
      {view.drift.length ? <EChart option={drift} testId="drift-chart" /> : <Empty>No drift computed yet (windows need enough predictions).</Empty>}
      <h2>ROC AUC and accuracy</h2>
      {view.performance.some((p) => p.rocAuc !== null || p.accuracy !== null) ? <EChart option={perf} height={260} testId="performance-chart" /> : <Empty>No labeled window yet.</Empty>}
      <OpsCharts windows={windows} alerts={view.alerts} />
    </>
  );
}
