/** Internal state of an {@link EventConsumerRunner}: its consumer groups and their registrations. */
import type { Consumer } from 'kafkajs';
import type { EventContract } from '@strata/contracts';
import type { RetryPolicy } from './retry-policy';
import type { BatchEventHandler, ConsumerGroupState, EventHandler } from './consumer.types';

/** Every group state, for the one-hot state gauge. */
export const CONSUMER_GROUP_STATES: readonly ConsumerGroupState[] = ['stopped', 'starting', 'running', 'restarting'];

export interface Registration {
  contract: EventContract;
  handler: EventHandler;
  /** Set by `registerBatch`: called once per batched run (`handler` then wraps it for one event). */
  batchHandler?: BatchEventHandler;
  groupId: string;
  retry: RetryPolicy;
}

export interface Group {
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

