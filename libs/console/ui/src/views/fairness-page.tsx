import { useMemo, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import type { FairnessWindow } from '@strata/contracts/api';
import { Endpoints } from '../api/console-endpoints';
import { EChart } from '../components/echart';
import { Empty, Show } from '../components/states';
import { useLoad } from '../components/use-load';
import { useSession } from '../components/session';
import { fairnessVersions, fairnessView, rateChartOption, type FairnessSegmentView } from '../mapping/fairness';
import { formatMetric } from '../mapping/format';

type WindowKind = 'day' | 'week' | 'month' | 'count';

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
  const { client } = useSession();
  const navigate = useNavigate();
  const models = useLoad(() => client.call(Endpoints.listModels, { query: { limit: 200 } }), [client]);
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
  const { client } = useSession();
  const [kind, setKind] = useState<WindowKind>('day');
  const [version, setVersion] = useState<number | undefined>();
  const all = useLoad(() => client.call(Endpoints.fairness, { params: { model: name }, query: { window: kind } }), [client, name, kind]);
  return (
    <section>
      <h1>
        <Link to="/models">Models</Link> / <Link to={`/models/${encodeURIComponent(name)}`}>{name}</Link> / fairness
      </h1>
      <div className="controls">
        <label>
          window{' '}
          <select value={kind} onChange={(e) => setKind(e.target.value as WindowKind)}>
            <option value="day">day</option>
            <option value="week">week</option>
            <option value="month">month</option>
            <option value="count">count (monitoring's count window size)</option>
          </select>
        </label>
      </div>
      <Show loaded={all} what="fairness windows">
        {(windows) => {
          const versions = fairnessVersions(windows);
          if (versions.length === 0) return <Empty>No segment windows for {name} yet (set a segment config: strata monitor segments-config).</Empty>;
          const shown = version !== undefined && versions.includes(version) ? version : versions[0]!;
          return (
            <>
              <div className="controls">
                version{' '}
                {versions.map((v) => (
                  <button key={v} className={v === shown ? 'active' : ''} onClick={() => setVersion(v)}>
                    v{v}
                  </button>
                ))}
              </div>
              <VersionFairness windows={windows.filter((w) => Number(w.modelVersion) === shown)} />
            </>
          );
        }}
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
          <table data-testid={`disparities-${view.segment}`}>
            <thead>
              <tr>
                <th>disparity</th>
                <th>value</th>
                <th>threshold</th>
                <th>breached</th>
                <th>significant</th>
                <th>max group [95% CI]</th>
                <th>min group [95% CI]</th>
                <th>left out (min count)</th>
              </tr>
            </thead>
            <tbody>
              {view.latest.disparities.map((d) => (
                <tr key={d.metric} className={d.breached ? 'bad' : ''}>
                  <td>{d.metric}</td>
                  <td>{formatMetric(d.value)}</td>
                  <td>{formatMetric(d.threshold)}</td>
                  <td>{d.breached ? 'yes' : 'no'}</td>
                  <td>{d.significant === null ? '—' : d.significant ? 'yes' : 'no'}</td>
                  <td>{d.max}</td>
                  <td>{d.min}</td>
                  <td>{d.excluded || '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
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
