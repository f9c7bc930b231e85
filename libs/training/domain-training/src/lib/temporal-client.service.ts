import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Client, Connection } from '@temporalio/client';
import { ReadinessRegistry, type ReadinessCheck } from '@strata/shared/nest-platform';
import { UnavailableError } from '@strata/shared/util-errors';
import { DEFAULT_TEMPORAL_RPC_TIMEOUT_MS, withTemporalDeadline } from '@strata/shared/util-temporal';
import { TRAINING_OPTIONS, type TrainingModuleOptions } from './training.constants';

/**
 * Owns the Temporal `Connection` and `Client`. Connects in the background with retries, so the
 * service boots while Temporal is down and `/health/ready` reports `temporal` down (503) until
 * it answers. Readiness check `temporal`: `DescribeNamespace` on the configured namespace.
 */
@Injectable()
export class TemporalClientService implements OnModuleInit, OnApplicationShutdown, ReadinessCheck {
  readonly name = 'temporal';
  private readonly logger = new Logger('Temporal');
  private connection: Connection | undefined;
  private client: Client | undefined;
  private lastError = 'not connected yet';
  private stopped = false;
  private readonly ready: Promise<Client>;
  private resolveReady!: (c: Client) => void;

  constructor(
    @Inject(TRAINING_OPTIONS) private readonly options: TrainingModuleOptions,
    private readonly readiness: ReadinessRegistry,
  ) {
    this.ready = new Promise((resolve) => (this.resolveReady = resolve));
  }

  onModuleInit(): void {
    this.readiness.register(this);
    void this.connectLoop();
  }

  /** Resolves with the client once connected. */
  whenReady(): Promise<Client> {
    return this.ready;
  }

  /** The client, or `UnavailableError` (HTTP 503) while Temporal is unreachable. */
  getClient(): Client {
    if (!this.client) throw new UnavailableError(`Temporal is not available at ${this.options.temporalAddress}: ${this.lastError}`);
    return this.client;
  }

  /**
   * Runs one client call of a request path under the RPC deadline (`temporalRpcTimeoutMs`,
   * default 10 s): 503 naming Temporal when it does not answer, instead of an endless wait.
   * @throws UnavailableError when Temporal is not connected, unreachable or too slow
   */
  call<T>(what: string, fn: (c: Client) => Promise<T>): Promise<T> {
    return withTemporalDeadline(this.getClient(), this.options.temporalAddress, this.options.temporalRpcTimeoutMs ?? DEFAULT_TEMPORAL_RPC_TIMEOUT_MS, what, fn);
  }

  async check(): Promise<void> {
    if (!this.connection) throw new Error(this.lastError);
    await this.connection.workflowService.describeNamespace({ namespace: this.options.temporalNamespace });
  }

  private async connectLoop(): Promise<void> {
    for (let attempt = 1; !this.stopped; attempt++) {
      try {
        const connection = await Connection.connect({ address: this.options.temporalAddress, connectTimeout: 5000 });
        await connection.workflowService.describeNamespace({ namespace: this.options.temporalNamespace });
        this.connection = connection;
        this.client = new Client({ connection, namespace: this.options.temporalNamespace });
        this.logger.log({ address: this.options.temporalAddress, namespace: this.options.temporalNamespace, attempt }, 'connected to Temporal');
        this.resolveReady(this.client);
        return;
      } catch (e) {
        this.lastError = e instanceof Error ? e.message : String(e);
        this.logger.error({ address: this.options.temporalAddress, attempt, err: this.lastError }, 'Temporal not available, retrying');
        await new Promise((r) => setTimeout(r, this.options.retryDelayMs ?? 2000));
      }
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await this.connection?.close();
  }
}
