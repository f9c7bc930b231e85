/**
 * What the platform recorded, read straight from each service's PostgreSQL schema (the chaos suite
 * owns its database, so it may), to compare with what the traffic was told.
 */
import { Client } from 'pg';

async function withPg<T>(databaseUrl: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5000, query_timeout: 30_000, statement_timeout: 30_000 });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** Ids among `ids` that monitoring stored (table `monitoring.prediction`, primary key `prediction_id`). */
export function storedPredictionIds(databaseUrl: string, ids: string[]): Promise<Set<string>> {
  return withPg(databaseUrl, async (c) => {
    const r = await c.query<{ id: string }>('SELECT prediction_id AS id FROM monitoring.prediction WHERE prediction_id = ANY($1::text[])', [ids]);
    return new Set(r.rows.map((x) => x.id));
  });
}

/** Ids among `ids` that have a feedback label in monitoring (`monitoring.feedback`). */
export function storedFeedbackIds(databaseUrl: string, ids: string[]): Promise<Map<string, number>> {
  return withPg(databaseUrl, async (c) => {
    const r = await c.query<{ id: string; n: string }>('SELECT prediction_id AS id, count(*)::text AS n FROM monitoring.feedback WHERE prediction_id = ANY($1::text[]) GROUP BY 1', [ids]);
    return new Map(r.rows.map((x) => [x.id, Number(x.n)]));
  });
}

/** Rows of monitoring.prediction for a model (what the counters must add up to). */
export function storedPredictionCount(databaseUrl: string, modelName: string): Promise<{ predictions: number; labeled: number }> {
  return withPg(databaseUrl, async (c) => {
    const r = await c.query<{ p: string; l: string }>(
      `SELECT count(*)::text AS p,
              (SELECT count(DISTINCT f.prediction_id)::text FROM monitoring.feedback f JOIN monitoring.prediction p2 ON p2.prediction_id = f.prediction_id WHERE p2.model_name = $1) AS l
       FROM monitoring.prediction WHERE model_name = $1`,
      [modelName],
    );
    return { predictions: Number(r.rows[0]!.p), labeled: Number(r.rows[0]!.l) };
  });
}

/** Unsent rows of every service's transactional outbox (`<schema>.outbox_event WHERE sent_at IS NULL`), by schema. */
export function unsentOutbox(databaseUrl: string): Promise<Record<string, number>> {
  return withPg(databaseUrl, async (c) => {
    const schemas = await c.query<{ s: string }>(`SELECT table_schema AS s FROM information_schema.tables WHERE table_name = 'outbox_event' ORDER BY 1`);
    const out: Record<string, number> = {};
    for (const { s } of schemas.rows) {
      const r = await c.query<{ n: string }>(`SELECT count(*)::text AS n FROM "${s}".outbox_event WHERE sent_at IS NULL`);
      out[s] = Number(r.rows[0]!.n);
    }
    return out;
  });
}

/** Training runs of a model (`training.training_run`) and the registry's versions per run id (`registry.model_version`). */
export function trainingLedger(databaseUrl: string, modelName: string): Promise<{ runs: Array<{ runId: string; status: string; modelVersion: number | null }>; versionsPerRun: Map<string, number> }> {
  return withPg(databaseUrl, async (c) => {
    const runs = await c.query<{ run_id: string; status: string; model_version: number | null }>(
      'SELECT run_id::text AS run_id, status, model_version FROM training.training_run WHERE model_name = $1',
      [modelName],
    );
    const versions = await c.query<{ run_id: string; n: string }>('SELECT run_id, count(*)::text AS n FROM registry.model_version WHERE name = $1 GROUP BY run_id', [modelName]);
    return {
      runs: runs.rows.map((r) => ({ runId: r.run_id, status: r.status, modelVersion: r.model_version })),
      versionsPerRun: new Map(versions.rows.map((r) => [r.run_id, Number(r.n)])),
    };
  });
}
