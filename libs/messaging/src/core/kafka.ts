import { kafkaSecurityFromEnv } from '@strata/shared/auth';
import { Kafka, logLevel, type KafkaConfig, type LogEntry } from 'kafkajs';
import { KafkaUnavailableError } from './errors';
import type { MessagingLogger } from './logger';

/** Connection settings for {@link createKafka}. */
export interface KafkaConnectionOptions {
  /** Broker list, e.g. `['127.0.0.1:9092']` or `'127.0.0.1:9092,127.0.0.1:9093'`. */
  brokers: string[] | string;
  /** Client id (= service name by convention). */
  clientId: string;
  /** kafkajs retry settings; defaults retry for ~1 minute so a broker restart is ridden out. */
  retry?: KafkaConfig['retry'];
  /** Where kafkajs logs go (warn and error only by default). */
  logger?: MessagingLogger;
  /** Connection timeout in ms (default 3000). */
  connectionTimeout?: number;
  /**
   * SASL authentication (PLAIN / SCRAM-SHA-256 / SCRAM-SHA-512); default: from the environment
   * (`KAFKA_SASL_MECHANISM`, `KAFKA_SASL_USERNAME`, `KAFKA_SASL_PASSWORD[_FILE]`, see
   * `kafkaSecurityFromEnv` in @strata/shared/auth and docs/security.md); none when unset.
   */
  sasl?: KafkaConfig['sasl'];
  /** TLS to the brokers; default: from the environment (`KAFKA_SSL=true`, `KAFKA_SSL_CA_FILE`); off when unset. */
  ssl?: KafkaConfig['ssl'];
}

/** Parses a broker list given as an array or a comma-separated string. */
export function parseBrokers(brokers: string[] | string): string[] {
  const list = (Array.isArray(brokers) ? brokers : brokers.split(',')).map((b) => b.trim()).filter(Boolean);
  if (list.length === 0) throw new RangeError('at least one Kafka broker is required');
  return list;
}

/**
 * A kafkajs client with Strata's defaults: generous retries (a broker restart takes seconds),
 * kafkajs logs routed to `logger` at WARN and above, SASL/TLS from the environment
 * (`kafkaSecurityFromEnv(process.env)`) unless `options.sasl` / `options.ssl` are given.
 * @throws Error naming the variable when the SASL/TLS environment is invalid (e.g. an unknown mechanism)
 */
export function createKafka(options: KafkaConnectionOptions): Kafka {
  const logger = options.logger;
  return new Kafka({
    clientId: options.clientId,
    brokers: parseBrokers(options.brokers),
    connectionTimeout: options.connectionTimeout ?? 3000,
    retry: options.retry ?? { retries: 12, initialRetryTime: 300, maxRetryTime: 10_000 },
    ...(kafkaSecurityFromEnv() as Pick<KafkaConfig, 'sasl' | 'ssl'>),
    ...(options.sasl ? { sasl: options.sasl } : {}),
    ...(options.ssl !== undefined ? { ssl: options.ssl } : {}),
    logLevel: logger ? logLevel.WARN : logLevel.NOTHING,
    logCreator:
      () =>
      ({ level, log }: LogEntry) => {
        if (!logger) return;
        const { message, ...rest } = log;
        const ctx = { ...rest, kafkajs: true } as Record<string, unknown>;
        if (level === logLevel.ERROR) logger.error(message, ctx);
        else if (level === logLevel.WARN) logger.warn(message, ctx);
        else logger.log(message, ctx);
      },
  });
}

/**
 * Health check: a metadata round-trip (`describeCluster`) with a short timeout, for
 * `/health/ready`.
 *
 * @param timeoutMs overall budget in ms (default 3000).
 * @throws KafkaUnavailableError when the broker does not answer within `timeoutMs`.
 */
export async function checkKafka(kafka: Kafka, timeoutMs = 3000): Promise<void> {
  const admin = kafka.admin({ retry: { retries: 0 } });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new KafkaUnavailableError(`Kafka did not answer a metadata request within ${timeoutMs} ms`)), timeoutMs);
  });
  const work = (async () => {
    await admin.connect();
    await admin.describeCluster();
  })();
  try {
    await Promise.race([work, timeout]);
  } catch (err) {
    if (err instanceof KafkaUnavailableError) throw err;
    throw new KafkaUnavailableError(`Kafka is unavailable: ${(err as Error).message}`, err);
  } finally {
    clearTimeout(timer);
    // On a timeout the connect may still be in flight and open its socket after a disconnect:
    // disconnect again once it settled, so no socket outlives the check (it kept jest alive).
    await admin.disconnect().catch(() => undefined);
    void work.then(
      () => admin.disconnect().catch(() => undefined),
      () => admin.disconnect().catch(() => undefined),
    );
  }
}

/**
 * Connects a kafkajs client (producer, consumer or admin) and returns it; when `connect()` fails
 * part-way, disconnects it before rethrowing. An idempotent producer's `connect()` first connects
 * its sockets, then asks for a producer id; when that second step fails (right after a broker
 * restart: "The coordinator is loading…") the client is left connected, and a caller that drops
 * it keeps a socket open forever — the handle that kept the messaging test run alive (issue 19,
 * finding 6).
 *
 * @throws the error of `connect()`.
 */
export async function connectOrRelease<T extends { connect(): Promise<void>; disconnect(): Promise<void> }>(client: T): Promise<T> {
  try {
    await client.connect();
    return client;
  } catch (err) {
    await client.disconnect().catch(() => undefined);
    throw err;
  }
}

/** Waits `ms` milliseconds, or less if `signal` aborts. Never rejects. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
