/**
 * A Strata deployment for the replica test: one database of its own (every service's default
 * schema inside it, so replicas of a service share their schema exactly as in production), unique
 * consumer groups and Temporal task queues, enforced auth with one key per service, and the
 * six services started from source: two replicas of features, serving and monitoring (ports
 * 5002/5102, 5005/5105, 5006/5106), one of ingestion (5001), training (5003) and registry (5004).
 *
 * Replica `a` and replica `b` are two "nodes": serving-a reads features from features-a,
 * serving-b from features-b (as a node-local sidecar or a per-zone endpoint would), so killing
 * node `a` leaves a complete path through node `b`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type RunningService, createTestCredentials, deleteGroupsWithPrefix, infraEnv, startGroupAtEnd, startService, uniqueName, waitReady } from '@strata/shared/testing';
import { Client as PgClient } from 'pg';

export const REPLICATED = ['features', 'serving', 'monitoring'] as const;
export const SINGLE = ['ingestion', 'training', 'registry'] as const;
export type ServiceName = (typeof REPLICATED)[number] | (typeof SINGLE)[number];
export type Replica = 'a' | 'b';

const PORTS: Record<ServiceName, number> = { ingestion: 5001, features: 5002, training: 5003, registry: 5004, serving: 5005, monitoring: 5006 };
/** Second replicas listen on the first one's port + 100. */
const portOf = (name: ServiceName, replica: Replica): number => PORTS[name] + (replica === 'b' ? 100 : 0);
export const urlOf = (name: ServiceName, replica: Replica = 'a'): string => `http://127.0.0.1:${portOf(name, replica)}`;

/** Topics each work-sharing consumer group reads (the groups start at their end: the topics are shared). */
const GROUP_TOPICS: Record<'ingestion' | 'features' | 'training' | 'monitoring', string[]> = {
  ingestion: ['strata.ingestion.ingest-records.v1'],
  features: ['strata.ingestion.dataset-version-created.v1'],
  training: ['strata.monitoring.drift-detected.v1', 'strata.monitoring.performance-degraded.v1', 'strata.training.training-requested.v1'],
  monitoring: [
    'strata.serving.prediction-logged.v1',
    'strata.monitoring.feedback-received.v1',
    'strata.serving.inference-failed.v1',
    'strata.registry.model-rollout-changed.v1',
  ],
};

export interface Cluster {
  database: string;
  databaseUrl: string;
  dataDir: string;
  /** Consumer group of each service (replicas of a service share it). */
  groups: Record<ServiceName, string>;
  /** Per-instance id of each serving replica (its broadcast consumer groups derive from it). */
  servingInstance: Record<Replica, string>;
  /** Operator credentials (data-scientist, ml-engineer). */
  keys: { dataScientist: string; mlEngineer: string };
  /** Running processes by `<service>` (single) or `<service>-<replica>`. */
  processes: Map<string, RunningService>;
  get(name: ServiceName, replica?: Replica): RunningService;
  /** Runs SQL against the cluster's database. */
  query<T extends Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Stops every process (SIGTERM, SIGKILL after 15 s), drops the database, the data dir and the test's consumer groups; never throws. */
  destroy(): Promise<void>;
  /** Output of every process (for failure messages). */
  logs(): string;
  /** Creates the database, the credentials and starts the nine processes; resolves when all are ready. */
  start(): Promise<void>;
}

