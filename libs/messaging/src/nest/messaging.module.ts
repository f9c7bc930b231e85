import {
  Global,
  Inject,
  Injectable,
  Logger,
  Module,
  Optional,
  type BeforeApplicationShutdown,
  type DynamicModule,
  type OnApplicationBootstrap,
  type OnModuleInit,
  type Provider,
} from '@nestjs/common';
import { DiscoveryModule, DiscoveryService, MetadataScanner } from '@nestjs/core';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { Kafka } from 'kafkajs';
import type { Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import { EventConsumerRunner, type BatchEventHandler, type ConsumerRestartPolicy, type EventHandler } from '../core/consumer';
import { DeadLetterService } from '../core/dead-letters';
import { createKafka } from '../core/kafka';
import type { MessagingLogger } from '../core/logger';
import { MessagingMetrics } from '../core/metrics';
import { EventPublisher } from '../core/publisher';
import { OutboxRelay } from '../core/relay';
import { MessagingRetention } from '../core/retention';
import type { RetryPolicy } from '../core/retry-policy';
import type { ConsumeEventMetadata } from './consume-event.decorator';
import { DeadLetterController } from './dead-letters.controller';
import { CONSUME_EVENT_METADATA, KAFKA_CLIENT, MESSAGING_OPTIONS, MESSAGING_READY_GATE, type MessagingReadyGate } from './messaging.constants';
import { MessagingHealth } from './messaging-health';

/** Options of {@link MessagingModule.forRoot}. */
export interface MessagingModuleOptions {
  /** The service name: Kafka clientId and default groupId, `ce_source` = `/strata/<serviceName>`. */
  serviceName: string;
  /** Kafka brokers (`['127.0.0.1:9092']` or a comma-separated string). */
  brokers: string[] | string;
  /** Kafka clientId (default: serviceName). */
  clientId?: string;
  /** Default consumer group (default: serviceName). */
  groupId?: string;
  /**
   * This process's id among the service's replicas (default `<hostname>-<pid>`): handlers marked
   * `@ConsumeEvent(C, { broadcast: true })` consume in group `<groupId>.<instanceId>`, so every
   * replica receives every such event.
   */
  instanceId?: string;
  /** Handler retry policy (default 5 attempts, 200 ms doubling up to 10 s). */
  retry?: RetryPolicy;
  /** Publisher: `notify: false` skips `pg_notify` on publish (see `EventPublisherOptions.notify`; default true). */
  publisher?: { notify?: boolean };
  /** Outbox relay tuning. */
  relay?: { pollIntervalMs?: number; batchSize?: number; maxRequestBytes?: number; compression?: 'none' | 'gzip'; enabled?: boolean };
  /** Consumer tuning; `restart` = backoff between restarts of a crashed group (default 0.5 s doubling up to 15 s). */
  consumer?: {
    sessionTimeout?: number;
    heartbeatInterval?: number;
    partitionsConsumedConcurrently?: number;
    /** Records of one partition per PostgreSQL transaction (default 500; 1 = one per record). */
    maxBatchRecords?: number;
    restart?: Partial<ConsumerRestartPolicy>;
    enabled?: boolean;
  };
  /** Name of the @nestjs/typeorm DataSource (default: the default one). */
  dataSourceName?: string;
  /** prom-client registry (default: the global registry). */
  registry?: Registry;
  /** Mount `GET /dead-letters`, `POST /dead-letters/replay` (default true). */
  deadLetterController?: boolean;
  /** Timeout of `MessagingHealth.checkKafka()` in ms (default 3000). */
  healthTimeoutMs?: number;
  /** Purging of sent outbox rows and old inbox rows (see {@link MessagingRetention}); on by default. */
  retention?: { enabled?: boolean; outboxRetentionMs?: number; inboxRetentionMs?: number; intervalMs?: number };
}

function nestLogger(context: string): MessagingLogger {
  const logger = new Logger(context);
  const fmt = (m: string, c?: Record<string, unknown>): string => (c ? `${m} ${JSON.stringify(c)}` : m);
  return {
    debug: (m, c) => logger.debug(fmt(m, c)),
    log: (m, c) => logger.log(fmt(m, c)),
    warn: (m, c) => logger.warn(fmt(m, c)),
    error: (m, c) => logger.error(fmt(m, c)),
  };
}

/**
 * Wires handlers and lifecycles: discovers `@ConsumeEvent` methods at module init, starts the
 * relay and the consumers at application bootstrap, stops both (gracefully) before application
 * shutdown, while the DataSource is still open.
 *
 * @internal
 */
@Injectable()
export class MessagingLifecycle implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Messaging');

  constructor(
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingModuleOptions,
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly runner: EventConsumerRunner,
    private readonly relay: OutboxRelay,
    private readonly retention: MessagingRetention,
    @Optional() @Inject(MESSAGING_READY_GATE) private readonly readyGate?: MessagingReadyGate,
  ) {}

  private stopping = false;

  onModuleInit(): void {
    for (const wrapper of [...this.discovery.getProviders(), ...this.discovery.getControllers()]) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!instance || typeof instance !== 'object') continue;
      const proto = Object.getPrototypeOf(instance) as object | null;
      if (!proto) continue;
      for (const name of this.scanner.getAllMethodNames(proto)) {
        const method = instance[name];
        if (typeof method !== 'function') continue;
        const metas: ConsumeEventMetadata[] | undefined = Reflect.getMetadata(CONSUME_EVENT_METADATA, method);
        if (!metas) continue;
        if (!wrapper.isDependencyTreeStatic()) {
          this.logger.warn(`@ConsumeEvent on ${wrapper.name}.${name} ignored: request-scoped providers cannot consume events`);
          continue;
        }
        for (const { contract, options, batch } of metas) {
          if (batch) this.runner.registerBatch(contract, (method as BatchEventHandler).bind(instance), options);
          else this.runner.register(contract, (method as EventHandler).bind(instance), options);
          this.logger.log(`${wrapper.name}.${name} consumes ${contract.topic}`);
        }
      }
    }
  }

  /**
   * Starts the relay and consumers; with a ready gate, in the background once it resolves, so
   * the HTTP server (and /health/ready, which then reports the database) comes up meanwhile.
   */
  async onApplicationBootstrap(): Promise<void> {
    const start = async (): Promise<void> => {
      if (this.stopping) return;
      if (this.options.relay?.enabled !== false) this.relay.start();
      if (this.options.retention?.enabled !== false) this.retention.start(this.options.retention?.intervalMs);
      if (this.options.consumer?.enabled !== false) await this.runner.start();
    };
    if (!this.readyGate) return start();
    void this.readyGate()
      .then(start)
      .catch((e: unknown) => this.logger.error(`messaging failed to start: ${e instanceof Error ? e.message : String(e)}`));
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.retention.stop();
    await this.runner.stop();
    await this.relay.stop();
  }
}

