/** Window counters: the keyed, mergeable counter set every monitoring aggregate is computed from. */

/**
 * Mergeable window state ("counters"): every statistic of a window report is derived from
 * additive counters `(metric, bucket) → (n, s)` (a count and a sum), so the state of a window is
 * the element-wise sum of the states of its parts (days → ISO weeks / months, count blocks →
 * count windows, aliases → all traffic) and a report never needs the window's rows.
 *
 * Counters written per logged prediction (see {@link predictionCounters}):
 * - `pred` — one per prediction; `lat` bucket = {@link latencyKey} of latencyMs/1000 (seconds);
 * - `unprof` — predictions that arrived while the version had no reference profile;
 * - numeric feature f: `null:f` (missing), `psi:f` bucket = reference bin index (exact PSI),
 *   `g:f` bucket = position on the reference grid (exact KS; count + sum of values for
 *   Wasserstein), see {@link gridPosition};
 * - categorical feature f: `null:f`, `cat:f` bucket = the profile bucket (unseen → `__other__`).
 * Per latest feedback label (see {@link labelCounters}): `lbl` (labeled, any), and when the
 * prediction has a probability: `pb` bucket `y:k` with k = ⌊p·10⁴⌋ (n, s = Σp), `ll` (s = Σ log
 * loss terms), `br` (s = Σ (p − y)²). Per failed request: `fail` n = rowCount.
 */
export interface Counter {
  metric: string;
  bucket: string;
  n: number;
  s: number;
}

/** A set of counters keyed by (metric, bucket); `add` sums. */
export class CounterSet {
  private readonly metrics = new Map<string, Map<string, Counter>>();

  /** Adds (n, s) to the counter (metric, bucket). */
  add(metric: string, bucket: string, n: number, s = 0): this {
    let m = this.metrics.get(metric);
    if (!m) this.metrics.set(metric, (m = new Map()));
    const c = m.get(bucket);
    if (c) {
      c.n += n;
      c.s += s;
    } else m.set(bucket, { metric, bucket, n, s });
    return this;
  }

  /** Adds every counter of `other` (merge of two window states). */
  merge(other: CounterSet | Iterable<Counter>): this {
    const list = other instanceof CounterSet ? other.all() : other;
    for (const c of list) this.add(c.metric, c.bucket, c.n, c.s);
    return this;
  }

  /** The counter (metric, bucket), if any. */
  get(metric: string, bucket = ''): Counter | undefined {
    return this.metrics.get(metric)?.get(bucket);
  }

  /** n of one counter (0 when absent). */
  n(metric: string, bucket = ''): number {
    return this.get(metric, bucket)?.n ?? 0;
  }

  /** The counters of one metric. */
  of(metric: string): Counter[] {
    return [...(this.metrics.get(metric)?.values() ?? [])];
  }

  /** Number of (metric, bucket) counters held. */
  get size(): number {
    let k = 0;
    for (const m of this.metrics.values()) k += m.size;
    return k;
  }

  /** Every counter, including zero ones. */
  *all(): IterableIterator<Counter> {
    for (const m of this.metrics.values()) yield* m.values();
  }

  /** All counters with n ≠ 0 or s ≠ 0. */
  list(): Counter[] {
    return [...this.all()].filter((c) => c.n !== 0 || c.s !== 0);
  }
}
