import { infraServiceEnv } from './fake-json-service';
import { type FaultProxy, startFaultProxy } from './fault-proxy';
import { infraEnv } from './infra-env';
import { type RunningService, startService, stopOrKill, waitReady } from './service-process';

/** What {@link useServiceBehindTemporalProxy} gives the tests of an outage spec (valid once its beforeAll ran). */
export interface ServiceBehindTemporalProxy {
  /** The TCP proxy between the service and Temporal; `setMode('blackhole' | 'refuse' | 'pass')` makes the outage. */
  readonly proxy: FaultProxy;
  /** The service under test. */
  readonly service: RunningService;
}

/**
 * Registers the jest hooks of a "Temporal is unreachable" spec: beforeAll starts a fault proxy in
 * front of the test stack's Temporal and the service `name` from source on `port` with the
 * stack's PostgreSQL, Kafka and Temporal (`infraServiceEnv`), TEMPORAL_ADDRESS = the proxy,
 * TEMPORAL_RPC_TIMEOUT_MS = `rpcTimeoutMs` and `env` on top, and waits until it is ready;
 * afterAll stops the service (SIGKILL if it does not stop in time) and closes the proxy.
 * Hooks the spec registers before this call run before these; its afterAll hooks registered
 * after it run after them (jest runs hooks of a block in declaration order).
 *
 * @returns accessors to read inside tests (they throw before beforeAll has run).
 */
export function useServiceBehindTemporalProxy(name: string, port: number, rpcTimeoutMs: number, env: Record<string, string>): ServiceBehindTemporalProxy {
  let proxy: FaultProxy | undefined;
  let service: RunningService | undefined;
  beforeAll(async () => {
    const stack = infraEnv();
    proxy = await startFaultProxy(stack.temporalAddress);
    service = startService(name, port, { ...infraServiceEnv(stack), TEMPORAL_ADDRESS: proxy.address, TEMPORAL_RPC_TIMEOUT_MS: String(rpcTimeoutMs), ...env });
    await waitReady(service);
  });
  afterAll(async () => {
    await stopOrKill(service);
    await proxy?.close();
  }, 60_000);
  const ready = <T>(v: T | undefined, what: string): T => {
    if (v === undefined) throw new Error(`${what} is not started yet (useServiceBehindTemporalProxy's beforeAll has not run)`);
    return v;
  };
  return {
    get proxy() {
      return ready(proxy, 'the Temporal fault proxy');
    },
    get service() {
      return ready(service, `the ${name} service`);
    },
  };
}
