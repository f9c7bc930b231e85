import { Client as PgClient } from 'pg';
import type { InfraEnv } from './infra-env';
import { positionGroupsAtEnd } from './kafka-groups';

/**
 * What an end-to-end test needs so its six services share the stack's PostgreSQL, Kafka and
 * Temporal with other runs without seeing them:
 * - a database of its own (dataset versions are content-addressed, so a shared database would hand
 *   this run versions whose Parquet lives in an earlier run's deleted data dir);
 * - consumer groups of its own, positioned at the topics' current ends before the services start
 *   (a new group would replay the shared broker's history; a default group consumes the backlog
 *   earlier runs left);
 * - Temporal task queues of its own (a worker an earlier run left must not run this run's
 *   activities against its services).
 */
export interface IsolatedPlatform {
  database: string;
  /** The stack's PostgreSQL URL with this platform's database. */
  databaseUrl: string;
  /** DATABASE_URL, the five consumer-group variables and the two task queues, for every service. */
  serviceEnv: Record<string, string>;
  /** Creates the database and positions the groups at the topics' ends. */
  create(): Promise<void>;
  /**
   * Drops the database (`WITH (FORCE)`). Retried up to 3 times: PostgreSQL refuses while it
   * cannot terminate a session another role still holds on it ("must be a member of the role
   * whose process is being terminated"). A database still there after that is left behind with a
   * warning naming it (a leftover database costs disk, not correctness); never throws.
   */
  drop(): Promise<void>;
}

/** The {@link IsolatedPlatform} named after `tag` (a unique name: e.g. `uniqueName('strata_e2e')`). */
export function isolatedPlatform(env: InfraEnv, tag: string): IsolatedPlatform {
  const database = tag.replace(/[^a-zA-Z0-9_]/g, '_');
  const url = new URL(env.databaseUrl);
  url.pathname = `/${database}`;
  const groups = {
    INGESTION_KAFKA_GROUP_ID: `${tag}-ingestion`,
    FEATURES_KAFKA_GROUP_ID: `${tag}-features`,
    TRAINING_KAFKA_GROUP_ID: `${tag}-training`,
    MONITORING_CONSUMER_GROUP: `${tag}-monitoring`,
    SERVING_CONSUMER_GROUP: `${tag}-serving`,
  };
  const admin = async (sql: string): Promise<void> => {
    const pg = new PgClient({ connectionString: env.databaseUrl, connectionTimeoutMillis: 10_000 });
    await pg.connect();
    try {
      await pg.query(sql);
    } finally {
      await pg.end();
    }
  };
  return {
    database,
    databaseUrl: url.toString(),
    serviceEnv: { DATABASE_URL: url.toString(), ...groups, TRAINING_TASK_QUEUE: `${tag}-training`, SERVING_TASK_QUEUE: `${tag}-serving-batch` },
    async create() {
      await admin(`CREATE DATABASE "${database}"`);
      await positionGroupsAtEnd(env.kafkaBrokers, Object.values(groups));
    },
    async drop() {
      for (let attempt = 1; attempt <= 3; attempt++) {
        try {
          await admin(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
          return;
        } catch (e) {
          if (attempt === 3) process.stderr.write(`test database ${database} left behind: ${(e as Error).message}\n`);
          else await new Promise((r) => setTimeout(r, 1000 * attempt));
        }
      }
    },
  };
}
