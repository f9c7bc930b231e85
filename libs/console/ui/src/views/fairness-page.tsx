import { useMemo, useState } from 'react';
import { useNavigate, useParams } from 'react-router';
import type { FairnessWindow } from '@strata/contracts/api';
import { Endpoints } from '../api/console-endpoints';
import { DataTable, type Column } from '../components/data-table';
import { EChart } from '../components/echart';
import { ModelHeading } from '../components/model-heading';
import { VersionedWindows, WindowSelect } from '../components/window-controls';
import { Empty, Show } from '../components/states';
import { useEndpoint } from '../components/use-endpoint';
import { fairnessVersions, fairnessView, rateChartOption, type DisparityRow, type FairnessSegmentView } from '../mapping/fairness';
import { formatMetric } from '../mapping/format';

type WindowKind = 'day' | 'week' | 'month' | 'count';
const WINDOW_KINDS: ReadonlyArray<readonly [WindowKind, string]> = [
  ['day', 'day'],
  ['week', 'week'],
  ['month', 'month'],
  ['count', "count (monitoring's count window size)"],
];

/**
 * Fairness of a model (issue #17): per segment (monitoring's segment config), each group's positive
 * rate, TPR and FPR over the windows with their 95% Wilson intervals, and the latest window's
 * disparities against their thresholds (`GET /models/{m}/fairness`). Without a model in the path,
 * a model picker.
 */
export function FairnessPageView() {
  const { name } = useParams();
  return name ? <ModelFairness name={name} /> : <ModelPicker />;
}

function ModelPicker() {
  const navigate = useNavigate();
  const models = useEndpoint(Endpoints.listModels, { query: { limit: 200 } });
  return (
    <section>
      <h1>Fairness</h1>
      <Show loaded={models} what="models">
        {(page) =>
          page.registeredModels.length === 0 ? (
            <Empty>No registered models yet.</Empty>
          ) : (
            <div className="controls">
              model{' '}
              <select defaultValue="" onChange={(e) => e.target.value && navigate(`/fairness/${encodeURIComponent(e.target.value)}`)} data-testid="fairness-model">
                <option value="">choose…</option>
                {page.registeredModels.map((m) => (
                  <option key={m.name} value={m.name}>
                    {m.name}
                  </option>
                ))}
              </select>
            </div>
          )
        }
      </Show>
    </section>
  );
}

function ModelFairness({ name }: { name: string }) {
  const [kind, setKind] = useState<WindowKind>('day');
  const [version, setVersion] = useState<number | undefined>();
  const all = useEndpoint(Endpoints.fairness, { params: { model: name }, query: { window: kind } });
  return (
    <section>
      <ModelHeading name={name}>fairness</ModelHeading>
      <WindowSelect value={kind} options={WINDOW_KINDS} onChange={setKind} />
      <Show loaded={all} what="fairness windows">
        {(windows) => (
          <VersionedWindows windows={windows} versions={fairnessVersions(windows)} chosen={version} onChoose={setVersion} empty={<Empty>No segment windows for {name} yet (set a segment config: strata monitor segments-config).</Empty>}>
            {(ofVersion) => <VersionFairness windows={ofVersion} />}
          </VersionedWindows>
        )}
      </Show>
    </section>
  );
}

function VersionFairness({ windows }: { windows: FairnessWindow[] }) {
  const view = useMemo(() => fairnessView(windows), [windows]);
  if (view.length === 0) return <Empty>No segment in these windows.</Empty>;
  return (
    <>
      {view.map((s) => (
        <SegmentFairness key={s.segment} view={s} />
      ))}
    </>
  );
}

/** The latest window's disparities of a segment against their thresholds. */
const DISPARITY_COLUMNS: ReadonlyArray<Column<DisparityRow>> = [
  { header: 'disparity', cell: (d) => d.metric },
  { header: 'value', cell: (d) => formatMetric(d.value) },
  { header: 'threshold', cell: (d) => formatMetric(d.threshold) },
  { header: 'breached', cell: (d) => (d.breached ? 'yes' : 'no') },
  { header: 'significant', cell: (d) => (d.significant === null ? '—' : d.significant ? 'yes' : 'no') },
  { header: 'max group [95% CI]', cell: (d) => d.max },
  { header: 'min group [95% CI]', cell: (d) => d.min },
  { header: 'left out (min count)', cell: (d) => d.excluded || '—' },
];

function SegmentFairness({ view }: { view: FairnessSegmentView }) {
  const options = useMemo(() => view.charts.map(rateChartOption), [view]);
  return (
    <div data-testid={`fairness-${view.segment}`}>
      <h2>Segment {view.segment}</h2>
      {view.latest ? (
        <>
          <p className="hint">
            Latest window {view.latest.window}; a group counts in a disparity with at least {view.latest.minCount} observations.
            Significant: the 95% Wilson intervals of the max and min groups do not overlap.
          </p>
          <DataTable testId={`disparities-${view.segment}`} columns={DISPARITY_COLUMNS} rows={view.latest.disparities} rowKey={(d) => d.metric} rowClassName={(d) => (d.breached ? 'bad' : '')} />
        </>
      ) : null}
      {view.charts.map((c, i) => (
        <div key={c.rate}>
          <h3>{c.label}</h3>
          <EChart option={options[i]!} height={260} testId={`fairness-${view.segment}-${c.rate}`} />
        </div>
      ))}
    </div>
  );
}
