import { OffsetLagTracker } from './offset-lag';

describe('OffsetLagTracker', () => {
  it('sums highWatermark − next offset over the partitions seen, newest time, per group', () => {
    const lag = new OffsetLagTracker();
    expect(lag.of('monitoring')).toBeUndefined();
    lag.observe('monitoring', 'strata.serving.prediction-logged.v1', 0, '1500', '1200', Date.parse('2026-12-07T10:00:00.000Z'));
    lag.observe('monitoring', 'strata.serving.prediction-logged.v1', 1, '900', '900', Date.parse('2026-12-07T10:00:02.000Z'));
    lag.observe('monitoring', 'strata.registry.model-version-created.v1', 0, '7', '5', Date.parse('2026-12-07T10:00:01.000Z'));
    // a later batch of partition 0 replaces its value
    lag.observe('monitoring', 'strata.serving.prediction-logged.v1', 0, '1600', '1550', Date.parse('2026-12-07T10:00:01.500Z'));
    lag.observe('serving', 'strata.registry.alias-changed.v1', 0, '3', '1', Date.parse('2026-12-07T10:00:00.000Z'));
    expect(lag.of('monitoring')).toEqual({ records: 52, partitions: 3, at: '2026-12-07T10:00:02.000Z' });
    expect(lag.of('serving')).toEqual({ records: 2, partitions: 1, at: '2026-12-07T10:00:00.000Z' });
  });

  it('clamps at 0, ignores a batch with nothing to read next or unparsable offsets, and forgets a group on reset', () => {
    const lag = new OffsetLagTracker();
    lag.observe('g', 't', 0, '10', '12', 0);
    lag.observe('g', 't', 1, '10', undefined, 0);
    lag.observe('g', 't', 2, 'x', '1', 0);
    expect(lag.of('g')).toEqual({ records: 0, partitions: 1, at: '1970-01-01T00:00:00.000Z' });
    lag.reset('g');
    expect(lag.of('g')).toBeUndefined();
  });
});