/**
 * Nest module of @strata/messaging (global). Needs the app's TypeORM DataSource (from
 * `TypeOrmModule.forRoot`, whose `entities`/`migrations` include MESSAGING_ENTITIES and
 * MESSAGING_MIGRATIONS). Provides {@link EventPublisher}, {@link OutboxRelay},
 * {@link EventConsumerRunner}, {@link DeadLetterService}, {@link MessagingHealth},
 * {@link MessagingMetrics}, the `KAFKA_CLIENT` and, unless disabled, {@link DeadLetterController}.
 *
 * ```ts
 * @Module({
 *   imports: [
 *     TypeOrmModule.forRoot({ type: 'postgres', url, schema: 'registry',
 *       entities: [...MESSAGING_ENTITIES, ...], migrations: [...MESSAGING_MIGRATIONS, ...], migrationsRun: true }),
 *     MessagingModule.forRoot({ serviceName: 'registry', brokers: config.kafka.brokers,
 *       retry: { attempts: 5, initialBackoffMs: 200, maxBackoffMs: 10_000 } }),
 *   ],
 * })
 * export class AppModule {}
 * ```
 */
@Global()
@Module({})
export class MessagingModule {
  static forRoot(options: MessagingModuleOptions): DynamicModule {
    const dataSourceToken = getDataSourceToken(options.dataSourceName);
    const providers: Provider[] = [
      { provide: MESSAGING_OPTIONS, useValue: options },
      {
        provide: KAFKA_CLIENT,
        useFactory: (): Kafka =>
          createKafka({ brokers: options.brokers, clientId: options.clientId ?? options.serviceName, logger: nestLogger('Kafka') }),
      },
      { provide: MessagingMetrics, useFactory: () => new MessagingMetrics(options.registry) },
      {
        provide: OutboxRelay,
        inject: [dataSourceToken, KAFKA_CLIENT, MessagingMetrics],
        useFactory: (dataSource: DataSource, kafka: Kafka, metrics: MessagingMetrics) =>
          new OutboxRelay({
            dataSource,
            kafka,
            serviceName: options.serviceName,
            pollIntervalMs: options.relay?.pollIntervalMs,
            batchSize: options.relay?.batchSize,
            maxRequestBytes: options.relay?.maxRequestBytes,
            compression: options.relay?.compression,
            metrics,
            logger: nestLogger('OutboxRelay'),
          }),
      },
      {
        provide: EventPublisher,
        inject: [OutboxRelay],
        useFactory: (relay: OutboxRelay) => new EventPublisher({ serviceName: options.serviceName, onPublished: () => relay.wake(), notify: options.publisher?.notify }),
      },
      {
        provide: EventConsumerRunner,
        inject: [dataSourceToken, KAFKA_CLIENT, MessagingMetrics],
        useFactory: (dataSource: DataSource, kafka: Kafka, metrics: MessagingMetrics) =>
          new EventConsumerRunner({
            kafka,
            dataSource,
            groupId: options.groupId ?? options.serviceName,
            instanceId: options.instanceId,
            retry: options.retry,
            sessionTimeout: options.consumer?.sessionTimeout,
            heartbeatInterval: options.consumer?.heartbeatInterval,
            partitionsConsumedConcurrently: options.consumer?.partitionsConsumedConcurrently,
            maxBatchRecords: options.consumer?.maxBatchRecords,
            restart: options.consumer?.restart,
            metrics,
            logger: nestLogger('EventConsumer'),
          }),
      },
      {
        provide: DeadLetterService,
        inject: [KAFKA_CLIENT],
        useFactory: (kafka: Kafka) => new DeadLetterService({ kafka, logger: nestLogger('DeadLetters') }),
      },
      {
        provide: MessagingHealth,
        inject: [KAFKA_CLIENT, EventConsumerRunner],
        useFactory: (kafka: Kafka, runner: EventConsumerRunner) =>
          new MessagingHealth(kafka, options.healthTimeoutMs, runner, options.consumer?.enabled !== false),
      },
      {
        provide: MessagingRetention,
        inject: [dataSourceToken],
        useFactory: (dataSource: DataSource) =>
          new MessagingRetention({
            dataSource,
            logger: nestLogger('MessagingRetention'),
            outboxRetentionMs: options.retention?.outboxRetentionMs,
            inboxRetentionMs: options.retention?.inboxRetentionMs,
          }),
      },
      MessagingLifecycle,
    ];
    return {
      module: MessagingModule,
      imports: [DiscoveryModule],
      controllers: options.deadLetterController === false ? [] : [DeadLetterController],
      providers,
      exports: [KAFKA_CLIENT, MessagingMetrics, OutboxRelay, EventPublisher, EventConsumerRunner, DeadLetterService, MessagingHealth, MessagingRetention],
    };
  }
}
