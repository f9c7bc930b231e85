import { Logger } from '@nestjs/common';
import { IntegrityError, UnavailableError } from '@strata/shared/util-errors';
import { LatestChangeApplier } from './latest-change-applier';

/** A logger that records what it was told (no output). */
function quietLogger(): Logger & { lines: Array<[string, string]> } {
  const lines: Array<[string, string]> = [];
  const l = new Logger('test') as Logger & { lines: Array<[string, string]> };
  l.lines = lines;
  l.warn = (_ctx: unknown, msg?: string) => void lines.push(['warn', String(msg)]);
  l.error = (_ctx: unknown, msg?: string) => void lines.push(['error', String(msg)]);
  return l;
}

describe('LatestChangeApplier (serving: one retry policy for alias and rollout changes)', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('retries a transient failure with 1 s doubling to 30 s, until it succeeds', async () => {
    const logger = quietLogger();
    const attempts: number[] = [];
    let failures = 7;
    const applier = new LatestChangeApplier<string>('change', logger, async () => {
      attempts.push(Date.now());
      if (failures-- > 0) throw new UnavailableError('object store down');
    }, (e) => ({ e }));
    const start = Date.now();
    await applier.submit('m', 'v2');
    expect(applier.pendingKeys()).toEqual(['m']);
    for (let i = 0; i < 7; i++) await jest.advanceTimersToNextTimerAsync();
    expect(attempts.map((t) => t - start)).toEqual([0, 1000, 3000, 7000, 15000, 31000, 61000, 91000]);
    expect(applier.pendingKeys()).toEqual([]);
    expect(logger.lines.filter(([lvl]) => lvl === 'warn')).toHaveLength(7);
  });

  it('drops a change that can never be served (non-retryable), logged as an error', async () => {
    const logger = quietLogger();
    let calls = 0;
    const applier = new LatestChangeApplier<string>('change', logger, async () => {
      calls++;
      throw new IntegrityError('sha256 mismatch');
    }, () => ({}));
    await applier.submit('m', 'v3');
    await jest.runAllTimersAsync();
    expect(calls).toBe(1);
    expect(applier.pendingKeys()).toEqual([]);
    expect(logger.lines).toEqual([['error', 'change not applied: it cannot be served']]);
  });

  it('a newer change of the same key supersedes the pending retry; other keys are independent', async () => {
    const applied: string[] = [];
    const down = new Set(['a1', 'b1']);
    const applier = new LatestChangeApplier<string>('change', quietLogger(), async (e) => {
      if (down.has(e)) throw new UnavailableError('down');
      applied.push(e);
    }, () => ({}));
    await applier.submit('a', 'a1');
    await applier.submit('b', 'b1');
    await applier.submit('a', 'a2');
    down.clear();
    await jest.runAllTimersAsync();
    expect(applied).toEqual(['a2', 'b1']);
  });

  it('an attempt still running when a newer change arrives sees isCurrent() turn false', async () => {
    let release: () => void = () => undefined;
    const seen: Array<[string, boolean]> = [];
    const applier = new LatestChangeApplier<string>('change', quietLogger(), async (e, isCurrent) => {
      if (e === 'old') await new Promise<void>((r) => (release = r));
      seen.push([e, isCurrent()]);
    }, () => ({}));
    const first = applier.submit('m', 'old');
    await applier.submit('m', 'new');
    release();
    await first;
    expect(seen).toEqual([['new', true], ['old', false]]);
  });

  it('stop() cancels pending retries', async () => {
    let calls = 0;
    const applier = new LatestChangeApplier<string>('change', quietLogger(), async () => {
      calls++;
      throw new UnavailableError('down');
    }, () => ({}));
    await applier.submit('m', 'x');
    applier.stop();
    await jest.runAllTimersAsync();
    expect(calls).toBe(1);
  });
});
