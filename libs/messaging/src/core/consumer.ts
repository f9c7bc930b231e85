import type { Consumer, EachBatchPayload } from 'kafkajs';
import type { EventContract } from '@strata/contracts';
import { broadcastGroupId, defaultInstanceId, positionNewGroupSince } from './broadcast-group';
import { messagingTables, type MessagingTables } from './db';
import { errorMessage, MessagingError, MessagingErrorCode } from './errors';
import { DeadLetterWriter } from './dead-letter-writer';
import { PartitionProcessor } from './partition-processor';
import { OffsetLagTracker } from './offset-lag';
import { stderrLogger, type MessagingLogger } from './logger';
import { backoffDelayMs, DEFAULT_RETRY_POLICY, validateRetryPolicy, type RetryPolicy } from './retry-policy';
import {
  DEFAULT_CONSUMER_RESTART_POLICY,
  type ConsumeOptions,
  type ConsumerGroupState,
  type ConsumerGroupStatus,
  type BatchEventHandler,
  type ConsumerRestartPolicy,
  type EventConsumerRunnerOptions,
  type EventHandler,
} from './consumer.types';
import { CONSUMER_GROUP_STATES, type Group } from './consumer-group';

export * from './consumer.types';

/**
 * Runs idempotent, transactional event handlers over Kafka consumer groups.
 *
 * Sequentially within a partition (see {@link PartitionProcessor}):
 * 1. parse the CloudEvents headers and JSON value, validate with the contract's schema; if any of
 *    that fails the record goes straight to `<topic>.dlq` (the handler is never called);
 * 2. in ONE PostgreSQL transaction per run of up to `maxBatchRecords` records (default 500; 1 =
 *    one transaction per record): insert their `(group, ce_id)` rows into `inbox_event` with one
 *    statement (`ON CONFLICT DO NOTHING`; a record whose row exists, or a second copy of an id in
 *    the run, is skipped) and run the handlers in offset order with that transaction's
 *    EntityManager; commit. A handler failure rolls the run back: the records before it go
 *    again as a batch, the failing one alone (retries, then the DLQ), the rest batched again;
 * 3. only then resolve the offsets; offsets are committed explicitly (`autoCommit: false`) after
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
  private readonly deadLetters: DeadLetterWriter;
  private readonly processor: PartitionProcessor;
  private readonly lag = new OffsetLagTracker();
  private abort = new AbortController();
  private running = false;
  /** When this runner (≈ the process) started: new broadcast groups start from here (minus the lookback). */
  private readonly createdAt = Date.now();

  constructor(private readonly options: EventConsumerRunnerOptions) {
    this.tables = messagingTables(options.dataSource);
    this.logger = options.logger ?? stderrLogger;
    this.deadLetters = new DeadLetterWriter(options, this.logger, () => this.abort.signal);
    this.retry = validateRetryPolicy(options.retry ?? { ...DEFAULT_RETRY_POLICY });
    const maxBatchRecords = options.maxBatchRecords ?? 500;
    if (!Number.isInteger(maxBatchRecords) || maxBatchRecords < 1) {
      throw new MessagingError(MessagingErrorCode.CONFIGURATION_INVALID, `invalid maxBatchRecords: need an integer >= 1, got ${maxBatchRecords}`);
    }
    this.processor = new PartitionProcessor({
      dataSource: options.dataSource,
      inbox: this.tables.inbox,
      deadLetters: this.deadLetters,
      logger: this.logger,
      metrics: options.metrics,
      maxBatchRecords,
      commitEvery: options.commitEvery ?? 100,
      aborted: () => this.abort.signal.aborted,
      signal: () => this.abort.signal,
      lag: this.lag,
    });
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
      ...(this.lag.of(g.groupId) ? { lag: this.lag.of(g.groupId) } : {}),
    }));
  }

  /**
   * Registers a handler for a contract's topic. Call before {@link start}.
   *
   * @throws MessagingError `CONFIGURATION_INVALID` when the runner is running or the topic already
   *   has a handler in that group.
   */
  register<C extends EventContract>(contract: C, handler: EventHandler<C>, options: ConsumeOptions = {}): this {
    return this.add(contract, handler as EventHandler, undefined, options);
  }

  /**
   * Registers a handler that gets a whole run of a partition's new events at once (in offset
   * order, duplicates already removed by the inbox), with the run's transaction, so it can write
   * their effects in bulk (e.g. one multi-row INSERT). It runs once per run; when it throws, the
   * run rolls back and each of its events is handed to it alone (a one-element array) with the
   * usual retries and dead letters. Call before {@link start}.
   *
   * @throws MessagingError `CONFIGURATION_INVALID` as {@link register}.
   */
  registerBatch<C extends EventContract>(contract: C, handler: BatchEventHandler<C>, options: ConsumeOptions = {}): this {
    const batch = handler as BatchEventHandler;
    return this.add(contract, (value, context) => batch([{ value, context }], context.manager), batch, options);
  }

  private add(contract: EventContract, handler: EventHandler, batchHandler: BatchEventHandler | undefined, options: ConsumeOptions): this {
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
      handler,
      batchHandler,
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
    await this.deadLetters.close();
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
      // the assignment may have changed: lag is counted again from the next batches
      this.lag.reset(group.groupId);
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

  private eachBatch(group: Group, payload: EachBatchPayload): Promise<void> {
    const reg = group.registrations.get(payload.batch.topic);
    return reg ? this.processor.eachBatch(reg, payload) : Promise.resolve();
  }
}
