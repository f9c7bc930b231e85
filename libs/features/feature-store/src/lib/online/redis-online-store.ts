import { createClient } from 'redis';
import { UnavailableError } from '@strata/shared/util-errors';
import type { OnlineReadOptions, OnlineRow, OnlineStore, OnlineWriteRow } from './online-store';
import { isNewer } from './postgres-online-store';

/** Options of {@link RedisOnlineStore}. */
export interface RedisOnlineStoreOptions {
  /** `redis://host:port[/db]` (REDIS_URL). */
  readonly url: string;
  /** Key namespace; each view is the hash `<keyPrefix>:fv:<view>`. Default `strata:features`. */
  readonly keyPrefix?: string;
}

/**
 * Compare-and-set of a batch in one atomic script. ARGV = (field, eventMs, createdMs, value)*;
 * a stored value is `<eventMs>|<createdMs>|<features JSON>`. Returns how many fields were written.
 */
const UPSERT_LUA = `
local n = 0
for i = 1, #ARGV, 4 do
  local e = tonumber(ARGV[i + 1])
  local c = tonumber(ARGV[i + 2])
  local cur = redis.call('HGET', KEYS[1], ARGV[i])
  local ok = true
  if cur then
    local ce, cc = string.match(cur, '^(%-?%d+)|(%-?%d+)|')
    ce = tonumber(ce)
    cc = tonumber(cc)
    ok = (ce < e) or (ce == e and cc < c)
  end
  if ok then
    redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1] .. '|' .. ARGV[i + 2] .. '|' .. ARGV[i + 3])
    n = n + 1
  end
end
return n
`;

/**
 * The Redis online store (node-redis): one hash per view, `<prefix>:fv:<view>`, field = entity
 * key (canonical JSON), value = `<event ms>|<created ms>|<features JSON>`. Writes run the
 * compare-and-set script above per batch (atomic per batch, same rule as PostgreSQL); reads are
 * one `HMGET`. TTL is NOT enforced with Redis expiry: rows stay and the reader decides
 * PRESENT / OUTSIDE_MAX_AGE / OUTSIDE_AS_OF against the request time (so `as_of` replays work, as in PostgreSQL).
 * Writes are durable per Redis' own persistence settings once the promise resolves.
 */
export class RedisOnlineStore implements OnlineStore {
  readonly kind = 'redis';
  private readonly prefix: string;
  private client: Promise<ReturnType<typeof createClient>> | undefined;

  constructor(private readonly options: RedisOnlineStoreOptions) {
    this.prefix = options.keyPrefix ?? 'strata:features';
  }

  /** Hash key of `view`. */
  keyOf(view: string): string {
    return `${this.prefix}:fv:${view}`;
  }

  async write(view: string, rows: readonly OnlineWriteRow[]): Promise<number> {
    if (rows.length === 0) return 0;
    const newest = new Map<string, OnlineWriteRow>();
    for (const r of rows) {
      const cur = newest.get(r.entityKey);
      if (!cur || isNewer(r, cur)) newest.set(r.entityKey, r);
    }
    const args: string[] = [];
    for (const r of newest.values()) args.push(r.entityKey, String(r.eventTimestamp.getTime()), String(r.createdTimestamp.getTime()), JSON.stringify(r.features));
    const c = await this.connection();
    const n = await this.call(() => c.eval(UPSERT_LUA, { keys: [this.keyOf(view)], arguments: args }));
    return Number(n);
  }

  /**
   * One `HMGET`. With `options.asOf`, a row whose event time (ms, the value's prefix) is after
   * `asOf` is returned `afterAsOf: true` with `features: {}`: its JSON is never parsed.
   */
  async read(view: string, keys: readonly string[], options: OnlineReadOptions = {}): Promise<Map<string, OnlineRow>> {
    const out = new Map<string, OnlineRow>();
    const uniq = [...new Set(keys)];
    if (uniq.length === 0) return out;
    const asOfMs = options.asOf?.getTime();
    const c = await this.connection();
    const vals = await this.call(() => c.hmGet(this.keyOf(view), uniq));
    vals.forEach((v, i) => {
      if (v === null || v === undefined) return;
      const s = String(v);
      const a = s.indexOf('|');
      const b = s.indexOf('|', a + 1);
      const eventMs = Number(s.slice(0, a));
      const base = { entityKey: uniq[i]!, eventTimestamp: new Date(eventMs), createdTimestamp: new Date(Number(s.slice(a + 1, b))) };
      if (asOfMs !== undefined && eventMs > asOfMs) out.set(uniq[i]!, { ...base, features: {}, afterAsOf: true });
      else out.set(uniq[i]!, { ...base, features: JSON.parse(s.slice(b + 1)) as Record<string, unknown> });
    });
    return out;
  }

  async deleteView(view: string): Promise<void> {
    const c = await this.connection();
    await this.call(() => c.del(this.keyOf(view)));
  }

  /** Deletes every key under the prefix (tests). */
  async deleteAll(): Promise<void> {
    const c = await this.connection();
    const keys = await this.call(() => c.keys(`${this.prefix}:*`));
    if (keys.length > 0) await this.call(() => c.del(keys));
  }

  async close(): Promise<void> {
    const c = this.client;
    this.client = undefined;
    if (c) await (await c.catch(() => undefined))?.quit().catch(() => undefined);
  }

  private connection(): Promise<ReturnType<typeof createClient>> {
    this.client ??= (async () => {
      const client = createClient({ url: this.options.url, socket: { connectTimeout: 5000, reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 2000) } });
      client.on('error', () => undefined); // surfaced per command
      try {
        await client.connect();
      } catch (e) {
        this.client = undefined;
        throw new UnavailableError(`Redis online store at ${redact(this.options.url)} is unreachable: ${(e as Error).message}`, { cause: e });
      }
      return client;
    })();
    return this.client;
  }

  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw new UnavailableError(`Redis online store command failed: ${(e as Error).message}`, { cause: e, retryable: true });
    }
  }
}

function redact(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}
