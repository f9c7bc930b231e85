import type { Consumer, EachBatchPayload, IHeaders, Kafka, KafkaMessage, Producer } from 'kafkajs';
import type { DataSource, EntityManager } from 'typeorm';
import {
  deadLetterTopicOf,
  parseEnvelopeHeaders,
  type EventContract,
  type EventEnvelope,
  type EventValue,
  type RawHeaderValue,
} from '@strata/contracts';
import { broadcastGroupId, defaultInstanceId, positionNewGroupSince } from './broadcast-group';
import { messagingTables, type MessagingTables } from './db';
import { errorCode, errorMessage, EventValidationError, MessagingError, MessagingErrorCode } from './errors';
import { connectOrRelease, sleep } from './kafka';
import { stderrLogger, type MessagingLogger } from './logger';
import type { MessagingMetrics } from './metrics';
import { backoffDelayMs, DEFAULT_RETRY_POLICY, isRetryable, validateRetryPolicy, type RetryPolicy } from './retry-policy';

const CONSUMER_GROUP_STATES: readonly ConsumerGroupState[] = ['stopped', 'starting', 'running', 'restarting'];

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

interface Registration {
  contract: EventContract;
  handler: EventHandler;
  groupId: string;
  retry: RetryPolicy;
}

interface Group {
  groupId: string;
  /** A per-process group of broadcast handlers (positioned at the process start when new). */
  broadcast: boolean;
  registrations: Map<string, Registration>;
  /** The current kafkajs consumer (a new one after each restart). */
  consumer?: Consumer;
  state: ConsumerGroupState;
  since: number;
  restarts: number;
  /** Consecutive failed starts since the group last joined (drives the backoff). */
  failures: number;
  lastError?: string;
  lastErrorAt?: number;
  restartTimer?: NodeJS.Timeout;
  nextRestartAt?: number;
  /** The start (connect, subscribe, run) in progress, if any. */
  starting?: Promise<void>;
}

/**
 * Runs idempotent, transactional event handlers over Kafka consumer groups.
 *
 * Per record, sequentially within a partition:
 * 1. parse the CloudEvents headers and JSON value, validate with the contract's schema; if any of
 *    that fails the record goes straight to `<topic>.dlq` (the handler is never called);
 * 2. in ONE PostgreSQL transaction: insert `(group, ce_id)` into `inbox_event` (`ON CONFLICT DO
 *    NOTHING`; when it already exists the handler is skipped) and run the handler with that
 *    transaction's EntityManager; commit;
 * 3. only then resolve the offset; offsets are committed explicitly (`autoCommit: false`) after
 *    each batch and every `commitEvery` records;
 * 4. on failure: retry in-process with exponential backoff (retryable errors) up to
 *    `retry.attempts`, then write the untouched record (key, value bytes, headers) plus `dlq_*`
 *    headers to `<topic>.dlq`, retrying that write until it succeeds; only then move on.
 *
 * New groups start from the earliest offset (`fromBeginning: true`).
 *
 * Supervision: a group whose kafkajs consumer crashes — whatever the error, including the
 * `restart: false` crashes kafkajs gives up on (e.g. `Failed to find group coordinator` after a
 * broker restart) — or cannot connect is restarted with a fresh consumer, with exponential
 * backoff and jitter ({@link ConsumerRestartPolicy}), for as long as the runner runs. It is
 * `restarting` from the crash until the new consumer has joined the group ({@link groupStatuses};
 * `/health/ready` answers 503 meanwhile). Restarts resume from the committed offsets, which only
 * ever cover records whose transaction committed, so nothing is skipped; a record handled but not
 * yet committed is redelivered and skipped by the inbox, so nothing takes effect twice.
 */
export class EventConsumerRunner {
  private readonly groups = new Map<string, Group>();
  private readonly tables: MessagingTables;
  private readonly logger: MessagingLogger;
  private readonly retry: RetryPolicy;
  private readonly restartPolicy: ConsumerRestartPolicy;
  private dlqProducer: Producer | undefined;
  private abort = new AbortController();
  private running = false;
  /** When this runner (≈ the process) started: new broadcast groups start from here (minus the lookback). */
  private readonly createdAt = Date.now();

