import { createClient, ErrorReply } from 'redis';
import { AppError, ErrorCode, UnavailableError } from '@strata/shared/util-errors';
import type { OnlineReadOptions, OnlineRow, OnlineStore, OnlineWriteRow } from './online-store';
import { isNewer } from './postgres-online-store';

/** Options of {@link RedisOnlineStore}. */
export interface RedisOnlineStoreOptions {
  /** `redis://host:port[/db]` (REDIS_URL). */
  readonly url: string;
  /** Key namespace; each view is the hash `<keyPrefix>:fv:<view>`. Default `strata:features`. */
  readonly keyPrefix?: string;
  /**
   * Deadline of every store call in ms: connecting (TCP + handshake) and each command's answer
   * (FEATURES_REDIS_TIMEOUT_MS, default {@link DEFAULT_REDIS_TIMEOUT_MS}). A Redis that refuses,
   * drops or never answers gives an `UnavailableError` (503) within about this time.
   */
  readonly timeoutMs?: number;
}

/** Default deadline of one Redis call (connect or command), ms. */
export const DEFAULT_REDIS_TIMEOUT_MS = 3000;

type Client = ReturnType<typeof createClient>;

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
 *
 * Faults: every call (connect + command) has a deadline (`timeoutMs`). The client never
 * reconnects or queues commands on its own (no offline queue, no reconnect strategy): a refused,
 * dropped or silent connection fails the call with `UnavailableError` naming Redis, the URL and
 * the cause, the connection is thrown away, and the next call connects afresh; so the store
 * recovers by itself once Redis answers again.
 */
export class RedisOnlineStore implements OnlineStore {
  readonly kind = 'redis';
  private readonly prefix: string;
  private readonly timeoutMs: number;
  private client: Promise<Client> | undefined;

  constructor(private readonly options: RedisOnlineStoreOptions) {
    this.prefix = options.keyPrefix ?? 'strata:features';
    this.timeoutMs = options.timeoutMs ?? DEFAULT_REDIS_TIMEOUT_MS;
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
    const n = await this.call('EVAL (write)', (c) => c.eval(UPSERT_LUA, { keys: [this.keyOf(view)], arguments: args }));
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
    const vals = await this.call('HMGET (read)', (c) => c.hmGet(this.keyOf(view), uniq));
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
    await this.call('DEL', (c) => c.del(this.keyOf(view)));
  }

  /** Deletes every key under the prefix (tests). */
  async deleteAll(): Promise<void> {
    const keys = await this.call('KEYS', (c) => c.keys(`${this.prefix}:*`));
    if (keys.length > 0) await this.call('DEL', (c) => c.del(keys));
  }

  async close(): Promise<void> {
    const c = this.client;
    this.client = undefined;
    const client = c ? await c.catch(() => undefined) : undefined;
    if (!client?.isOpen) return;
    await withDeadline(client.quit(), this.timeoutMs).catch(() => drop(client));
  }

  /** The open client, connecting (TCP + handshake) within `timeoutMs` when there is none. */
  private connection(): Promise<Client> {
    this.client ??= (async () => {
      const client: Client = createClient({
        url: this.options.url,
        // No offline queue and no reconnect loop: a call made while Redis is away fails at once, and the next call connects afresh.
        disableOfflineQueue: true,
        socket: { connectTimeout: this.timeoutMs, reconnectStrategy: false },
      });
      client.on('error', () => undefined); // surfaced per call
      try {
        // connectTimeout covers TCP only; the handshake of a server that accepts and never answers needs the deadline.
        await withDeadline(client.connect(), this.timeoutMs);
      } catch (e) {
        this.client = undefined;
        drop(client);
        throw new UnavailableError(`Redis online store at ${redact(this.options.url)} is unreachable: ${describe(e, this.timeoutMs, 'connect')}`, { cause: e });
      }
      return client;
    })();
    return this.client;
  }

  /** Runs `op` on the connection within `timeoutMs`; connection faults drop the connection (the next call reconnects). */
  private async call<T>(what: string, op: (c: Client) => Promise<T>): Promise<T> {
    let pending = this.connection();
    let client = await pending;
    if (!client.isReady) {
      // The socket closed since the last call (Redis restarted, connection reset): connect afresh.
      if (this.client === pending) this.client = undefined;
      drop(client);
      pending = this.connection();
      client = await pending;
    }
    try {
      return await withDeadline(op(client), this.timeoutMs);
    } catch (e) {
      // Redis answered with an error (e.g. WRONGTYPE): the connection is fine, the data is not.
      if (e instanceof ErrorReply) throw new AppError(ErrorCode.INTEGRITY_ERROR, `Redis online store command ${what} failed: ${e.message}`, { cause: e, retryable: true });
      // Timeout, closed or dropped socket: this connection is unusable; forget it.
      if (this.client === pending) this.client = undefined;
      drop(client);
      throw new UnavailableError(`Redis online store at ${redact(this.options.url)} failed on ${what}: ${describe(e, this.timeoutMs, what)}`, { cause: e, retryable: true });
    }
  }
}

/** Thrown by {@link withDeadline}. */
class DeadlineError extends Error {}

/** `p`, or a {@link DeadlineError} after `ms`. */
function withDeadline<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new DeadlineError(`no answer within ${ms} ms`)), ms)));
  p.catch(() => undefined); // a late rejection after the deadline is not unhandled
  return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
}

function describe(e: unknown, ms: number, what: string): string {
  if (e instanceof DeadlineError) return `${what}: no answer within ${ms} ms (FEATURES_REDIS_TIMEOUT_MS)`;
  const err = e as Error & { code?: string; cause?: unknown };
  const inner = err.cause instanceof Error ? `: ${err.cause.message}` : '';
  return `${err.code ? `${err.code} ` : ''}${err.message}${inner}`;
}

/** Destroys a client without waiting (its pending commands reject). */
function drop(client: Client): void {
  try {
    if (client.isOpen) client.destroy();
  } catch {
    // already closed
  }
}

function redact(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}
