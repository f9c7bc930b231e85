/**
 * Injection-shaped names (`../x`, `a'b`, `x;drop table`, `%2e%2e`, ...) in path parameters and
 * request bodies of registry, features and ingestion answer 400 and change nothing (listings and
 * the services' schemas are the same before and after). Real processes on ports 29121-29123,
 * fresh schemas and consumer groups, default auth mode (the name check is mode-independent).
 */
import http from 'node:http';
import { type RunningService, infraEnv, startService, uniqueName, waitReady } from '@strata/shared/testing';
import { Client } from 'pg';

jest.setTimeout(240_000);

const BAD = ['../x', 'a/../b', "a'b", 'x;drop table', '%2e%2e', '..', 'a"b', 'x y', "x');DROP TABLE registered_model;--"];
const env = infraEnv();
const schemas = { registry: uniqueName('reg_inj'), features: uniqueName('feat_inj'), ingestion: uniqueName('ing_inj') };
let registry: RunningService;
let features: RunningService;
let ingestion: RunningService;

/** Sends `rawPath` byte-for-byte (node:http; fetch would normalise `..` and `%2e%2e` away). */
function call(svc: RunningService, method: string, rawPath: string, body?: unknown): Promise<{ status: number; body: { error?: string } & Record<string, unknown> }> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port: svc.port, method, path: rawPath, headers: payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text.startsWith('{') || text.startsWith('[') ? JSON.parse(text) : { error: text } }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/**
 * Tables filled by Kafka consumers from the SHARED topics (other tests and the lead's services
 * publish dataset versions meanwhile), not by the HTTP requests under test.
 */
const FED_BY_SHARED_TOPICS = new Set(['inbox_event', 'known_dataset_version']);

/** Row counts of every table of a schema written by requests: "nothing changed" means equal snapshots. */
async function snapshot(schema: string): Promise<Record<string, number>> {
  const client = new Client({ connectionString: env.databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ table_name: string }>(`SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE' ORDER BY 1`, [schema]);
    const out: Record<string, number> = {};
    for (const r of rows) {
      if (r.table_name === 'typeorm_migrations' || FED_BY_SHARED_TOPICS.has(r.table_name)) continue;
      const q = await client.query<{ n: string }>(`SELECT count(*)::text AS n FROM "${schema}"."${r.table_name.replace(/"/g, '""')}"`);
      out[r.table_name] = Number(q.rows[0]?.n);
    }
    return out;
  } finally {
    await client.end();
  }
}

/**
 * Both forms a client may send: percent-encoded, and raw where a request line carries it as ONE
 * segment (a raw `/` makes another path, which no route matches: 404, checked separately).
 */