  constructor(private readonly options: EventConsumerRunnerOptions) {
    this.tables = messagingTables(options.dataSource);
    this.logger = options.logger ?? stderrLogger;
    this.retry = validateRetryPolicy(options.retry ?? { ...DEFAULT_RETRY_POLICY });
    this.restartPolicy = { ...DEFAULT_CONSUMER_RESTART_POLICY, ...options.restart };
    const { initialBackoffMs, maxBackoffMs, jitter = 0 } = this.restartPolicy;
    if (!(initialBackoffMs > 0) || !(maxBackoffMs >= initialBackoffMs) || !(jitter >= 0 && jitter <= 1)) {
      throw new MessagingError(
        MessagingErrorCode.CONFIGURATION_INVALID,
        `invalid consumer restart policy: need 0 < initialBackoffMs <= maxBackoffMs and 0 <= jitter <= 1, got ${JSON.stringify(this.restartPolicy)}`,
      );
    }
  }

  /** True between {@link start} and {@link stop}. */
  get isRunning(): boolean {
    return this.running;
  }

  /** Topics registered per group (for diagnostics). */
  subscriptions(): Array<{ groupId: string; topics: string[] }> {
    return [...this.groups.values()].map((g) => ({ groupId: g.groupId, topics: [...g.registrations.keys()] }));
  }

  /** State of every registered group (cheap, no I/O): for `/health/ready` and diagnostics. */
  groupStatuses(): ConsumerGroupStatus[] {
    return [...this.groups.values()].map((g) => ({
      groupId: g.groupId,
      state: g.state,
      topics: [...g.registrations.keys()],
      since: new Date(g.since).toISOString(),
      restarts: g.restarts,
      ...(g.lastError !== undefined ? { lastError: g.lastError, lastErrorAt: new Date(g.lastErrorAt ?? g.since).toISOString() } : {}),
      ...(g.state === 'restarting' && g.nextRestartAt !== undefined ? { nextRestartAt: new Date(g.nextRestartAt).toISOString() } : {}),
    }));
  }

  /**
   * Registers a handler for a contract's topic. Call before {@link start}.
   *
   * @throws MessagingError `CONFIGURATION_INVALID` when the runner is running or the topic already
   *   has a handler in that group.
   */
  register<C extends EventContract>(contract: C, handler: EventHandler<C>, options: ConsumeOptions = {}): this {
    if (this.running) {
      throw new MessagingError(MessagingErrorCode.CONFIGURATION_INVALID, `cannot register '${contract.topic}': the consumer runner is already running`);
    }
    const broadcast = options.broadcast === true;
    const base = options.groupId ?? this.options.groupId;
    const groupId = broadcast ? broadcastGroupId(base, this.options.instanceId ?? defaultInstanceId()) : base;
    const group: Group = this.groups.get(groupId) ?? { groupId, broadcast, registrations: new Map(), state: 'stopped', since: Date.now(), restarts: 0, failures: 0 };
    if (group.registrations.has(contract.topic)) {
      throw new MessagingError(
        MessagingErrorCode.CONFIGURATION_INVALID,
        `topic '${contract.topic}' already has a handler in consumer group '${groupId}'`,
      );
    }
    group.registrations.set(contract.topic, {
      contract,
      handler: handler as EventHandler,
      groupId,
      retry: validateRetryPolicy({ ...this.retry, ...options.retry }),
    });
    this.groups.set(groupId, group);
    return this;
  }

  /**
   * Connects one consumer per group, subscribes (from the earliest offset for new groups) and
   * starts consuming. Resolves once every group has joined, or has failed its first attempt and
   * is being restarted in the background (state `restarting`, see {@link groupStatuses}): a
   * broker that is down at start is not an error, the groups keep retrying until {@link stop}.
   */
  async start(): Promise<void> {
    if (this.running || this.groups.size === 0) return;
    this.running = true;
    this.abort = new AbortController();
    for (const group of this.groups.values()) {
      group.restarts = 0;
      group.failures = 0;
      this.setState(group, 'starting');
    }
    await Promise.all([...this.groups.values()].map((g) => this.launch(g)));
  }

