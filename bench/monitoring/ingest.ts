/**
 * Benchmark: the incremental aggregation on the real PostgreSQL (DATABASE_URL or .stack/env):
 * N predictions (5 numeric features, the taxi demo's shape) stored one transaction each (the
 * consumer's per-event work), folded into counters by `AggregationService.catchUp()` (batches
 * of 5000), then N feedback labels likewise, then a month report read back from the counters.
 * Creates and drops its own schema.
 *
 *   node -r @swc-node/register bench/monitoring/ingest.ts [--n 2000]
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DataSource } from 'typeorm';
import { MONITORING_ENTITIES, MONITORING_MIGRATIONS } from '../../libs/monitoring/data-access/src/index';
import { AggregationService } from '../../libs/monitoring/domain-monitoring/src/lib/aggregation.service';
import { CounterSet, driftFromCounters, performanceFromCounters } from '../../libs/monitoring/domain-monitoring/src/lib/aggregates';
import type { ReferenceProfileService } from '../../libs/monitoring/domain-monitoring/src/lib/reference-profile.service';
import { buildReferenceProfile } from '../../libs/shared/util-drift/src/index';

function databaseUrl(): string {
  if (process.env['DATABASE_URL']) return process.env['DATABASE_URL'];
  const env = fs.readFileSync(path.join(__dirname, '../../.stack/env'), 'utf8');
  const m = /DATABASE_URL=(\S+)/.exec(env);
  if (!m) throw new Error('DATABASE_URL not set and not in .stack/env');
  return m[1]!.replace(/^["']|["']$/g, '');
}

async function main(): Promise<void> {
  const i = process.argv.indexOf('--n');
  const n = i >= 0 ? Number(process.argv[i + 1]) : 2000;
  const schema = `bench_monitoring_${process.pid}`;
  const admin = new DataSource({ type: 'postgres', url: databaseUrl() });
  await admin.initialize();
  await admin.query(`CREATE SCHEMA "${schema}"`);
  const ds = new DataSource({ type: 'postgres', url: databaseUrl(), schema, entities: MONITORING_ENTITIES, migrations: MONITORING_MIGRATIONS, migrationsRun: true });
  await ds.initialize();
  try {
    const names = ['trips_24h', 'mean_fare_24h', 'card_share_7d', 'mean_tip_rate_7d', 'pickup_hour'];
    const cols: Record<string, number[]> = {};
    names.forEach((f, k) => (cols[f] = Array.from({ length: 10_000 }, (_, j) => ((j * 7919 + k * 104729) % 10_007) / 100)));
    const stored = { profile: buildReferenceProfile(cols), sha256: 'x'.repeat(64) };
    const profiles = { get: async () => stored } as unknown as ReferenceProfileService;
    const agg = new AggregationService(ds, profiles, { countBlockSize: 100 } as never);
    // the consumer's per-event work: one prediction insert per transaction (inbox-like)
    const t0 = performance.now();
    for (let j = 0; j < n; j++) {
      const features = Object.fromEntries(names.map((f, k) => [f, ((j * 31 + k * 17) % 1000) / 10]));
      const eventTime = `2020-02-${String(1 + (j % 28)).padStart(2, '0')}T00:00:00.000Z`;
      await ds.transaction(async (m) => {
        await m.query(`INSERT INTO "${schema}"."prediction" (prediction_id, model_name, model_version, alias, features, probability, event_time, predicted_at, latency_ms) VALUES ($1,'m',1,'champion',$2,$3,$4,$5,$6)`, [`p-${j}`, features, (j % 97) / 97, eventTime, '2020-02-03T00:00:00.000Z', 1 + (j % 13)]);
      });
    }
    const tBase = performance.now() - t0;
    const ta = performance.now();
    const counted = await agg.catchUp();
    const tPred = performance.now() - ta;
    for (let j = 0; j < n; j++) {
      await ds.query(`INSERT INTO "${schema}"."feedback" (prediction_id, observed_at, model_name, label) VALUES ($1,$2,'m',$3)`, [`p-${j}`, '2020-03-01T00:00:00.000Z', j % 3 === 0 ? 1 : 0]);
    }
    const t1 = performance.now();
    const labels = await agg.catchUp();
    const tFb = performance.now() - t1;
    const t2 = performance.now();
    const rows = await agg.read('m', 'd:');
    const c = new CounterSet();
    for (const r of rows) c.add(r.metric, r.bucket, r.n, r.s);
    const drift = driftFromCounters(stored.profile, c, { psiThreshold: 0.1, driftShare: 0.5 });
    const perf = performanceFromCounters(c);
    const tRep = performance.now() - t2;
    const counters = (await ds.query(`SELECT count(*)::int AS c FROM "${schema}"."window_counter"`)) as Array<{ c: number }>;
    console.log(`PostgreSQL incremental aggregation, ${n} predictions × 5 features (1 transaction per event, like the inbox)`);
    console.log(`consumer insert (per event, unchanged): ${(tBase / n).toFixed(2)} ms/event`);
    console.log(`aggregation of ${counted.predictions} predictions: ${tPred.toFixed(0)} ms (${(tPred / n).toFixed(3)} ms/prediction, ${((n / tPred) * 1000).toFixed(0)}/s)`);
    console.log(`aggregation of ${labels.labels} labels: ${tFb.toFixed(0)} ms (${(tFb / n).toFixed(3)} ms/label, ${((n / tFb) * 1000).toFixed(0)}/s)`);
    console.log(`month report from ${rows.length} counter rows (${counters[0]!.c} stored): ${tRep.toFixed(0)} ms; labeled ${perf.labeledCount}, tested ${drift.testedCount}`);
  } finally {
    await ds.destroy();
    await admin.query(`DROP SCHEMA "${schema}" CASCADE`);
    await admin.destroy();
  }
}

void main();
