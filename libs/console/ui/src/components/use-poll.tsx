import { useEffect, useState, type DependencyList } from 'react';
import type { Loaded } from './use-load';

/**
 * Like `useLoad`, and reloads every `intervalMs` (0: never) while the page is open, keeping the
 * last answer on screen while the next one loads (no flicker). The latest call wins.
 * `reload()` loads at once (e.g. after an action).
 */
export function usePoll<T>(load: () => Promise<T>, deps: DependencyList, intervalMs: number): { loaded: Loaded<T>; reload: () => void; updatedAt: number | undefined } {
  const [result, setResult] = useState<Loaded<T>>({ state: 'loading' });
  const [tick, setTick] = useState(0);
  const [updatedAt, setUpdatedAt] = useState<number | undefined>();
  useEffect(() => {
    setResult({ state: 'loading' });
  }, deps);
  useEffect(() => {
    let current = true;
    load().then(
      (data) => {
        if (!current) return;
        setResult({ state: 'ok', data });
        setUpdatedAt(Date.now());
      },
      (error: unknown) => current && setResult({ state: 'error', error }),
    );
    const timer = intervalMs > 0 ? setTimeout(() => setTick((t) => t + 1), intervalMs) : undefined;
    return () => {
      current = false;
      if (timer) clearTimeout(timer);
    };
  }, [...deps, tick]);
  return { loaded: result, reload: () => setTick((t) => t + 1), updatedAt };
}