const encodings = (name: string): string[] => [...new Set([encodeURIComponent(name), ...(/^[%.A-Za-z0-9';]+$/.test(name) ? [name] : [])])];

beforeAll(async () => {
  const base = { DATABASE_URL: env.databaseUrl, KAFKA_BROKERS: env.kafkaBrokers.join(',') };
  registry = startService('registry', 29121, { ...base, REGISTRY_DB_SCHEMA: schemas.registry });
  features = startService('features', 29122, { ...base, FEATURES_DB_SCHEMA: schemas.features, FEATURES_KAFKA_GROUP_ID: `features-inj-${schemas.features}` });
  ingestion = startService('ingestion', 29123, { ...base, INGESTION_DB_SCHEMA: schemas.ingestion, INGESTION_KAFKA_GROUP_ID: `ingestion-inj-${schemas.ingestion}` });
  await Promise.all([waitReady(registry), waitReady(features), waitReady(ingestion)]);
});

afterAll(async () => {
  await Promise.all([registry?.stop(), features?.stop(), ingestion?.stop()]);
  const client = new Client({ connectionString: env.databaseUrl });
  await client.connect();
  for (const s of Object.values(schemas)) await client.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
  await client.end();
});

describe('injection-shaped names', () => {
  it('registry: 400 in path params and bodies, nothing written', async () => {
    const before = await snapshot(schemas.registry);
    const statuses: string[] = [];
    for (const bad of BAD) {
      for (const enc of encodings(bad)) {
        statuses.push(`${bad} GET model ${(await call(registry, 'GET', `/registered-models/${enc}`)).status}`);
        statuses.push(`${bad} POST version ${(await call(registry, 'POST', `/registered-models/${enc}/versions`, { runId: 'r1' })).status}`);
        statuses.push(`${bad} PUT alias ${(await call(registry, 'PUT', `/registered-models/ok-model/aliases/${enc}`, { version: 1 })).status}`);
      }
    }
    expect(statuses.filter((s) => !s.endsWith(' 400'))).toEqual([]);
    // a raw traversal is another path altogether: no route, nothing done
    expect((await call(registry, 'POST', '/registered-models/../x/versions', { runId: 'r1' })).status).toBe(404);
    expect(await snapshot(schemas.registry)).toEqual(before);
    expect((await call(registry, 'GET', '/registered-models')).body).toEqual(expect.objectContaining({ registeredModels: [] }));
  });

  it('registry, MLflow API: an injection-shaped name is just a name (MLflow accepts any non-empty name): stored and read back verbatim', async () => {
    const readBack: string[] = [];
    for (const bad of BAD) {
      const created = await call(registry, 'POST', '/api/2.0/mlflow/registered-models/create', { name: bad });
      const got = await call(registry, 'GET', `/api/2.0/mlflow/registered-models/get?name=${encodeURIComponent(bad)}`);
      readBack.push(`${bad} ${created.status} ${(got.body as { registered_model?: { name?: string } }).registered_model?.name === bad ? 'same name' : JSON.stringify(got.body)}`);
    }
    expect(readBack).toEqual(BAD.map((bad) => `${bad} 200 same name`));
    // the statements stayed parameterised: the registry's tables are all still there and answer
    expect((await call(registry, 'GET', '/api/2.0/mlflow/registered-models/search?max_results=1000')).status).toBe(200);
  });

  it('features: 400 in path params and in feature repo documents, nothing applied', async () => {
    const before = await snapshot(schemas.features);
    const statuses: string[] = [];
    for (const bad of BAD) {
      for (const enc of encodings(bad)) statuses.push(`${bad} GET view ${(await call(features, 'GET', `/feature-views/${enc}`)).status}`);
      const doc = { documents: [{ file: 'entities.yaml', content: `kind: Entity\nname: ${JSON.stringify(bad)}\njoinKey: id\nvalueType: INT64\n` }] };
      statuses.push(`${bad} apply ${(await call(features, 'POST', '/feature-repo/apply', doc)).status}`);
    }
    expect(statuses.filter((s) => !s.endsWith(' 400'))).toEqual([]);
    expect(await snapshot(schemas.features)).toEqual(before);
    expect((await call(features, 'GET', '/entities')).body).toEqual([]);
  });

  it('ingestion: 400 in path params, nothing written', async () => {
    const before = await snapshot(schemas.ingestion);
    const statuses: string[] = [];
    for (const bad of BAD) {
      for (const enc of encodings(bad)) {
        statuses.push(`${bad} PUT dataset ${(await call(ingestion, 'PUT', `/datasets/${enc}`, { format: 'csv', columns: [] })).status}`);
        statuses.push(`${bad} POST version ${(await call(ingestion, 'POST', `/datasets/${enc}/versions`, { sourceUri: 'file:///etc/passwd', format: 'csv' })).status}`);
        statuses.push(`${bad} GET dataset ${(await call(ingestion, 'GET', `/datasets/${enc}`)).status}`);
      }
    }
    expect(statuses.filter((s) => !s.endsWith(' 400'))).toEqual([]);
    expect(await snapshot(schemas.ingestion)).toEqual(before);
  });
});
