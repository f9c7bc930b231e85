import { PeriodicPass } from './periodic-pass';

describe('PeriodicPass', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('runs a pass every interval after the previous one ended, logs a failure and keeps going, stops on stop()', async () => {
    const warnings: unknown[][] = [];
    let runs = 0;
    const pass = new PeriodicPass(
      async () => {
        runs += 1;
        if (runs === 2) throw new Error('postgres down');
      },
      { warn: (...args: unknown[]) => void warnings.push(args) },
      'test pass failed',
    );
    pass.start(100);
    await jest.advanceTimersByTimeAsync(99);
    expect(runs).toBe(0);
    await jest.advanceTimersByTimeAsync(1);
    expect(runs).toBe(1);
    await jest.advanceTimersByTimeAsync(100);
    expect(runs).toBe(2);
    expect(warnings).toEqual([[{ err: 'postgres down' }, 'test pass failed']]);
    await jest.advanceTimersByTimeAsync(100);
    expect(runs).toBe(3);
    expect(pass.stopped).toBe(false);
    pass.stop();
    expect(pass.stopped).toBe(true);
    await jest.advanceTimersByTimeAsync(1000);
    expect(runs).toBe(3);
  });

  it('never runs with an interval of 0', async () => {
    let runs = 0;
    const pass = new PeriodicPass(async () => void (runs += 1), { warn: () => undefined }, 'x');
    pass.start(0);
    await jest.advanceTimersByTimeAsync(10_000);
    expect(runs).toBe(0);
    pass.stop();
  });
});
