import type { Materialization, Watermark } from '@strata/contracts/api';
import { entityRows, featureServiceRows, featureViewRows, formatDuration } from './features';

const NOW = Date.parse('2024-03-10T12:00:00.000Z');

function run(featureView: string, startedAt: string, over: Partial<Materialization> = {}): Materialization {
  return {
    id: `m-${featureView}-${startedAt}`,
    featureView,
    status: 'SUCCEEDED',
    mode: 'incremental',
    rowCount: 1200,
    onlineRowCount: 300,
    offlineUri: null,
    offlineSha256: null,
    startTime: '2024-03-01T00:00:00.000Z',
    endTime: startedAt,
    minEventTime: null,
    maxEventTime: null,
    datasetVersions: [],
    trigger: 'api:incremental',
    error: null,
    startedAt,
    completedAt: startedAt.replace(':00.000Z', ':30.000Z'),
    ...over,
  };
}

const wm = (featureView: string, maxEventTime: string): Watermark => ({ featureView, maxEventTime, materializedUntil: '2024-03-10T00:00:00.000Z', materializationId: 'm-1', updatedAt: '2024-03-10T01:00:00.000Z' });

describe('data pages mapping: feature views, entities, feature services', () => {
  const views = [
    { kind: 'feature_view', name: 'driver_hourly', entities: ['driver_id'], ttlSeconds: 86_400, source: { datasetName: 'driver_stats' }, features: [{ name: 'conv_rate', dtype: 'FLOAT64' }, { name: 'avg_daily_trips', dtype: 'INT64' }] },
    { kind: 'feature_view', name: 'person_profile', entities: ['person_id'], ttlSeconds: 0, source: { datasetName: 'adult_people' }, features: [{ name: 'age', dtype: 'INT64' }] },
    { kind: 'feature_view', name: 'driver_weekly', entities: ['driver_id'], ttlSeconds: 3600, source: { datasetName: 'driver_stats' }, features: [{ name: 'trips_7d', dtype: 'INT64' }] },
    { kind: 'on_demand_feature_view', name: 'age_bucket', requestSchema: [{ name: 'age', dtype: 'INT64' }], features: [{ name: 'bucket', dtype: 'STRING' }] },
  ];

  it('shows each view with its watermark, age, last materialization and freshness against its TTL', () => {
    const watermarks = new Map<string, Watermark | null>([
      ['driver_hourly', wm('driver_hourly', '2024-03-10T09:00:00.000Z')], // 3 h old, TTL 1 day → fresh
      ['person_profile', wm('person_profile', '2024-01-01T00:00:00.000Z')], // old but no TTL → fresh
      ['driver_weekly', null], // never materialized successfully
    ]);
    const runs = [
      run('driver_hourly', '2024-03-10T09:05:00.000Z'),
      run('driver_hourly', '2024-03-09T09:05:00.000Z', { status: 'FAILED', error: 'online store: redis unreachable' }),
      run('driver_weekly', '2024-03-10T10:00:00.000Z', { status: 'FAILED', mode: 'full', rowCount: null, completedAt: null, error: "no known version of dataset 'driver_stats'" }),
    ];
    const rows = featureViewRows(views, watermarks, runs, NOW);
    expect(rows.map((r) => [r.name, r.kind, r.freshness])).toEqual([
      ['age_bucket', 'on-demand', 'on-demand'],
      ['driver_hourly', 'batch', 'fresh'],
      ['driver_weekly', 'batch', 'never'],
      ['person_profile', 'batch', 'fresh'],
    ]);
    expect(rows[1]).toEqual({
      name: 'driver_hourly',
      kind: 'batch',
      entities: 'driver_id',
      features: ['conv_rate: FLOAT64', 'avg_daily_trips: INT64'],
      source: 'driver_stats',
      ttl: '1d',
      watermark: '2024-03-10 09:00',
      materializedUntil: '2024-03-10 00:00',
      watermarkAge: '3h',
      lastMaterialization: 'SUCCEEDED incremental, 2024-03-10 09:05, 1200 rows',
      lastStatus: 'SUCCEEDED',
      lastError: null,
      freshness: 'fresh',
    });
    expect(rows[2]).toMatchObject({ ttl: '1h', watermark: '—', watermarkAge: '—', lastMaterialization: 'FAILED full, 2024-03-10 10:00', lastStatus: 'FAILED', lastError: "no known version of dataset 'driver_stats'" });
    expect(rows[3]).toMatchObject({ ttl: 'none', watermarkAge: '69d 12h', lastMaterialization: 'never' });
    expect(rows[0]).toMatchObject({ entities: '—', source: '—', ttl: '—', watermarkAge: '—' });
  });

  it('marks a view stale when its watermark is older than its TTL', () => {
    const rows = featureViewRows([views[2]!], new Map([['driver_weekly', wm('driver_weekly', '2024-03-10T10:30:00.000Z')]]), [], NOW);
    expect([rows[0]!.watermarkAge, rows[0]!.freshness]).toEqual(['1h 30m', 'stale']);
  });

  it('formats durations with their two largest units', () => {
    expect([formatDuration(0), formatDuration(40_000), formatDuration(3_723_000), formatDuration(90_061_000)]).toEqual(['0s', '40s', '1h 2m', '1d 1h']);
  });

  it('lists entities and feature services, grouping a service’s features by view', () => {
    expect(entityRows([{ name: 'person', joinKey: 'person_id', valueType: 'INT64' }, { name: 'driver', joinKey: 'driver_id', valueType: 'INT64', description: 'a driver' }])).toEqual([
      { name: 'driver', joinKey: 'driver_id', valueType: 'INT64', description: 'a driver' },
      { name: 'person', joinKey: 'person_id', valueType: 'INT64', description: '—' },
    ]);
    expect(featureServiceRows([{ name: 'driver_ranking', features: ['driver_hourly:conv_rate', 'driver_weekly:trips_7d', 'driver_hourly:avg_daily_trips'] }])).toEqual([
      { name: 'driver_ranking', description: '—', featureCount: 3, byView: ['driver_hourly: conv_rate, avg_daily_trips', 'driver_weekly: trips_7d'] },
    ]);
  });
});
