/**
 * Benchmark: registry search latency (p50/p95/p99) with 10 000 registered models × 100 versions
 * (1 000 000 `model_version` rows, each with signature/metrics/lineage jsonb, 10 000 aliases),
 * bulk-loaded with SQL (`generate_series`) into a throwaway PostgreSQL schema migrated by the
 * registry's own migrations. The registry app (as in production: PlatformModule, messaging,
 * RegistryModule) listens on 127.0.0.1:26950 and is queried over HTTP with `fetch`, sequentially
 * (one client), after a warm-up.
 *
 *   node -r @swc-node/register bench/registry/search.ts [--models 10000] [--versions 100] [--iterations 300]
 *
 * Needs DATABASE_URL / KAFKA_BROKERS (e.g. `set -a; . .stack/env`). Drops its schema at the end.
 */
import 'reflect-metadata';
import { Test } from '@nestjs/testing';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppErrorFilter, DatabaseService } from '@strata/shared/nest-platform';
import * as os from 'node:os';
import { DataSource } from 'typeorm';
import { AppModule } from '../../apps/registry/src/app.module';
import { loadRegistryConfig } from '../../apps/registry/src/config';
import { arg } from '../util/cli';

const MODELS = Number(arg('models', '10000'));
const VERSIONS = Number(arg('versions', '100'));
const ITERATIONS = Number(arg('iterations', '300'));
const PORT = 26950;
function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

/**
 * Starts the registry app on 127.0.0.1:`port` in a throwaway schema and bulk-loads `models` ×
 * `versions`; `close` stops it and drops the schema. Exported for bench/registry/search-vs-mlflow.ts.
 */
export async function startLoadedRegistry(models: number, versions: number, port: number): Promise<{ base: string; schema: string; loadS: number; close: () => Promise<void> }> {
  const MODELS = models;
  const VERSIONS = versions;
  const PORT = port;
  const schema = `registry_bench_${Date.now().toString(36)}`;
  const config = loadRegistryConfig({ ...process.env, REGISTRY_DB_SCHEMA: schema, LOG_LEVEL: 'warn' });
  const moduleRef = await Test.createTestingModule({ imports: [AppModule.forConfig(config)] }).compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), { logger: ['error'] });
  app.useGlobalFilters(new AppErrorFilter());
  await app.listen(PORT, '127.0.0.1');
  await app.get(DatabaseService).whenReady();
  const ds = app.get(DataSource);
  const s = `"${schema}"`;
  const close = async (): Promise<void> => {
    await app.close();
    const admin = new DataSource({ type: 'postgres', url: config.DATABASE_URL });
    await admin.initialize();
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.destroy();
  };
  try {
    const t0 = Date.now();
    await ds.query(
      `INSERT INTO ${s}.registered_model (name, description, tags, latest_version, created_at, updated_at)
       SELECT 'model-' || lpad(i::text, 5, '0'), 'bench model ' || i, jsonb_build_object('team', 'team-' || (i % 50)), $1, now(), now()
       FROM generate_series(1, $2) i`,
      [VERSIONS, MODELS],
    );
    await ds.query(
      `INSERT INTO ${s}.model_version (name, version, run_id, workflow_id, artifact_uri, artifact_sha256, signature, metrics, params, lineage, status, tags, created_by, created_at)
       SELECT 'model-' || lpad(i::text, 5, '0'), v, 'run-' || i || '-' || v, 'train:model-' || i || ':' || v,
              'file:///data/models/' || i || '/' || v || '/model.onnx', md5(i::text) || md5(v::text),
              '{"inputs":[{"name":"input","type":"float32","datatype":"FP32","shape":[-1,10]}],"outputs":[{"name":"probability","type":"float32","datatype":"FP32","shape":[-1,1]}]}'::jsonb,
              jsonb_build_object('roc_auc', 0.5 + (v % 50) / 100.0, 'accuracy', 0.7), '{"l2":0.0001}'::jsonb,
              jsonb_build_object('datasetVersions', '[]'::jsonb, 'featureViews', '[]'::jsonb, 'codeVersion', 'bench'),
              'READY', jsonb_build_object('stage', CASE WHEN v = $1 THEN 'prod' ELSE 'dev' END), 'bench', now()
       FROM generate_series(1, $2) i, generate_series(1, $1) v`,
      [VERSIONS, MODELS],
    );
    await ds.query(
      `INSERT INTO ${s}.model_alias (name, alias, version, updated_by, updated_at) SELECT 'model-' || lpad(i::text, 5, '0'), 'champion', $1, 'bench', now() FROM generate_series(1, $2) i`,
      [VERSIONS, MODELS],
    );
    await ds.query(`ANALYZE ${s}.registered_model; ANALYZE ${s}.model_version; ANALYZE ${s}.model_alias`);
    return { base: `http://127.0.0.1:${PORT}`, schema, loadS: (Date.now() - t0) / 1000, close };
  } catch (e) {
    await close();
    throw e;
  }
}

