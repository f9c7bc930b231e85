import type { OnlineStore, OnlineWriteRow } from './online-store';

/** Harness an online-store implementation provides to run the shared contract. @internal */
export interface OnlineStoreContractHarness {
  /** A store over an empty namespace (unique schema / key prefix). */
  create(): Promise<OnlineStore>;
  cleanup?(): Promise<void>;
}

const T = (iso: string) => new Date(iso);
const row = (k: number, features: Record<string, unknown>, ets: string, cts = ets): OnlineWriteRow => ({
  entityKey: JSON.stringify({ customer_id: k }),
  features,
  eventTimestamp: T(ets),
  createdTimestamp: T(cts),
});

/**
 * The online-store contract every implementation passes (as Feast's universal online tests):
 * exact round trip of values and timestamps, the newer-wins write rule, batch de-duplication,
 * view isolation and deletion. Run by `online-stores.int-spec.ts` on PostgreSQL and Redis.
 * @internal
 */
export function describeOnlineStoreContract(name: string, h: OnlineStoreContractHarness): void {
  describe(`OnlineStore contract: ${name}`, () => {
    let store: OnlineStore;
    let n = 0;
    let view: string;
    beforeAll(async () => {
      store = await h.create();
    });
    beforeEach(() => {
      view = `view_${++n}`;
    });
    afterAll(async () => {
      await store?.close();
      await h.cleanup?.();
    });

    it('reads nothing for unknown keys', async () => {
      expect((await store.read(view, [row(1, {}, '2024-03-01T10:00:00Z').entityKey])).size).toBe(0);
      expect((await store.read(view, [])).size).toBe(0);
    });

    it('round-trips values and timestamps exactly (ms)', async () => {
      const r = row(1, { i: 42, f: 0.1 + 0.2, s: 'héllo|"x"', b: true, z: null, big: 9007199254740991 }, '2024-03-01T10:00:00.123Z', '2024-03-01T10:00:05.456Z');
      expect(await store.write(view, [r])).toBe(1);
      const got = await store.read(view, [r.entityKey, r.entityKey]);
      expect([...got.keys()]).toEqual([r.entityKey]);
      const g = got.get(r.entityKey)!;
      expect(g.features).toEqual({ i: 42, f: 0.30000000000000004, s: 'héllo|"x"', b: true, z: null, big: 9007199254740991 });
      expect(g.eventTimestamp.toISOString()).toBe('2024-03-01T10:00:00.123Z');
      expect(g.createdTimestamp.toISOString()).toBe('2024-03-01T10:00:05.456Z');
    });

    it('replaces a row only with a newer event time, or an equal event time and a newer created time', async () => {
      expect(await store.write(view, [row(1, { v: 1 }, '2024-03-01T10:00:00Z')])).toBe(1);
      expect(await store.write(view, [row(1, { v: 0 }, '2024-03-01T09:00:00Z', '2024-03-02T00:00:00Z')])).toBe(0); // older event
      expect(await store.write(view, [row(1, { v: 9 }, '2024-03-01T10:00:00Z')])).toBe(0); // same event + created: replay
      expect((await store.read(view, [row(1, {}, '2024-03-01T10:00:00Z').entityKey])).get(row(1, {}, '2024-03-01T10:00:00Z').entityKey)!.features).toEqual({ v: 1 });
      expect(await store.write(view, [row(1, { v: 2 }, '2024-03-01T10:00:00Z', '2024-03-01T10:00:01Z')])).toBe(1); // newer created
      expect(await store.write(view, [row(1, { v: 3 }, '2024-03-01T11:00:00Z')])).toBe(1); // newer event
      const g = (await store.read(view, [row(1, {}, '2024-03-01T10:00:00Z').entityKey])).get(row(1, {}, '2024-03-01T10:00:00Z').entityKey)!;
      expect(g.features).toEqual({ v: 3 });
      expect(g.eventTimestamp.toISOString()).toBe('2024-03-01T11:00:00.000Z');
    });

    it('asOf: a row at exactly asOf is read; 1 ms before its event time it comes back afterAsOf with no values', async () => {
      const r = row(1, { v: 7 }, '2024-03-01T10:00:00.000Z', '2024-03-01T10:00:02.000Z');
      await store.write(view, [r]);
      const at = (await store.read(view, [r.entityKey], { asOf: T('2024-03-01T10:00:00.000Z') })).get(r.entityKey)!;
      expect(at).toEqual({ entityKey: r.entityKey, features: { v: 7 }, eventTimestamp: T('2024-03-01T10:00:00.000Z'), createdTimestamp: T('2024-03-01T10:00:02.000Z') });
      const before = (await store.read(view, [r.entityKey], { asOf: T('2024-03-01T09:59:59.999Z') })).get(r.entityKey)!;
      expect(before).toEqual({ entityKey: r.entityKey, features: {}, eventTimestamp: T('2024-03-01T10:00:00.000Z'), createdTimestamp: T('2024-03-01T10:00:02.000Z'), afterAsOf: true });
      expect((await store.read(view, [r.entityKey])).get(r.entityKey)!.features).toEqual({ v: 7 }); // no asOf: the latest row
    });

    it('within one batch, the newest row per key wins, whatever the order', async () => {
      const written = await store.write(view, [
        row(1, { v: 'b' }, '2024-03-01T10:30:00Z'),
        row(2, { v: 'x' }, '2024-03-01T08:00:00Z'),
        row(1, { v: 'c' }, '2024-03-01T10:45:00Z'),
        row(1, { v: 'a' }, '2024-03-01T10:00:00Z'),
      ]);
      expect(written).toBe(2);
      const got = await store.read(view, [1, 2, 3].map((k) => row(k, {}, '2024-03-01T10:00:00Z').entityKey));
      expect(Object.fromEntries([...got].map(([k, v]) => [k, v.features['v']]))).toEqual({ '{"customer_id":1}': 'c', '{"customer_id":2}': 'x' });
    });

    it('keeps views apart; deleteView removes one view only', async () => {
      const other = `${view}_other`;
      await store.write(view, [row(1, { v: 1 }, '2024-03-01T10:00:00Z')]);
      await store.write(other, [row(1, { v: 2 }, '2024-03-01T10:00:00Z')]);
      const k = row(1, {}, '2024-03-01T10:00:00Z').entityKey;
      expect((await store.read(view, [k])).get(k)!.features).toEqual({ v: 1 });
      await store.deleteView(view);
      expect((await store.read(view, [k])).size).toBe(0);
      expect((await store.read(other, [k])).get(k)!.features).toEqual({ v: 2 });
    });

    it('writes and reads 2,000 entities in one call each', async () => {
      const rows = Array.from({ length: 2000 }, (_, i) => row(i, { v: i * 2 }, '2024-03-01T10:00:00Z'));
      expect(await store.write(view, rows)).toBe(2000);
      const got = await store.read(view, rows.map((r) => r.entityKey));
      expect(got.size).toBe(2000);
      expect(got.get(rows[1234]!.entityKey)!.features).toEqual({ v: 2468 });
    });
  });
}
