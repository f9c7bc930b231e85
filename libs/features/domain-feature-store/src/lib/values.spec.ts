import { coerceValue, parseTimestamp } from './values';

describe('parseTimestamp', () => {
  it('honours offsets, reads naive values as UTC, accepts epoch ms', () => {
    expect(parseTimestamp('2024-03-01T11:00:00+01:00')?.toISOString()).toBe('2024-03-01T10:00:00.000Z');
    expect(parseTimestamp('2024-03-01 10:00:00')?.toISOString()).toBe('2024-03-01T10:00:00.000Z');
    expect(parseTimestamp('2024-03-01T10:00Z')?.toISOString()).toBe('2024-03-01T10:00:00.000Z');
    expect(parseTimestamp('2024-03-01T10:00:00.123456-0530')?.toISOString()).toBe('2024-03-01T15:30:00.123Z');
    expect(parseTimestamp(1709287200000)?.toISOString()).toBe('2024-03-01T10:00:00.000Z');
  });
  it('rejects malformed values', () => {
    for (const v of ['yesterday', '2024-13-45T00:00:00Z', '2024-03-01', '', '2024-03-01T25:00:00Z', null, true, NaN]) expect(parseTimestamp(v)).toBeNull();
  });
});

describe('coerceValue', () => {
  it('checks each value type', () => {
    expect(coerceValue('INT64', '42')).toEqual({ ok: true, value: 42 });
    expect(coerceValue('INT64', 1.5)).toEqual({ ok: false });
    expect(coerceValue('INT64', 'abc')).toEqual({ ok: false });
    expect(coerceValue('INT32', 2 ** 31)).toEqual({ ok: false });
    expect(coerceValue('INT32', -(2 ** 31))).toEqual({ ok: true, value: -(2 ** 31) });
    expect(coerceValue('FLOAT64', '2.5')).toEqual({ ok: true, value: 2.5 });
    expect(coerceValue('FLOAT64', true)).toEqual({ ok: false });
    expect(coerceValue('STRING', 7)).toEqual({ ok: true, value: '7' });
    expect(coerceValue('BOOL', 'true')).toEqual({ ok: false });
    expect(coerceValue('TIMESTAMP', '2024-03-01T11:00:00+01:00')).toEqual({ ok: true, value: '2024-03-01T10:00:00.000Z' });
    expect(coerceValue('TIMESTAMP', 'later')).toEqual({ ok: false });
    expect(coerceValue('INT64', null)).toEqual({ ok: true, value: null });
  });
});