async function main(): Promise<void> {
  const { base, loadS, close } = await startLoadedRegistry(MODELS, VERSIONS, PORT);
  try {
    const mid = String(Math.floor(MODELS / 2)).padStart(5, '0');
    const cases: Array<[string, string]> = [
      ['GET /registered-models?search=<substring>&limit=100', `/registered-models?search=${encodeURIComponent(`del-${mid.slice(0, 3)}`)}&limit=100`],
      ['GET /registered-models?limit=100&pageToken=5000 (deep page)', `/registered-models?limit=100&pageToken=${Math.floor(MODELS / 2)}`],
      ['GET /registered-models/{name} (+5 newest versions)', `/registered-models/model-${mid}`],
      ['GET /registered-models/{name}/versions?limit=100', `/registered-models/model-${mid}/versions?limit=100`],
      ["MLflow registered-models/search name LIKE 'model-0%'", `/api/2.0/mlflow/registered-models/search?filter=${encodeURIComponent("name LIKE 'model-0%'")}&max_results=100`],
      ["MLflow registered-models/search tags.team = 'team-7'", `/api/2.0/mlflow/registered-models/search?filter=${encodeURIComponent("tags.team = 'team-7'")}&max_results=100`],
      ["MLflow model-versions/search name = '<m>'", `/api/2.0/mlflow/model-versions/search?filter=${encodeURIComponent(`name = 'model-${mid}'`)}&max_results=100`],
      ["MLflow model-versions/search run_id = '<r>'", `/api/2.0/mlflow/model-versions/search?filter=${encodeURIComponent(`run_id = 'run-${Number(mid)}-42'`)}`],
      ['GET /registered-models/{name}/aliases/champion', `/registered-models/model-${mid}/aliases/champion`],
    ];
    const rows: string[] = [];
    for (const [label, url] of cases) {
      const first = await fetch(`${base}${url}`);
      const body = (await first.json()) as Record<string, unknown>;
      if (first.status !== 200) throw new Error(`${label}: ${first.status} ${JSON.stringify(body)}`);
      const n = Array.isArray(body['registeredModels'] ?? body['modelVersions'] ?? body['registered_models'] ?? body['model_versions'])
        ? ((body['registeredModels'] ?? body['modelVersions'] ?? body['registered_models'] ?? body['model_versions']) as unknown[]).length
        : 1;
      for (let i = 0; i < 20; i++) await (await fetch(`${base}${url}`)).arrayBuffer();
      const times: number[] = [];
      for (let i = 0; i < ITERATIONS; i++) {
        const t = process.hrtime.bigint();
        await (await fetch(`${base}${url}`)).arrayBuffer();
        times.push(Number(process.hrtime.bigint() - t) / 1e6);
      }
      times.sort((a, b) => a - b);
      rows.push(`${label.padEnd(62)} │ ${String(n).padStart(5)} │ ${pct(times, 50).toFixed(2).padStart(7)} │ ${pct(times, 95).toFixed(2).padStart(7)} │ ${pct(times, 99).toFixed(2).padStart(7)}`);
    }
    console.log(`\nRegistry search: ${MODELS} models × ${VERSIONS} versions (${MODELS * VERSIONS} versions), bulk load ${loadS.toFixed(1)} s`);
    console.log(`machine: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, shared; ${ITERATIONS} sequential requests per case after 20 warm-up\n`);
    console.log(`${'query'.padEnd(62)} │ items │ p50 ms  │ p95 ms  │ p99 ms`);
    console.log(`${'─'.repeat(62)}─┼───────┼─────────┼─────────┼────────`);
    for (const r of rows) console.log(r);
  } finally {
    await close();
  }
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
