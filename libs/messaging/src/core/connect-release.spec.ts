/**
 * Issue 19, finding 6: the messaging integration run could hang after its last test on an open
 * Kafka socket. The handle: an idempotent producer whose `connect()` had connected its sockets
 * but then failed to get a producer id (right after a broker restart: "The coordinator is
 * loading…") was dropped without `disconnect()` by the relay (and the DLQ producers), so its
 * socket stayed open for ever. A client whose connect fails is now always disconnected.
 */
import type { DataSource } from 'typeorm';
import type { Kafka } from 'kafkajs';
import { connectOrRelease } from './kafka';
import { OutboxRelay } from './relay';
import { silentLogger } from '../testing/harness';

/** A kafkajs producer double: connect() "opens a socket", then fails like InitProducerId does. */
function halfConnectingProducer() {
  const state = { socketOpen: false, disconnects: 0 };
  const producer = {
    connect: async () => {
      state.socketOpen = true;
      throw new Error('The coordinator is loading and hence can not process requests');
    },
    disconnect: async () => {
      state.disconnects++;
      state.socketOpen = false;
    },
  };
  return { producer, state };
}

describe(connectOrRelease.name, () => {
  it('returns the connected client', async () => {
    const client = { connect: async () => undefined, disconnect: jest.fn(async () => undefined) };
    await expect(connectOrRelease(client)).resolves.toBe(client);
    expect(client.disconnect).not.toHaveBeenCalled();
  });

  it('disconnects a client whose connect failed part-way, then rethrows', async () => {
    const { producer, state } = halfConnectingProducer();
    await expect(connectOrRelease(producer)).rejects.toThrow('coordinator is loading');
    expect(state).toEqual({ socketOpen: false, disconnects: 1 });
  });
});

describe('OutboxRelay producer whose connect fails part-way', () => {
  it('is disconnected, so no socket outlives the failed cycle', async () => {
    const { producer, state } = halfConnectingProducer();
    const kafka = { producer: () => producer } as unknown as Kafka;
    const dataSource = {
      options: { type: 'postgres', schema: 'svc' },
      hasMetadata: () => true,
      getMetadata: (e: { name: string }) => ({ schema: 'svc', tableName: e.name === 'OutboxEventEntity' ? 'outbox_event' : 'inbox_event' }),
    } as unknown as DataSource;
    const relay = new OutboxRelay({ dataSource, kafka, serviceName: 'svc', listen: false, logger: silentLogger });
    await expect(relay.relayOnce()).rejects.toThrow('coordinator is loading');
    expect(state.socketOpen).toBe(false);
    expect(state.disconnects).toBe(1);
  });
});
