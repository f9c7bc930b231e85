/** Shapes of event consumption: handler context, options, group states and statuses, restart policy, DLQ headers. */
import type { Kafka } from 'kafkajs';
import type { DataSource, EntityManager } from 'typeorm';
import type { EventContract, EventEnvelope, EventValue, RawHeaderValue } from '@strata/contracts';
import type { MessagingLogger } from './logger';
import type { MessagingMetrics } from './metrics';
import type { RetryPolicy } from './retry-policy';
import type { ConsumerGroupLag } from './offset-lag';

/** Header names added to a record written to a dead-letter topic. */
export const DLQ_HEADERS = {
  error: 'dlq_error',
  errorCode: 'dlq_error_code',
  attempts: 'dlq_attempts',
  originalTopic: 'dlq_original_topic',
  originalPartition: 'dlq_original_partition',
  originalOffset: 'dlq_original_offset',
  failedAt: 'dlq_failed_at',
  consumerGroup: 'dlq_consumer_group',
} as const;

/** What a handler gets besides the value. */
export interface EventContext {
  /** EntityManager of the transaction that also records the inbox row: write your effects with it. */
  manager: EntityManager;
  /** `ce_id`. */
  eventId: string;
  topic: string;
  partition: number;
  /** Kafka offset (int64 as string). */
  offset: string;
  /** Record key (the aggregate id), or null. */
  key: string | null;
  /** Raw record headers as delivered. */
  headers: Readonly<Record<string, RawHeaderValue>>;
  /** Parsed CloudEvents attributes. */
  envelope: EventEnvelope;
  /** W3C traceparent of the event, if it had one. */
  traceparent: string | undefined;
  /** Consumer group. */
  groupId: string;
  /** 1 for the first try, 2 for the first retry, … */
  attempt: number;
  /** Call from long handlers (longer than a few seconds) to keep the group membership alive. */
  heartbeat: () => Promise<void>;
}

/**
 * A handler. Throw to fail: an error with `retryable: false` goes to `<topic>.dlq` at once; any
 * other error is retried with backoff up to the policy's attempts, then dead-lettered. The
 * handler's database work must use `context.manager` so it commits or rolls back together with
 * the inbox row.
 */
export type EventHandler<C extends EventContract = EventContract> = (value: EventValue<C>, context: EventContext) => Promise<void> | void;

/** One new event of a run handed to a {@link BatchEventHandler}. */
export interface BatchEvent<C extends EventContract = EventContract> {
  value: EventValue<C>;
  context: EventContext;
}

/**
 * A handler of a whole run of new events of one partition (`EventConsumerRunner.registerBatch`),
 * in offset order, inside the run's transaction (`manager`, also each `context.manager`): write
 * their effects with it, in bulk. Throwing fails the run (see `registerBatch`).
 */
export type BatchEventHandler<C extends EventContract = EventContract> = (events: ReadonlyArray<BatchEvent<C>>, manager: EntityManager) => Promise<void> | void;

/** Per-registration options. */
export interface ConsumeOptions {
  /** Consumer group; defaults to the runner's (the service name). */
  groupId?: string;
  /**
   * Every instance of the service handles every event of this topic (per-process state, e.g.
   * loaded models), instead of one instance per event: the handler runs in a group of its own per
   * process, `<group>.<instanceId>`, starting at the events published since shortly before the
   * process started (see broadcast-group.ts). Default false (work shared by the instances).
   */
  broadcast?: boolean;
  /** Overrides of the runner's retry policy for this topic. */
  retry?: Partial<RetryPolicy>;
}

/**
 * State of one consumer group of an {@link EventConsumerRunner}:
 * - `stopped`: before {@link EventConsumerRunner.start} or after {@link EventConsumerRunner.stop};
 * - `starting`: started, has not joined the group yet;
 * - `running`: joined the group (and stays so through rebalances);
 * - `restarting`: the kafkajs consumer crashed (any error, `restart: true` or `false`) or could not
 *   connect; a new consumer is being started with backoff. Until it has joined again.
 */
export type ConsumerGroupState = 'stopped' | 'starting' | 'running' | 'restarting';

/** Snapshot of one consumer group, for readiness and diagnostics. */
export interface ConsumerGroupStatus {
  groupId: string;
  state: ConsumerGroupState;
  /** Topics the group consumes. */
  topics: string[];
  /** ISO time the group entered `state`. */
  since: string;
  /** Restarts after a crash since {@link EventConsumerRunner.start} (also a Prometheus counter). */
  restarts: number;
  /** Message of the last crash or failed restart, if any (kept after the group recovered). */
  lastError?: string;
  /** ISO time of {@link lastError}. */
  lastErrorAt?: string;
  /** When `restarting`: ISO time of the next restart attempt, if one is scheduled. */
  nextRestartAt?: string;
  /** Offset lag as of the last batches this process fetched (no broker call); absent before the first batch since it joined. */
  lag?: ConsumerGroupLag;
}

/** Backoff between restarts of a crashed consumer group (exponential, ±20 % jitter, unlimited attempts). */
export interface ConsumerRestartPolicy {
  /** Delay before the first restart in ms (default 500). */
  initialBackoffMs: number;
  /** Upper bound of the delay in ms (default 15 000). */
  maxBackoffMs: number;
  /** Relative jitter, 0–1 (default 0.2). */
  jitter?: number;
}

/** Default {@link ConsumerRestartPolicy}: 0.5 s doubling up to 15 s, ±20 % jitter. */
export const DEFAULT_CONSUMER_RESTART_POLICY: Readonly<ConsumerRestartPolicy> = { initialBackoffMs: 500, maxBackoffMs: 15_000, jitter: 0.2 };

/** Configuration of an {@link EventConsumerRunner}. */
export interface EventConsumerRunnerOptions {
  kafka: Kafka;
  dataSource: DataSource;
  /** Default consumer group (the service name by convention). */
  groupId: string;
  /** This process's id among the service's instances (broadcast groups; default `<hostname>-<pid>`). */
  instanceId?: string;
  /** How far before the runner's creation a new broadcast group starts, ms (default 60 000: clock skew between hosts). */
  broadcastLookbackMs?: number;
  /** Default retry policy (default 5 attempts, 200 ms doubling, max 10 s). */
  retry?: RetryPolicy;
  /** Group session timeout in ms (default 10 000; the broker's minimum is 6 000). */
  sessionTimeout?: number;
  /** Heartbeat interval in ms (default 1 000). */
  heartbeatInterval?: number;
  /** Partitions processed in parallel per group (default 3); each partition stays sequential. */
  partitionsConsumedConcurrently?: number;
  /**
   * Records of one partition handled in one PostgreSQL transaction, their inbox rows inserted
   * with one statement (default 500). 1 = one transaction per record (slower; handlers' in-process
   * side effects never re-run because of another record's failure).
   */
  maxBatchRecords?: number;
  /** Commit offsets at least every this many messages within a batch (default 100). */
  commitEvery?: number;
  /**
   * How long a kafkajs consumer retries a failing broker call before it gives up and crashes
   * (then this runner restarts the group): default 10 retries, 300 ms doubling up to 10 s (about
   * a minute).
   */
  kafkaRetry?: { retries: number; initialRetryTime: number; maxRetryTime: number };
  /** Backoff between restarts of a crashed group (default {@link DEFAULT_CONSUMER_RESTART_POLICY}). */
  restart?: Partial<ConsumerRestartPolicy>;
  metrics?: MessagingMetrics;
  logger?: MessagingLogger;
}
