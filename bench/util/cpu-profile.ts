/**
 * The parts of a V8 `.cpuprofile` (`node --cpu-prof`) the profile scripts read, and the layer
 * rule they share for charging a frame to a named layer of the stack.
 */
import * as fs from 'node:fs';

/** Where a profile node's code is: function name, source URL (empty for builtins), 0-based line. */
export interface CallFrame { functionName: string; url: string; lineNumber: number }
export interface ProfileNode { id: number; callFrame: CallFrame; children?: number[] }
/** Nodes, the node id of each sample and the µs since the previous sample. */
export interface Profile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }

/**
 * The first layer of `layers` whose pattern matches the frame's source URL, or (for V8's
 * pseudo-frames such as `(idle)`, `(garbage collector)`) its function name; `'other JS'` when no
 * rule matches; `undefined` for a frame with neither (a builtin: charge it to an ancestor).
 */
export function layerOf(frame: CallFrame, layers: ReadonlyArray<readonly [string, RegExp]>): string | undefined {
  const key = frame.url || (frame.functionName.startsWith('(') ? frame.functionName : '');
  if (!key) return undefined;
  for (const [name, re] of layers) if (re.test(key)) return name;
  return 'other JS';
}

/** A `.cpuprofile` read from disk, its nodes by id and each node's parent (root: none). */
export interface ProfileTree { profile: Profile; byId: Map<number, ProfileNode>; parent: Map<number, number> }

/** Reads and parses the `.cpuprofile` at `file` (throws on a missing file or bad JSON) and indexes its tree. */
export function readProfileTree(file: string): ProfileTree {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  return { profile, byId, parent };
}

/** `layerOfNode` with one computation per node id (a profile samples the same nodes many times). */
export function memoizedByNode(layerOfNode: (id: number) => string): (id: number) => string {
  const cache = new Map<number, string>();
  return (id) => {
    const cached = cache.get(id);
    if (cached !== undefined) return cached;
    const layer = layerOfNode(id);
    cache.set(id, layer);
    return layer;
  };
}