  /**
   * Graceful stop: no new retries or restarts start, the record in flight finishes (its
   * transaction commits or rolls back), resolved offsets are committed, consumers and the DLQ
   * producer disconnect. A start still connecting is given up to 5 s to finish, then its consumer
   * is disconnected as soon as it connects.
   */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.abort.abort();
    await Promise.all(
      [...this.groups.values()].map(async (g) => {
        clearTimeout(g.restartTimer);
        g.restartTimer = undefined;
        g.nextRestartAt = undefined;
        const starting = g.starting;
        await this.disconnectGroup(g);
        if (starting) {
          let timer: NodeJS.Timeout | undefined;
          await Promise.race([starting, new Promise<void>((r) => (timer = setTimeout(r, 5000)))]);
          clearTimeout(timer);
          await this.disconnectGroup(g);
        }
        this.setState(g, 'stopped');
      }),
    );
    await this.dlqProducer?.disconnect().catch(() => undefined);
    this.dlqProducer = undefined;
  }

  private async disconnectGroup(g: Group): Promise<void> {
    const consumer = g.consumer;
    g.consumer = undefined;
    await consumer?.disconnect().catch((err) => this.logger.warn(`consumer disconnect failed: ${errorMessage(err)}`, { groupId: g.groupId }));
  }

  private setState(group: Group, state: ConsumerGroupState): void {
    if (group.state !== state) {
      group.state = state;
      group.since = Date.now();
    }
    const gauge = this.options.metrics?.consumerGroupState;
    if (gauge) for (const s of CONSUMER_GROUP_STATES) gauge.set({ group: group.groupId, state: s }, s === state ? 1 : 0);
  }

  /** One start attempt of a group; on failure schedules the next one. Never rejects. */
  private launch(group: Group): Promise<void> {
    const attempt = this.startGroup(group)
      .catch((err: unknown) => {
        if (this.running) this.crashed(group, group.consumer, err, 'could not start');
      })
      .finally(() => {
        if (group.starting === attempt) group.starting = undefined;
      });
    group.starting = attempt;
    return attempt;
  }

  /**
   * A consumer of the group crashed or failed to start: mark the group `restarting` (at once,
   * readiness turns 503) and schedule a fresh consumer after the backoff. Ignores stale
   * consumers (an older one than the group's current) and calls after {@link stop}.
   */
  private crashed(group: Group, consumer: Consumer | undefined, err: unknown, what: string): void {
    if (!this.running || consumer !== group.consumer || group.restartTimer) return;
    group.failures++;
    group.lastError = errorMessage(err);
    group.lastErrorAt = Date.now();
    this.setState(group, 'restarting');
    const delay = backoffDelayMs({ attempts: Infinity, ...this.restartPolicy }, group.failures + 1);
    group.nextRestartAt = Date.now() + delay;
    this.logger.error(`consumer group ${what}: ${group.lastError}; restarting it in ${delay} ms (failure ${group.failures} in a row)`, {
      groupId: group.groupId,
    });
    group.restartTimer = setTimeout(() => {
      group.restartTimer = undefined;
      group.nextRestartAt = undefined;
      void this.restart(group);
    }, delay);
  }

  private async restart(group: Group): Promise<void> {
    if (!this.running) return;
    await this.disconnectGroup(group);
    if (!this.running) return;
    group.restarts++;
    this.options.metrics?.consumerRestarts.inc({ group: group.groupId });
    this.logger.warn(`restarting consumer group (restart ${group.restarts})`, { groupId: group.groupId });
    await this.launch(group);
  }

  private async startGroup(group: Group): Promise<void> {
    if (group.broadcast) {
      await positionNewGroupSince(this.options.kafka, group.groupId, [...group.registrations.keys()], this.createdAt - (this.options.broadcastLookbackMs ?? 60_000));
    }
    const consumer = this.options.kafka.consumer({
      groupId: group.groupId,
      sessionTimeout: this.options.sessionTimeout ?? 10_000,
      heartbeatInterval: this.options.heartbeatInterval ?? 1000,
      maxWaitTimeInMs: 500,
      // kafkajs restarts a crashed consumer only for some errors (`restart: true`); every crash is
      // handled by this runner's supervision instead, one path with one backoff and one state.
      retry: { ...(this.options.kafkaRetry ?? { retries: 10, initialRetryTime: 300, maxRetryTime: 10_000 }), restartOnFailure: async () => false },
    });
    group.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, () => {
      if (consumer !== group.consumer || !this.running) return;
      if (group.state === 'restarting' || group.failures > 0) {
        this.logger.log(`consumer group joined again after ${group.restarts} restart(s)`, { groupId: group.groupId });
      }
      group.failures = 0;
      this.setState(group, 'running');
    });
    consumer.on(consumer.events.CRASH, (e) => this.crashed(group, consumer, e.payload.error, 'crashed'));
    await consumer.connect();
    await consumer.subscribe({ topics: [...group.registrations.keys()], fromBeginning: true });
    if (consumer !== group.consumer || !this.running) {
      // stopped (or superseded) while connecting: do not leave a connected consumer behind
      await consumer.disconnect().catch(() => undefined);
      return;
    }
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 3,
      eachBatch: (payload) => this.eachBatch(group, payload),
    });
    if (consumer !== group.consumer || !this.running) {
      // stop() came while it was joining (kafkajs' disconnect cannot stop a runner that has not
      // started yet): disconnect it now that it has, or it would consume and hold its sockets.
      await consumer.disconnect().catch(() => undefined);
    }
  }

  private async eachBatch(group: Group, payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, heartbeat, isRunning, isStale, commitOffsetsIfNecessary } = payload;
    const reg = group.registrations.get(batch.topic);
    if (!reg) return;
    const commitEvery = this.options.commitEvery ?? 100;
    let next: string | undefined;
    let sinceCommit = 0;
    const commit = async (): Promise<void> => {
      if (next === undefined || sinceCommit === 0) return;
      await commitOffsetsIfNecessary({ topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: next }] }] });
      sinceCommit = 0;
    };
    try {
      for (const message of batch.messages) {
        if (!isRunning() || isStale()) break;
        const done = await this.process(reg, batch.topic, batch.partition, message, heartbeat);
        if (!done) break;
        resolveOffset(message.offset);
        next = (BigInt(message.offset) + 1n).toString();
        if (++sinceCommit >= commitEvery) await commit();
        await heartbeat().catch(() => undefined);
      }
    } finally {
      await commit();
    }
  }

  /** Handles one record to completion (handled, skipped, or dead-lettered). False = leave it for redelivery. */
  private async process(
    reg: Registration,
    topic: string,
    partition: number,
    message: KafkaMessage,
    heartbeat: () => Promise<void>,
  ): Promise<boolean> {
    const labels = { topic, group: reg.groupId };
    const ts = Number(message.timestamp);
    if (Number.isFinite(ts)) this.options.metrics?.consumerLag.set(labels, Math.max(0, (Date.now() - ts) / 1000));
    const headers = (message.headers ?? {}) as Readonly<Record<string, RawHeaderValue>>;

    let envelope: EventEnvelope;
    let value: unknown;
    try {
      envelope = parseEnvelopeHeaders(headers, reg.contract.type);
      let json: unknown;
      try {
        json = JSON.parse(message.value ? message.value.toString('utf8') : '');
      } catch (err) {
        throw new MessagingError(MessagingErrorCode.EVENT_JSON_INVALID, `record value on topic '${topic}' is not valid JSON: ${errorMessage(err)}`);
      }
      const parsed = reg.contract.schema.safeParse(json);
      if (!parsed.success) throw new EventValidationError(topic, parsed.error.issues, parsed.error);
      value = parsed.data;
    } catch (err) {
      this.options.metrics?.failed.inc(labels);
      return this.deadLetter(reg, topic, partition, message, err, 0, heartbeat);
    }

    for (let attempt = 1; ; attempt++) {
      try {
        const outcome = await this.options.dataSource.transaction(async (manager) => {
          const inserted: unknown[] = await manager.query(
            `INSERT INTO ${this.tables.inbox} (consumer_group, event_id, topic, partition, "offset")
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING event_id`,
            [reg.groupId, envelope.id, topic, partition, message.offset],
          );
          if (inserted.length === 0) return 'duplicate' as const;
          await reg.handler(value as EventValue<EventContract>, {
            manager,
            eventId: envelope.id,
            topic,
            partition,
            offset: message.offset,
            key: message.key ? message.key.toString('utf8') : null,
            headers,
            envelope,
            traceparent: envelope.traceparent,
            groupId: reg.groupId,
            attempt,
            heartbeat,
          });
          return 'handled' as const;
        });
        if (outcome === 'handled') this.options.metrics?.consumed.inc(labels);
        else this.logger.debug?.('duplicate event skipped (inbox)', { eventId: envelope.id, topic, groupId: reg.groupId });
        return true;
      } catch (err) {
        this.options.metrics?.failed.inc(labels);
        const retryable = isRetryable(err);
        this.logger.warn(`handler failed (attempt ${attempt}/${reg.retry.attempts}${retryable ? '' : ', not retryable'}): ${errorMessage(err)}`, {
          eventId: envelope.id,
          topic,
          partition,
          offset: message.offset,
          groupId: reg.groupId,
        });
        if (!retryable || attempt >= reg.retry.attempts) return this.deadLetter(reg, topic, partition, message, err, attempt, heartbeat);
        if (this.abort.signal.aborted) return false;
        await heartbeat().catch(() => undefined);
        await sleep(backoffDelayMs(reg.retry, attempt + 1), this.abort.signal);
        if (this.abort.signal.aborted) return false;
        await heartbeat().catch(() => undefined);
      }
    }
  }

  /**
   * Writes the record, unchanged, to `<topic>.dlq` with `dlq_*` headers. Retries the write until
   * it succeeds; returns false (leave the record uncommitted) only when stopping.
   */
  private async deadLetter(
    reg: Registration,
    topic: string,
    partition: number,
    message: KafkaMessage,
    err: unknown,
    attempts: number,
    heartbeat: () => Promise<void>,
  ): Promise<boolean> {
    const headers: IHeaders = {
      ...(message.headers ?? {}),
      [DLQ_HEADERS.error]: errorMessage(err).slice(0, 4000),
      [DLQ_HEADERS.errorCode]: errorCode(err),
      [DLQ_HEADERS.attempts]: String(attempts),
      [DLQ_HEADERS.originalTopic]: topic,
      [DLQ_HEADERS.originalPartition]: String(partition),
      [DLQ_HEADERS.originalOffset]: message.offset,
      [DLQ_HEADERS.failedAt]: new Date().toISOString(),
      [DLQ_HEADERS.consumerGroup]: reg.groupId,
    };
    const dlq = deadLetterTopicOf(topic);
    for (let i = 1; ; i++) {
      try {
        const producer = await this.ensureDlqProducer();
        await producer.send({ topic: dlq, acks: -1, messages: [{ key: message.key, value: message.value, headers }] });
        this.options.metrics?.deadLettered.inc({ topic, group: reg.groupId });
        this.logger.error(`event dead-lettered to '${dlq}' after ${attempts} attempt(s): ${errorMessage(err)}`, {
          topic,
          partition,
          offset: message.offset,
          groupId: reg.groupId,
          errorCode: errorCode(err),
        });
        return true;
      } catch (sendErr) {
        this.logger.warn(`writing to dead-letter topic '${dlq}' failed (try ${i}): ${errorMessage(sendErr)}`);
        const p = this.dlqProducer;
        this.dlqProducer = undefined;
        await p?.disconnect().catch(() => undefined);
        if (this.abort.signal.aborted) return false;
        await heartbeat().catch(() => undefined);
        await sleep(backoffDelayMs({ attempts: Infinity, initialBackoffMs: 200, maxBackoffMs: 5000 }, i + 1), this.abort.signal);
      }
    }
  }

  private async ensureDlqProducer(): Promise<Producer> {
    if (this.dlqProducer) return this.dlqProducer;
    const producer = await connectOrRelease(this.options.kafka.producer({ idempotent: true, maxInFlightRequests: 1 }));
    this.dlqProducer = producer;
    return producer;
  }
}
