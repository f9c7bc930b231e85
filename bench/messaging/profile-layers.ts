/**
 * Splits a messaging benchmark `.cpuprofile` (`node --cpu-prof`) by layer: each sample's self time
 * is charged to the nearest frame (itself or an ancestor) that belongs to a known layer, so a
 * builtin (JSON.parse, Buffer ops, a socket write) counts for the code that called it. Prints %
 * of busy time.
 *   node -r @swc-node/register bench/messaging/profile-layers.ts <file.cpuprofile>
 */
import { layerOf, memoizedByNode, readProfileTree, type ProfileNode } from '../util/cpu-profile';


const NODE = 'node net / streams / timers';

const LAYERS: Array<[string, RegExp]> = [
  ['idle', /^\(idle\)$/],
  ['gc', /^\(garbage collector\)$/],
  ['startup (module loading, swc)', /node:internal\/modules|node:internal\/bootstrap|@swc|source-map|^\(program\)$/],
  ['publisher (outbox insert: validation, headers)', /messaging\/src\/core\/publisher|contracts\//],
  ['relay (outbox poll, send, mark)', /messaging\/src\/core\/relay/],
  ['consumer (decode, inbox, handler loop)', /messaging\/src\/core\/(consumer|batch)/],
  ['zod (schema checks)', /\/zod\//],
  ['typeorm (transactions, query runner)', /typeorm/],
  ['pg driver (protocol, parsing)', /\/pg\/|\/pg-/],
  ['kafkajs producer', /kafkajs\/src\/producer/],
  ['kafkajs consumer', /kafkajs\/src\/consumer/],
  ['kafkajs protocol/network', /kafkajs/],
  ['benchmark harness', /bench\//],
  [NODE, /^node:|internal\//],
];


function main(): void {
  const file = process.argv[2];
  if (!file) throw new Error('usage: profile-layers.ts <file.cpuprofile>');
  const { profile: p, byId, parent } = readProfileTree(file);
  const resolve = memoizedByNode((id) => {
    // Node's own frames (socket writes, streams) are charged to the library that called them, if any.
    let layer: string | undefined;
    let weak: string | undefined;
    for (let cur: number | undefined = id; cur !== undefined && !layer; cur = parent.get(cur)) {
      const l = layerOf((byId.get(cur) as ProfileNode).callFrame, LAYERS);
      if (l === NODE) weak ??= l;
      else layer = l;
    }
    return layer ?? weak ?? 'other';
  });
  const totals = new Map<string, number>();
  p.samples.forEach((id, i) => totals.set(resolve(id), (totals.get(resolve(id)) ?? 0) + (p.timeDeltas[i] ?? 0)));
  const skip = new Set(['idle', 'startup (module loading, swc)']);
  const busy = [...totals].filter(([k]) => !skip.has(k)).reduce((s, [, v]) => s + v, 0);
  process.stdout.write(`busy CPU ${(busy / 1e6).toFixed(2)} s (idle ${((totals.get('idle') ?? 0) / 1e6).toFixed(2)} s)\n`);
  for (const [k, v] of [...totals].filter(([k]) => !skip.has(k)).sort((a, b) => b[1] - a[1])) {
    process.stdout.write(`${((100 * v) / busy).toFixed(1).padStart(5)}%  ${(v / 1e6).toFixed(2).padStart(6)} s  ${k}\n`);
  }
}

main();
