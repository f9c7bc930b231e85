import { useEffect, useMemo, useRef, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import type { ModelVersion } from '@strata/contracts/api';
import { Endpoints } from '../api/console-endpoints';
import { formatMetric, formatTime, shortDigest } from '../mapping/format';
import { fitScale, layoutLineage, lineageGraph, stepZoom, type LineageNode, type LineageZoom } from '../mapping/lineage';
import { Show } from '../components/states';
import { useLoad } from '../components/use-load';
import { useEndpoint } from '../components/use-endpoint';
import { useSession } from '../components/session';
import { loadLineageExtras } from './lineage-extras';
import { BatchScoringDetail, MaterializationDetail, RolloutLink } from './lineage-node-details';

/** `text` cut to `max` characters with an ellipsis (the full text is the node's tooltip). */
const fit = (text: string, max: number): string => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

const KIND_LABEL: Record<LineageNode['kind'], string> = {
  'dataset-version': 'dataset version',
  'feature-view': 'feature view',
  'training-set': 'training set',
  run: 'training run',
  'model-version': 'model version',
  materialization: 'materialization',
  rollout: 'rollout',
  'batch-scoring': 'batch scoring',
};

/**
 * Where a version comes from and where it went, as a graph (dataset versions → feature views and
 * their materializations → training set → run → version → rollouts and batch scoring jobs); a
 * click opens a node (a rollout opens its page).
 */
export function LineagePageView() {
  const { name = '', version = '' } = useParams();
  const loaded = useEndpoint(Endpoints.getModelVersion, { params: { name, version: Number(version) } });
  return (
    <section>
      <h1>
        <Link to="/models">Models</Link> / <Link to={`/models/${encodeURIComponent(name)}`}>{name}</Link> / v{version} lineage
      </h1>
      <Show loaded={loaded} what={`lineage of ${name} v${version}`}>
        {(v) => <LineageGraphView version={v} />}
      </Show>
    </section>
  );
}

function LineageGraphView({ version }: { version: ModelVersion }) {
  const { client } = useSession();
  const navigate = useNavigate();
  // the version's own lineage shows at once; materializations, rollouts and batch jobs join when loaded
  const extras = useLoad(() => loadLineageExtras(client, version, lineageGraph(version).nodes.flatMap((n) => (n.ref.kind === 'feature-view' ? [n.ref.name] : []))), [client, version]);
  const loadedExtras = extras.state === 'ok' ? extras.data : undefined;
  const placed = useMemo(() => layoutLineage(lineageGraph(version, loadedExtras?.extras)), [version, loadedExtras]);
  const open = (n: LineageNode) => (n.ref.kind === 'rollout' ? navigate(`/models/${encodeURIComponent(n.ref.modelName)}/rollouts/${encodeURIComponent(n.ref.rolloutId)}`) : setSelected(n));
  const [selected, setSelected] = useState<LineageNode | undefined>();
  const byId = new Map(placed.nodes.map((n) => [n.id, n]));
  const [zoom, setZoom] = useState<LineageZoom>('fit');
  const box = useRef<HTMLDivElement>(null);
  const [view, setView] = useState({ width: 0, height: 0 });
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    // the graph may take the container's width and 60% of the window's height
    const measure = () => setView({ width: el.clientWidth, height: Math.max(240, window.innerHeight * 0.6) });
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  const fitted = fitScale(placed, view);
  const scale = zoom === 'fit' ? fitted : zoom;
  return (
    <div className="lineage">
      <div className="controls" data-testid="zoom-controls">
        <button onClick={() => setZoom(stepZoom(scale, -1))} aria-label="zoom out">
          −
        </button>
        <span data-testid="zoom-level">{Math.round(scale * 100)}%</span>
        <button onClick={() => setZoom(stepZoom(scale, 1))} aria-label="zoom in">
          +
        </button>
        <button className={zoom === 'fit' ? 'active' : ''} onClick={() => setZoom('fit')}>
          Fit
        </button>
        <button className={zoom === 1 ? 'active' : ''} onClick={() => setZoom(1)}>
          100%
        </button>
        {scale > fitted ? <span className="hint">scroll to pan</span> : null}
        {extras.state === 'loading' ? <span className="hint">loading materializations, rollouts and batch scoring jobs…</span> : null}
        {loadedExtras?.failures.length ? (
          <span className="hint" data-testid="lineage-partial" title={loadedExtras.failures.join('\n')}>
            not shown: {loadedExtras.failures.map((f) => f.split(':')[0]).join(', ')}
          </span>
        ) : null}
      </div>
      <div className="graph-scroll" ref={box}>
        <svg width={placed.width * scale} height={placed.height * scale} viewBox={`0 0 ${placed.width} ${placed.height}`} data-testid="lineage-graph" role="img" aria-label="lineage graph">
          <defs>
            <marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
              <path d="M 0 0 L 10 5 L 0 10 z" fill="#64748b" />
            </marker>
          </defs>
          {placed.edges.map((e) => {
            const a = byId.get(e.from);
            const b = byId.get(e.to);
            const pts = e.points.length ? e.points : a && b ? [{ x: a.x, y: a.y }, { x: b.x, y: b.y }] : [];
            return <polyline key={`${e.from}->${e.to}`} points={pts.map((p) => `${p.x},${p.y}`).join(' ')} fill="none" stroke="#64748b" strokeWidth={1.5} markerEnd="url(#arrow)" />;
          })}
          {placed.nodes.map((n) => (
            <g
              key={n.id}
              className={`node node-${n.kind}${selected?.id === n.id ? ' selected' : ''}`}
              transform={`translate(${n.x - n.width / 2},${n.y - n.height / 2})`}
              onClick={() => open(n)}
              data-testid={`node-${n.kind}`}
              data-node-id={n.id}
              tabIndex={0}
              onKeyDown={(e) => e.key === 'Enter' && open(n)}
            >
              <title>{`${KIND_LABEL[n.kind]} ${n.label} (${n.detail})`}</title>
              <rect width={n.width} height={n.height} rx={8} />
              <text x={10} y={20} className="node-label">
                {fit(n.label, 27)}
              </text>
              <text x={10} y={38} className="node-detail">
                {fit(`${KIND_LABEL[n.kind]} · ${n.detail}`, 36)}
              </text>
            </g>
          ))}
        </svg>
      </div>
      <aside className="node-panel" data-testid="node-panel">
        {selected ? <NodeDetail node={selected} version={version} /> : <p>Click a node to open it.</p>}
      </aside>
    </div>
  );
}

function NodeDetail({ node, version }: { node: LineageNode; version: ModelVersion }) {
  const ref = node.ref;
  switch (ref.kind) {
    case 'dataset-version':
      return <DatasetVersionDetail datasetName={ref.datasetName} versionId={ref.versionId} />;
    case 'run':
      return <RunDetail runId={ref.runId} />;
    case 'training-set':
      return (
        <dl>
          <dt>training set</dt>
          <dd>{ref.name}</dd>
          <dt>file</dt>
          <dd>{ref.uri ?? '—'}</dd>
          <dt>sha256</dt>
          <dd>{ref.sha256 ?? '—'}</dd>
        </dl>
      );
    case 'feature-view':
      return (
        <dl>
          <dt>feature view</dt>
          <dd>{ref.name}</dd>
        </dl>
      );
    case 'materialization':
      return <MaterializationDetail m={ref.materialization} />;
    case 'batch-scoring':
      return <BatchScoringDetail job={ref.job} />;
    case 'rollout':
      return <RolloutLink modelName={ref.modelName} rolloutId={ref.rolloutId} role={ref.role} />;
    case 'model-version':
      return (
        <dl data-testid="model-version-detail">
          <dt>model version</dt>
          <dd>
            {version.name} v{version.version} {version.aliases.join(', ')}
          </dd>
          <dt>artifact</dt>
          <dd>
            {version.artifactUri} (sha256 {shortDigest(version.artifactSha256)})
          </dd>
          {Object.entries(version.metrics).map(([k, v]) => (
            <div key={k}>
              <dt>{k}</dt>
              <dd>{formatMetric(v)}</dd>
            </div>
          ))}
        </dl>
      );
  }
}

function DatasetVersionDetail({ datasetName, versionId }: { datasetName: string; versionId: string }) {
  const loaded = useEndpoint(Endpoints.getDatasetVersion, { params: { name: datasetName, versionId } });
  return (
    <Show loaded={loaded} what="dataset version">
      {(d) => (
        <dl data-testid="dataset-version-detail">
          <dt>dataset version</dt>
          <dd>
            {d.datasetName}@{d.versionId}
          </dd>
          <dt>content sha256</dt>
          <dd className="digest">{d.contentSha256}</dd>
          <dt>rows</dt>
          <dd>{d.rowCount}</dd>
          <dt>quarantined rows</dt>
          <dd>{String((d.validation as { invalidRowCount?: number }).invalidRowCount ?? '—')}</dd>
          <dt>created (UTC)</dt>
          <dd>{formatTime(d.createdAt)}</dd>
        </dl>
      )}
    </Show>
  );
}

function RunDetail({ runId }: { runId: string }) {
  const loaded = useEndpoint(Endpoints.getTrainingRun, { params: { runId } });
  return (
    <Show loaded={loaded} what="training run">
      {(r) => (
        <dl data-testid="run-detail">
          <dt>training run</dt>
          <dd>
            <Link to={`/runs/${encodeURIComponent(r.runId)}`} data-testid="open-run">
              {r.runId}
            </Link>
          </dd>
          <dt>status</dt>
          <dd>{r.status}</dd>
          <dt>trainer</dt>
          <dd>{r.trainer}</dd>
          <dt>params</dt>
          <dd>{Object.entries(r.params).map(([k, v]) => `${k}=${String(v)}`).join(', ') || '—'}</dd>
          <dt>metrics</dt>
          <dd>{Object.entries(r.metrics ?? {}).map(([k, v]) => `${k}=${formatMetric(v)}`).join(', ') || '—'}</dd>
          <dt>cost</dt>
          <dd>{r.cost ? `${r.cost.estimated.toFixed(4)} ${r.cost.currency} (${r.cost.cpuHours.toFixed(4)} CPU h)` : '—'}</dd>
          <dt>started / finished (UTC)</dt>
          <dd>
            {formatTime(r.createdAt)} / {formatTime(r.finishedAt)}
          </dd>
        </dl>
      )}
    </Show>
  );
}
