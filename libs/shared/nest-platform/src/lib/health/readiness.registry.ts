import { Injectable } from '@nestjs/common';
import type { ReadinessCheck } from './readiness-check';

/**
 * Collects the readiness checks of a service. The platform registers PostgreSQL; the messaging
 * module registers Kafka; the training service registers Temporal. `/health/ready` runs them all.
 */
@Injectable()
export class ReadinessRegistry {
  private readonly checks = new Map<string, ReadinessCheck>();

  register(check: ReadinessCheck): void {
    this.checks.set(check.name, check);
  }

  list(): ReadinessCheck[] {
    return [...this.checks.values()];
  }
}
