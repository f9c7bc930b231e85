import type { BatchScoringJob, Materialization, ModelVersion, Rollout } from '@strata/contracts/api';
import { Graph, layout } from '@dagrejs/dagre';
import { shortDigest } from './format';

export type LineageKind = 'dataset-version' | 'feature-view' | 'materialization' | 'training-set' | 'run' | 'model-version' | 'rollout' | 'batch-scoring';

/**
 * The fields of a registry rollout (`RegistryApi.listRollouts`, `GET /models/{name}/rollouts`) the
 * lineage reads; `challengerWeight` is the canary share of the challenger in [0, 1].
 */
export type LineageRollout = Pick<Rollout, 'rolloutId' | 'modelName' | 'status' | 'mode' | 'championVersion' | 'challengerVersion' | 'challengerWeight' | 'startedAt' | 'endedAt'>;

/** What the lineage page loads besides the version: features' materializations, registry's rollouts, serving's batch scoring jobs. */
export interface LineageExtras {
  /** Materializations of the version's feature views (any; those over none of its dataset versions are dropped). */
  materializations?: Materialization[];
  /** Rollouts of the model (any; those in which the version is neither champion nor challenger are dropped). */
  rollouts?: LineageRollout[];
  /** Batch scoring jobs of the model (any; those of another version are dropped). */
  batchJobs?: BatchScoringJob[];
}

/** At most this many materializations per feature view, and batch scoring jobs, are drawn (the newest). */
export const LINEAGE_MAX_PER_KIND = 5;

/** One node of a version's lineage graph; `ref` says what clicking it opens. */
export interface LineageNode {
  id: string;
  kind: LineageKind;
  label: string;
  /** Second line: digest, version id, trainer, … */
  detail: string;
  ref:
    | { kind: 'dataset-version'; datasetName: string; versionId: string }
    | { kind: 'feature-view'; name: string }
    | { kind: 'training-set'; name: string; uri: string | null; sha256: string | null }
    | { kind: 'run'; runId: string; workflowId: string | null }
    | { kind: 'model-version'; name: string; version: number }
    | { kind: 'materialization'; materialization: Materialization }
    | { kind: 'rollout'; modelName: string; rolloutId: string; role: 'champion' | 'challenger' }
    | { kind: 'batch-scoring'; job: BatchScoringJob };
}

