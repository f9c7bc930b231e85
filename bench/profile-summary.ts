/**
 * Summarizes a V8 `.cpuprofile` (from `node --cpu-prof`) per LAYER of a request (startup's module
 * loading and idle time left out): each sample's
 * self time is charged to the layer of its frame, where a frame without a source file (a builtin
 * such as JSON.stringify, a native call) is charged to the nearest ancestor that has one. Prints
 * the share of busy (non-idle) time per layer and the top self-time functions.
 *   node -r @swc-node/register bench/profile-summary.ts <file.cpuprofile> [--top 25]
 */
import { layerOf, memoizedByNode, readProfileTree } from './util/cpu-profile';


/** Layer rules, first match wins (by source URL, then by function name for V8's pseudo-frames). */
const LAYERS: Array<[string, RegExp]> = [
  ['idle', /^\(idle\)$/],
  ['gc', /^\(garbage collector\)$/],
  ['startup (module loading, swc)', /node:internal\/modules|node:internal\/bootstrap|@swc|source-map|^\(program\)$/],
  ['auth (guard, key cache, rate limit)', /security\/|libs\/shared\/auth\/|rate-limiter-flexible|jose/],
  ['request logging (pino, pino-http)', /pino|sonic-boom|nestjs-pino|fast-redact|safe-stable-stringify/],
  ['metrics (prom-client)', /prom-client|metrics\//],
  ['validation (zod, OIP checks)', /\/zod\/|oip-validation|oip\.types|zod-body|storable-input|parse-with/],
  ['prediction log + outbox (typeorm, pg)', /prediction-logger|typeorm|\/pg\/|\/pg-|libs\/messaging/],
  ['kafka (kafkajs)', /kafkajs/],
  ['onnxruntime', /onnxruntime|loaded-model|dynamic-batcher/],
  ['serving logic', /libs\/serving\//],
  ['features logic', /libs\/features\//],
  ['nest pipeline (router, guards, interceptors, rxjs)', /@nestjs|rxjs|reflect-metadata/],
  ['fastify (routing, hooks, reply)', /fastify|find-my-way|avvio|light-my-request|fast-json-stringify|secure-json-parse/],
  ['node http / net / streams', /^node:|internal\//],
  ['redis', /@redis|redis/],
];


function main(): void {
  const file = process.argv[2];
  if (!file) throw new Error('usage: profile-summary.ts <file.cpuprofile> [--top N]');
  const topIdx = process.argv.indexOf('--top');
  const TOP = topIdx > 0 ? Number(process.argv[topIdx + 1]) : 25;
  const { profile, byId, parent } = readProfileTree(file);
  const resolve = memoizedByNode((id) => {
    let cur: number | undefined = id;
    let layer: string | undefined;
    while (cur !== undefined && layer === undefined) {
      layer = layerOf(byId.get(cur)!.callFrame, LAYERS);
      cur = parent.get(cur);
    }
    return layer ?? 'program/other';
  });
  const perLayer = new Map<string, number>();
  const perFn = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    const layer = resolve(id);
    perLayer.set(layer, (perLayer.get(layer) ?? 0) + dt);
    if (layer !== 'idle' && !layer.startsWith('startup')) {
      total += dt;
      const f = byId.get(id)!.callFrame;
      const name = `${f.functionName || '(anonymous)'} ${f.url.replace(/^.*node_modules\//, '').replace(/^.*\/(libs|apps)\//, '$1/')}:${f.lineNumber + 1}`;
      perFn.set(name, (perFn.get(name) ?? 0) + dt);
    }
  });
  const ms = (us: number): string => (us / 1000).toFixed(0).padStart(7);
  const startup = [...perLayer].filter(([l]) => l.startsWith('startup')).reduce((a, [, us]) => a + us, 0);
  process.stdout.write(`${file}\nbusy CPU after startup: ${(total / 1e6).toFixed(2)} s (startup: module loading ${(startup / 1e6).toFixed(2)} s; idle ${((perLayer.get('idle') ?? 0) / 1e6).toFixed(2)} s)\n\nlayer                                              |  self ms | share of busy\n`);
  for (const [layer, us] of [...perLayer].filter(([l]) => l !== 'idle' && !l.startsWith('startup')).sort((a, b) => b[1] - a[1])) {
    process.stdout.write(`${layer.padEnd(50)} | ${ms(us)}  | ${((100 * us) / total).toFixed(1).padStart(5)} %\n`);
  }
  process.stdout.write(`\ntop ${TOP} functions by self time\n`);
  for (const [fn, us] of [...perFn].sort((a, b) => b[1] - a[1]).slice(0, TOP)) process.stdout.write(`${ms(us)} ms ${((100 * us) / total).toFixed(1).padStart(5)} %  ${fn}\n`);
}

main();
