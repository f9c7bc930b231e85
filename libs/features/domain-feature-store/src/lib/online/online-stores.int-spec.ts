import { FEATURES_ENTITIES, FEATURES_MIGRATIONS } from '@strata/features/data-access';
import { migratedSchema, uniqueName } from '@strata/shared/testing';
import type { DataSource } from 'typeorm';
import { describeOnlineStoreContract } from './online-store.contract';
import { PostgresOnlineStore } from './postgres-online-store';
import { RedisOnlineStore } from './redis-online-store';

/** REDIS_URL is required: the Redis contract runs in CI (tools/stack `up --with redis` writes it to .stack/env). */
function redisUrl(): string {
  const url = process.env['REDIS_URL'];
  if (!url) throw new Error(`REDIS_URL is not set: the Redis online-store contract tests need a real Redis (run 'bash tools/stack/stack.sh up --with redis' and use .stack/env)`);
  return url;
}

let ds: DataSource | undefined;
const db = migratedSchema('features_online', FEATURES_ENTITIES, FEATURES_MIGRATIONS);

describeOnlineStoreContract('PostgreSQL (real)', {
  async create() {
    ds = await db.open();
    return new PostgresOnlineStore(() => ds!);
  },
  async cleanup() {
    await db.drop();
  },
});

const prefix = uniqueName('strata_it');
describeOnlineStoreContract('Redis (real)', {
  async create() {
    return new RedisOnlineStore({ url: redisUrl(), keyPrefix: prefix });
  },
  async cleanup() {
    const s = new RedisOnlineStore({ url: redisUrl(), keyPrefix: prefix });
    await s.deleteAll();
    await s.close();
  },
});
