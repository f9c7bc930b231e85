import { Counter, Gauge, register as defaultRegistry, type Registry } from 'prom-client';

/** Metric names exported by this lib (Prometheus). */
export const MESSAGING_METRIC_NAMES = {
  published: 'strata_messaging_published_total',
  consumed: 'strata_messaging_consumed_total',
  failed: 'strata_messaging_failed_total',
  deadLettered: 'strata_messaging_dead_lettered_total',
  outboxLag: 'strata_messaging_outbox_lag_seconds',
  consumerLag: 'strata_messaging_consumer_lag_seconds',
  consumerRestarts: 'strata_messaging_consumer_restarts_total',
  consumerGroupState: 'strata_messaging_consumer_group_state',
} as const;

/**
 * The lib's Prometheus metrics on one registry (default: prom-client's global registry):
 *
 * - `strata_messaging_published_total{topic}`: events handed to Kafka by the outbox relay (acked);
 * - `strata_messaging_consumed_total{topic,group}`: events whose handler committed (duplicates
 *   skipped by the inbox are not counted);
 * - `strata_messaging_failed_total{topic,group}`: failed handler attempts (each retry counts);
 * - `strata_messaging_dead_lettered_total{topic,group}`: events written to `<topic>.dlq`;
 * - `strata_messaging_outbox_lag_seconds{service}`: age in seconds of the oldest unsent outbox row
 *   (0 when the outbox is drained);
 * - `strata_messaging_consumer_lag_seconds{topic,group}`: age in seconds of the last consumed
 *   record's Kafka timestamp when it was consumed;
 * - `strata_messaging_consumer_restarts_total{group}`: restarts of a consumer group after a crash
 *   (each new consumer started by the runner's supervision counts once);
 * - `strata_messaging_consumer_group_state{group,state}`: 1 for the group's current state
 *   (`stopped` | `starting` | `running` | `restarting`), 0 for the others.
 *
 * Creating two instances on the same registry is safe: metrics are looked up with
 * `registry.getSingleMetric` before being created.
 */
export class MessagingMetrics {
  readonly published: Counter<'topic'>;
  readonly consumed: Counter<'topic' | 'group'>;
  readonly failed: Counter<'topic' | 'group'>;
  readonly deadLettered: Counter<'topic' | 'group'>;
  readonly outboxLag: Gauge<'service'>;
  readonly consumerLag: Gauge<'topic' | 'group'>;
  readonly consumerRestarts: Counter<'group'>;
  readonly consumerGroupState: Gauge<'group' | 'state'>;

  constructor(readonly registry: Registry = defaultRegistry) {
    this.published = this.counter(MESSAGING_METRIC_NAMES.published, 'Events published to Kafka by the outbox relay', ['topic']);
    this.consumed = this.counter(MESSAGING_METRIC_NAMES.consumed, 'Events handled and committed by a consumer', ['topic', 'group']);
    this.failed = this.counter(MESSAGING_METRIC_NAMES.failed, 'Failed handler attempts (each retry counts)', ['topic', 'group']);
    this.deadLettered = this.counter(MESSAGING_METRIC_NAMES.deadLettered, 'Events written to a dead-letter topic', ['topic', 'group']);
    this.outboxLag = this.gauge(MESSAGING_METRIC_NAMES.outboxLag, 'Age in seconds of the oldest unsent outbox row', ['service']);
    this.consumerLag = this.gauge(
      MESSAGING_METRIC_NAMES.consumerLag,
      'Age in seconds of the last consumed record (Kafka timestamp) when it was consumed',
      ['topic', 'group'],
    );
    this.consumerRestarts = this.counter(MESSAGING_METRIC_NAMES.consumerRestarts, 'Restarts of a consumer group after a crash', ['group']);
    this.consumerGroupState = this.gauge(
      MESSAGING_METRIC_NAMES.consumerGroupState,
      'Consumer group state: 1 for the current one (stopped, starting, running, restarting), 0 for the others',
      ['group', 'state'],
    );
  }

  private counter<L extends string>(name: string, help: string, labelNames: L[]): Counter<L> {
    const existing = this.registry.getSingleMetric(name);
    if (existing) return existing as Counter<L>;
    return new Counter<L>({ name, help, labelNames, registers: [this.registry] });
  }

  private gauge<L extends string>(name: string, help: string, labelNames: L[]): Gauge<L> {
    const existing = this.registry.getSingleMetric(name);
    if (existing) return existing as Gauge<L>;
    return new Gauge<L>({ name, help, labelNames, registers: [this.registry] });
  }
}