/** A cluster description; nothing runs until {@link Cluster.start}, {@link Cluster.destroy} always cleans up. */
export function createCluster(): Cluster {
  const env = infraEnv();
  const tag = uniqueName('replicas');
  const database = `strata_${tag}`;
  const u = new URL(env.databaseUrl);
  u.pathname = `/${database}`;
  const databaseUrl = u.toString();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-replicas-'));
  const processes = new Map<string, RunningService>();
  const admin = async (sql: string): Promise<void> => {
    const pg = new PgClient({ connectionString: env.databaseUrl, connectionTimeoutMillis: 5000 });
    await pg.connect();
    try {
      await pg.query(sql);
    } finally {
      await pg.end();
    }
  };
  const groups: Record<ServiceName, string> = {
    ingestion: `${tag}_ingestion`,
    features: `${tag}_features`,
    training: `${tag}_training`,
    registry: `${tag}_registry`,
    serving: `${tag}_serving`,
    monitoring: `${tag}_monitoring`,
  };
  const servingInstance: Record<Replica, string> = { a: `${tag}-serving-a`, b: `${tag}-serving-b` };
  const cluster: Cluster = {
    database,
    databaseUrl,
    dataDir,
    groups,
    servingInstance,
    keys: { dataScientist: '', mlEngineer: '' },
    processes,
    get(name, replica) {
      const key = (REPLICATED as readonly string[]).includes(name) ? `${name}-${replica ?? 'a'}` : name;
      const p = processes.get(key);
      if (!p) throw new Error(`no process ${key}`);
      return p;
    },
    async query<T extends Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
      const pg = new PgClient({ connectionString: databaseUrl, connectionTimeoutMillis: 5000, statement_timeout: 15_000 });
      await pg.connect();
      try {
        return (await pg.query(sql, params)).rows as T[];
      } finally {
        await pg.end();
      }
    },
    async destroy() {
      // SIGTERM first: consumers leave their groups, so the groups are empty and can be deleted
      await Promise.all(
        [...processes.values()].map(async (p) => {
          const timer = setTimeout(() => void p.stop('SIGKILL'), 15_000);
          await p.stop('SIGTERM');
          clearTimeout(timer);
        }),
      );
      fs.rmSync(dataDir, { recursive: true, force: true });
      await admin(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`).catch(() => undefined);
      await deleteGroupsWithPrefix(env.kafkaBrokers, tag);
    },
    logs() {
      return [...processes.entries()].map(([k, p]) => `--- ${k}\n${p.output().slice(-2500)}`).join('\n');
    },
    start: () => boot(),
  };

  const boot = async (): Promise<void> => {
  await admin(`CREATE DATABASE "${database}"`);
  const services = [...SINGLE, ...REPLICATED] as const;
  const creds = await createTestCredentials(databaseUrl, [...services.map((s) => `service:${s}` as const), 'data-scientist', 'ml-engineer']);
  cluster.keys = { dataScientist: creds['data-scientist'], mlEngineer: creds['ml-engineer'] };
  for (const [service, topics] of Object.entries(GROUP_TOPICS)) await startGroupAtEnd(env.kafkaBrokers, groups[service as ServiceName], topics);

  const base = {
    STRATA_AUTH_MODE: 'enforce',
    STRATA_API_KEY_FILE: undefined,
    DATABASE_URL: databaseUrl,
    KAFKA_BROKERS: env.kafkaBrokers.join(','),
    TEMPORAL_ADDRESS: env.temporalAddress,
    TEMPORAL_NAMESPACE: env.temporalNamespace,
    STRATA_DATA_DIR: dataDir,
    INGESTION_URL: urlOf('ingestion'),
    TRAINING_URL: urlOf('training'),
    REGISTRY_URL: urlOf('registry'),
    INGESTION_KAFKA_GROUP_ID: groups.ingestion,
    FEATURES_KAFKA_GROUP_ID: groups.features,
    TRAINING_KAFKA_GROUP_ID: groups.training,
    SERVING_CONSUMER_GROUP: groups.serving,
    MONITORING_CONSUMER_GROUP: groups.monitoring,
    TRAINING_TASK_QUEUE: `${tag}-training`,
    SERVING_TASK_QUEUE: `${tag}-serving-batch`,
    // nine processes share 2 cores with the test: a slow features answer is not what this test is about
    SERVING_HTTP_TIMEOUT_MS: '15000',
    // an answered prediction is committed to the outbox before the answer, so a SIGKILLed replica
    // loses none of the predictions it answered (the test asserts 0 lost)
    SERVING_PREDICTION_LOG_DURABILITY: 'durable',
    SERVING_PREDICTION_LOG_TIMEOUT_MS: '15000',
    // the test reads the windows itself; no background evaluation or rollout guard races it
    MONITORING_EVALUATION_INTERVAL_MS: '0',
    MONITORING_ROLLOUT_GUARD_INTERVAL_MS: '0',
  };
  const start = (name: ServiceName, replica: Replica | null, extra: Record<string, string> = {}): void => {
    const r = replica ?? 'a';
    const key = replica ? `${name}-${replica}` : name;
    processes.set(
      key,
      startService(name, portOf(name, r), {
        ...base,
        FEATURES_URL: urlOf('features', r),
        MONITORING_URL: urlOf('monitoring', r),
        SERVING_URL: urlOf('serving', r),
        STRATA_API_KEY: creds[`service:${name}`],
        ...extra,
      }),
    );
  };
  for (const name of SINGLE) start(name, null);
  for (const name of REPLICATED) for (const r of ['a', 'b'] as const) start(name, r, name === 'serving' ? { SERVING_INSTANCE_ID: servingInstance[r] } : {});
  await Promise.all([...processes.values()].map((p) => waitReady(p, 180_000)));
  };
  return cluster;
}
