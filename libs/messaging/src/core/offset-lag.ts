/**
 * Offset lag of a consumer group, as this process last saw it, with no broker call: after each
 * kafkajs batch of a partition, `highWatermark` (from that fetch's answer) minus the next offset
 * the group will process. Partitions this process never fetched from (not assigned to it, or
 * nothing new since it joined) are not counted; kafkajs does not hand over empty batches, so a
 * partition's value is as of its last non-empty fetch.
 */
export interface ConsumerGroupLag {
  /** Records not yet processed, summed over the partitions seen (≥ 0). */
  records: number;
  /** How many partitions the sum covers. */
  partitions: number;
  /** ISO time of the newest observation. */
  at: string;
}

/** Keeps each group's last seen offset lag per topic-partition ({@link ConsumerGroupLag}). */
export class OffsetLagTracker {
  private readonly byGroup = new Map<string, Map<string, { records: number; at: number }>>();

  /**
   * Records a partition's lag after a batch: `highWatermark` − `nextOffset` (offsets as kafkajs
   * strings; clamped at 0). `nextOffset` undefined (nothing processed) records nothing.
   */
  observe(groupId: string, topic: string, partition: number, highWatermark: string, nextOffset: string | undefined, now = Date.now()): void {
    if (nextOffset === undefined) return;
    let hw: bigint;
    let next: bigint;
    try {
      hw = BigInt(highWatermark);
      next = BigInt(nextOffset);
    } catch {
      return;
    }
    const lag = hw > next ? Number(hw - next) : 0;
    let partitions = this.byGroup.get(groupId);
    if (!partitions) this.byGroup.set(groupId, (partitions = new Map()));
    partitions.set(`${topic}/${partition}`, { records: lag, at: now });
  }

  /** Forgets a group's partitions (after it (re)joined: its assignment may have changed). */
  reset(groupId: string): void {
    this.byGroup.delete(groupId);
  }

  /** The group's lag, or undefined before its first observed batch. */
  of(groupId: string): ConsumerGroupLag | undefined {
    const partitions = this.byGroup.get(groupId);
    if (!partitions || partitions.size === 0) return undefined;
    let records = 0;
    let at = 0;
    for (const p of partitions.values()) {
      records += p.records;
      at = Math.max(at, p.at);
    }
    return { records, partitions: partitions.size, at: new Date(at).toISOString() };
  }
}
