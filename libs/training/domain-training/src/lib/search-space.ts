import { InvalidArgumentError } from '@strata/shared/util-errors';
import { mulberry32 } from '@strata/shared/util-random';
import type { SearchDimension } from './training-runs.dto';

/** A trial's sampled values. */
export type TrialParams = Record<string, number | string | boolean>;

/** mulberry32 (`@strata/shared/util-random`): a small seeded PRNG (uniform in [0, 1)); the same seed gives the same trials. */
export const seededRandom: (seed: number) => () => number = mulberry32;

/**
 * Trials of a search space, in order.
 *
 * - `grid`: the Cartesian product of every dimension's `values` (keys in declaration order, the
 *   last key varying fastest); a range dimension → 400; more than `maxTrials` (default 200)
 *   combinations → 400.
 * - `random`: `maxTrials` (default 10) draws; `values` → uniform choice, `{min,max}` → uniform,
 *   `scale: 'log'` → exp(uniform(ln min, ln max)), `type: 'int'` → floor into [min, max].
 *   Seeded (mulberry32, default seed 0), so a request is reproducible.
 */
export function generateTrials(space: Record<string, SearchDimension>, strategy: 'grid' | 'random', maxTrials?: number, seed = 0): TrialParams[] {
  const keys = Object.keys(space);
  if (strategy === 'grid') {
    for (const k of keys) if (!('values' in space[k]!)) throw new InvalidArgumentError(`search.space.${k}: grid search needs { values: [...] }, not a range`);
    const cap = maxTrials ?? 200;
    const total = keys.reduce((n, k) => n * (space[k] as { values: unknown[] }).values.length, 1);
    if (total > cap) throw new InvalidArgumentError(`search.space: the grid has ${total} combinations, more than search.maxTrials ${cap}`);
    let combos: TrialParams[] = [{}];
    for (const k of keys) {
      const values = (space[k] as { values: Array<number | string | boolean> }).values;
      combos = combos.flatMap((c) => values.map((v) => ({ ...c, [k]: v })));
    }
    return combos;
  }
  const rand = seededRandom(seed);
  const n = maxTrials ?? 10;
  const trials: TrialParams[] = [];
  for (let i = 0; i < n; i++) {
    const t: TrialParams = {};
    for (const k of keys) {
      const d = space[k]!;
      if ('values' in d) t[k] = d.values[Math.floor(rand() * d.values.length)]!;
      else {
        const u = rand();
        let v = d.scale === 'log' ? Math.exp(Math.log(d.min) + u * (Math.log(d.max) - Math.log(d.min))) : d.min + u * (d.max - d.min);
        if (d.type === 'int') v = Math.min(Math.floor(v), Math.floor(d.max));
        t[k] = v;
      }
    }
    trials.push(t);
  }
  return trials;
}
