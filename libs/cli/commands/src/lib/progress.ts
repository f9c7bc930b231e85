import { SingleBar } from 'cli-progress';
import type { Output } from './output';

/**
 * Progress of long work on stderr: a cli-progress bar on a terminal, else one line per change
 * (CI logs, pipes); nothing under `--json` except when stderr is a terminal.
 */
export interface Progress {
  update(fraction: number, status: string): void;
  stop(final?: string): void;
}

export function progress(out: Output, title: string): Progress {
  if (out.interactive) {
    const bar = new SingleBar({ format: `${title} [{bar}] {percentage}% {status}`, hideCursor: true, clearOnComplete: false, stream: process.stderr });
    bar.start(100, 0, { status: '' });
    return {
      update: (f, status) => bar.update(Math.round(Math.max(0, Math.min(1, f)) * 100), { status }),
      stop: (final) => {
        bar.stop();
        if (final) out.note(final);
      },
    };
  }
  let last = '';
  return {
    update: (f, status) => {
      const text = `${title}: ${Math.round(Math.max(0, Math.min(1, f)) * 100)}% ${status}`;
      if (text !== last) out.note(text);
      last = text;
    },
    stop: (final) => {
      if (final) out.note(final);
    },
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Polls `read` every `intervalMs` until `done` holds, for at most `timeoutMs` (then throws naming
 * `what` and the last state).
 */
export async function pollUntil<T>(read: () => Promise<T>, done: (v: T) => boolean, opts: { intervalMs: number; timeoutMs: number; what: string; onValue?: (v: T) => void }): Promise<T> {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    const v = await read();
    opts.onValue?.(v);
    if (done(v)) return v;
    if (Date.now() > deadline) throw new Error(`${opts.what} not finished after ${Math.round(opts.timeoutMs / 1000)} s (last state ${JSON.stringify(v).slice(0, 200)})`);
    await sleep(opts.intervalMs);
  }
}
