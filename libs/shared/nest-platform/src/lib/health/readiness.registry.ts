import { Injectable } from '@nestjs/common';
import type { ReadinessCheck } from './readiness-check';

/**
 * Collects the readiness checks of a service. The platform registers PostgreSQL; the messaging
 * module registers Kafka and (as a source, since groups are known only once handlers are
 * discovered) one check per consumer group; the training service registers Temporal.
 * `/health/ready` runs them all.
 */
@Injectable()
export class ReadinessRegistry {
  private readonly checks = new Map<string, ReadinessCheck>();
  private readonly sources: Array<() => ReadinessCheck[]> = [];

  register(check: ReadinessCheck): void {
    this.checks.set(check.name, check);
  }

  /** Adds checks computed at each `/health/ready` (e.g. one per consumer group). */
  registerSource(source: () => ReadinessCheck[]): void {
    this.sources.push(source);
  }

  list(): ReadinessCheck[] {
    const all = new Map(this.checks);
    for (const source of this.sources) for (const c of source()) all.set(c.name, c);
    return [...all.values()];
  }
}
