import type { ModelVersion } from '@strata/contracts/api';
import { Graph, layout } from '@dagrejs/dagre';
import { shortDigest } from './format';

export type LineageKind = 'dataset-version' | 'feature-view' | 'training-set' | 'run' | 'model-version';

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
    | { kind: 'model-version'; name: string; version: number };
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
 */
export function lineageGraph(v: ModelVersion): LineageGraph {
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
  return { nodes, edges };
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
