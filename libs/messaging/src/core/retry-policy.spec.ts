import { backoffDelayMs, isRetryable, validateRetryPolicy } from './retry-policy';

describe('backoffDelayMs', () => {
  const policy = { attempts: 5, initialBackoffMs: 100, maxBackoffMs: 1000, jitter: 0 };

  it('doubles from initialBackoffMs and caps at maxBackoffMs', () => {
    expect([2, 3, 4, 5, 6, 7].map((a) => backoffDelayMs(policy, a))).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('applies bounded jitter', () => {
    const p = { ...policy, jitter: 0.5 };
    expect(backoffDelayMs(p, 2, () => 0)).toBe(50);
    expect(backoffDelayMs(p, 2, () => 0.999999)).toBe(150);
    expect(backoffDelayMs(p, 10, () => 0.999999)).toBe(1000);
  });

  it('survives huge attempt numbers', () => {
    expect(backoffDelayMs(policy, 10_000)).toBe(1000);
  });
});

describe('isRetryable', () => {
  it('retries unknown errors and retryable: true, not retryable: false', () => {
    expect(isRetryable(new Error('boom'))).toBe(true);
    expect(isRetryable(Object.assign(new Error('x'), { retryable: true }))).toBe(true);
    expect(isRetryable(Object.assign(new Error('x'), { retryable: false }))).toBe(false);
    expect(isRetryable('string thrown')).toBe(true);
    expect(isRetryable(null)).toBe(true);
  });
});

describe('validateRetryPolicy', () => {
  it('rejects nonsense', () => {
    expect(() => validateRetryPolicy({ attempts: 0, initialBackoffMs: 1, maxBackoffMs: 1 })).toThrow(/attempts/);
    expect(() => validateRetryPolicy({ attempts: 1, initialBackoffMs: 10, maxBackoffMs: 1 })).toThrow(/maxBackoffMs/);
  });
});