export interface LineageGraph {
  nodes: LineageNode[];
  /** Edges in the direction data flows (`from` feeds `to`). */
  edges: Array<{ from: string; to: string }>;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/**
 * A model version's lineage (`ModelVersion.lineage`, as the training workflow registers it:
 * `datasetVersions [{datasetName, versionId, contentSha256?}]`, `featureViews [name | {name}]`,
 * `trainingSet` (a name, or `{id|name, uri, sha256}`), `workflowId`) → the graph
 * dataset versions → feature views → training set → training run → model version.
 * A missing stage is skipped (its inputs feed the next present stage).
 *
 * With `extras`: each feature view's materializations over the version's dataset versions
 * (`mat:<id>`, fed by the view and those dataset versions; newest {@link LINEAGE_MAX_PER_KIND}
 * per view), and downstream of the version its rollouts as champion or challenger
 * (`ro:<rolloutId>`, label `<mode> rollout`, detail `<status> · <split>`) and its batch scoring
 * jobs (`bs:<jobId>`, detail `<status> · <rows> rows`; newest {@link LINEAGE_MAX_PER_KIND}).
 */
export function lineageGraph(v: ModelVersion, extras: LineageExtras = {}): LineageGraph {
  const l = v.lineage as Record<string, unknown>;
  const nodes: LineageNode[] = [];
  const edges: Array<{ from: string; to: string }> = [];
  const datasets = (Array.isArray(l['datasetVersions']) ? l['datasetVersions'] : []) as Array<Record<string, unknown>>;
  const dsIds: string[] = [];
  for (const d of datasets) {
    const datasetName = str(d['datasetName']);
    const versionId = str(d['versionId']);
    if (!datasetName || !versionId) continue;
    const id = `ds:${datasetName}@${versionId}`;
    if (dsIds.includes(id)) continue;
    dsIds.push(id);
    nodes.push({ id, kind: 'dataset-version', label: `${datasetName}@${versionId.slice(0, 8)}`, detail: str(d['contentSha256']) ? `sha256 ${shortDigest(str(d['contentSha256']))}` : 'dataset version', ref: { kind: 'dataset-version', datasetName, versionId } });
  }
  const views = (Array.isArray(l['featureViews']) ? l['featureViews'] : []) as unknown[];
  const fvIds: string[] = [];
  for (const f of views) {
    const name = typeof f === 'string' ? f : str((f as Record<string, unknown> | null)?.['name']);
    if (!name || fvIds.includes(`fv:${name}`)) continue;
    fvIds.push(`fv:${name}`);
    nodes.push({ id: `fv:${name}`, kind: 'feature-view', label: name, detail: 'feature view', ref: { kind: 'feature-view', name } });
  }
  const ts = l['trainingSet'];
  const tsObj = ts && typeof ts === 'object' ? (ts as Record<string, unknown>) : undefined;
  const tsName = typeof ts === 'string' ? ts : (str(tsObj?.['trainingSet']) ?? str(tsObj?.['name']) ?? str(tsObj?.['id']));
  const tsIds: string[] = [];
  if (tsName) {
    const sha = str(tsObj?.['sha256']);
    tsIds.push(`ts:${tsName}`);
    nodes.push({ id: `ts:${tsName}`, kind: 'training-set', label: tsName, detail: sha ? `sha256 ${shortDigest(sha)}` : 'training set', ref: { kind: 'training-set', name: tsName, uri: str(tsObj?.['uri']), sha256: sha } });
  }
  const runId = `run:${v.runId}`;
  nodes.push({ id: runId, kind: 'run', label: `run ${v.runId.slice(0, 8)}`, detail: v.tags['trainer'] ?? 'training run', ref: { kind: 'run', runId: v.runId, workflowId: str(l['workflowId']) ?? v.workflowId } });
  const mvId = `mv:${v.name}@${v.version}`;
  nodes.push({ id: mvId, kind: 'model-version', label: `${v.name} v${v.version}`, detail: v.aliases.length ? v.aliases.join(', ') : 'model version', ref: { kind: 'model-version', name: v.name, version: v.version } });
  // dataset versions → feature views → training set → run → model version (skipping empty stages)
  const stages = [dsIds, fvIds, tsIds, [runId], [mvId]].filter((s) => s.length > 0);
  for (let i = 1; i < stages.length; i++) for (const from of stages[i - 1]!) for (const to of stages[i]!) edges.push({ from, to });
  addMaterializations(nodes, edges, fvIds, dsIds, extras.materializations ?? []);
  addDownstream(nodes, edges, v, mvId, extras);
  return { nodes, edges };
}

const byNewest = <T>(rows: T[], at: (r: T) => string): T[] => [...rows].sort((a, b) => at(b).localeCompare(at(a)));

/** Materialization nodes: fed by their feature view and by each of the lineage's dataset versions they read. */
function addMaterializations(nodes: LineageNode[], edges: LineageGraph['edges'], fvIds: string[], dsIds: string[], materializations: Materialization[]): void {
  for (const fvId of fvIds) {
    const view = fvId.slice('fv:'.length);
    const over = (m: Materialization) => m.datasetVersions.map((d) => `ds:${d.datasetName}@${d.versionId}`).filter((id) => dsIds.includes(id));
    const mine = byNewest(materializations.filter((m) => m.featureView === view && over(m).length > 0), (m) => m.startedAt).slice(0, LINEAGE_MAX_PER_KIND);
    for (const m of mine) {
      const id = `mat:${m.id}`;
      if (nodes.some((n) => n.id === id)) continue;
      const rows = m.rowCount === null ? '' : ` · ${m.rowCount} rows`;
      nodes.push({ id, kind: 'materialization', label: `${view} ${m.mode}`, detail: `${m.status}${rows}`, ref: { kind: 'materialization', materialization: m } });
      for (const ds of over(m)) edges.push({ from: ds, to: id });
      edges.push({ from: fvId, to: id });
    }
  }
}

/** `champion 90% / challenger 10%` for a canary, `shadow (challenger mirrored)` for a shadow rollout. */
export function rolloutSplit(r: Pick<LineageRollout, 'mode' | 'challengerWeight' | 'championVersion' | 'challengerVersion'>): string {
  if (r.mode === 'shadow') return `shadow: v${r.challengerVersion} mirrored`;
  const challenger = Math.round(r.challengerWeight * 1000) / 10;
  return `v${r.championVersion} ${Math.round((100 - challenger) * 10) / 10}% / v${r.challengerVersion} ${challenger}%`;
}

/** Rollout and batch scoring nodes, fed by the model version. */
function addDownstream(nodes: LineageNode[], edges: LineageGraph['edges'], v: ModelVersion, mvId: string, extras: LineageExtras): void {
  const rollouts = byNewest(
    (extras.rollouts ?? []).filter((r) => r.modelName === v.name && (r.championVersion === v.version || r.challengerVersion === v.version)),
    (r) => r.startedAt,
  );
  for (const r of rollouts) {
    const role = r.challengerVersion === v.version ? 'challenger' : 'champion';
    const id = `ro:${r.rolloutId}`;
    nodes.push({ id, kind: 'rollout', label: `${r.mode} rollout (${role})`, detail: `${r.status} · ${rolloutSplit(r)}`, ref: { kind: 'rollout', modelName: r.modelName, rolloutId: r.rolloutId, role } });
    edges.push({ from: mvId, to: id });
  }
  const jobs = byNewest(
    (extras.batchJobs ?? []).filter((j) => j.modelName === v.name && j.modelVersion === v.version),
    (j) => j.createdAt,
  ).slice(0, LINEAGE_MAX_PER_KIND);
  for (const j of jobs) {
    const id = `bs:${j.jobId}`;
    const rows = j.rowCount ?? j.progress.rowsDone;
    nodes.push({ id, kind: 'batch-scoring', label: `batch scoring ${j.jobId.slice(0, 8)}`, detail: `${j.status} · ${rows} rows`, ref: { kind: 'batch-scoring', job: j } });
    edges.push({ from: mvId, to: id });
  }
}

/** A laid-out node: centre `x`, `y` and size, in px. */
export interface PlacedNode extends LineageNode {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Left-to-right layered layout of a lineage graph (dagre, the Sugiyama method); sizes in px. */
export function layoutLineage(graph: LineageGraph, nodeWidth = 230, nodeHeight = 52): { nodes: PlacedNode[]; edges: Array<{ from: string; to: string; points: Array<{ x: number; y: number }> }>; width: number; height: number } {
  const g = new Graph();
  g.setGraph({ rankdir: 'LR', nodesep: 24, ranksep: 70, marginx: 16, marginy: 16 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of graph.nodes) g.setNode(n.id, { width: nodeWidth, height: nodeHeight });
  for (const e of graph.edges) g.setEdge(e.from, e.to);
  layout(g);
  const nodes = graph.nodes.map((n) => {
    const p = g.node(n.id) as { x: number; y: number };
    return { ...n, x: p.x, y: p.y, width: nodeWidth, height: nodeHeight };
  });
  const edges = graph.edges.map((e) => ({ ...e, points: ((g.edge(e.from, e.to) as { points?: Array<{ x: number; y: number }> } | undefined)?.points ?? []).map((p) => ({ x: p.x, y: p.y })) }));
  const info = g.graph() as { width?: number; height?: number };
  return { nodes, edges, width: info.width ?? 0, height: info.height ?? 0 };
}

/** Zoom of the lineage graph: `fit` scales it into the viewport (never above 100%), a number is a fixed scale (the view scrolls to pan). */
export type LineageZoom = 'fit' | number;

/** The zoom steps of the − / + buttons. */
export const ZOOM_STEPS = [0.5, 0.75, 1, 1.25, 1.5] as const;
const MIN_ZOOM = 0.5;
const MAX_ZOOM = 1.5;

/**
 * The scale that shows the whole `graph` (px) inside `view` (px): min(1, view.w / graph.w,
 * view.h / graph.h), and never below `min` (then the view scrolls). 1 for an empty graph.
 */
export function fitScale(graph: { width: number; height: number }, view: { width: number; height: number }, min = 0.3): number {
  if (graph.width <= 0 || graph.height <= 0 || view.width <= 0 || view.height <= 0) return 1;
  return Math.max(min, Math.min(1, view.width / graph.width, view.height / graph.height));
}

/** The next zoom step from the current scale, in `direction` (+1 in, −1 out); stays at the ends. */
export function stepZoom(current: number, direction: 1 | -1): number {
  if (direction > 0) return ZOOM_STEPS.find((s) => s > current + 1e-9) ?? MAX_ZOOM;
  return [...ZOOM_STEPS].reverse().find((s) => s < current - 1e-9) ?? MIN_ZOOM;
}
