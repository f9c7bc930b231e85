import { NativeConnection, Worker } from '@temporalio/worker';
import { stopSupervisedWorker, superviseWorker, type SupervisedWorkerHandles } from './supervised-worker';

jest.mock('@temporalio/worker', () => ({ NativeConnection: { connect: jest.fn() }, Worker: { create: jest.fn() } }));
const connect = NativeConnection.connect as jest.Mock;
const create = Worker.create as jest.Mock;
const target = { address: 'temporal:7233', namespace: 'default', worker: { taskQueue: 'q', workflowsPath: '/w' } };
beforeEach(() => {
  connect.mockReset();
  create.mockReset();
});

function fakeConnection(): NativeConnection & { closed: number } {
  const c = { closed: 0, close: async () => void c.closed++ };
  return c as unknown as NativeConnection & { closed: number };
}

function fakeWorker(run: () => Promise<void>): Worker {
  return { run, getState: () => 'RUNNING' } as unknown as Worker;
}

describe('superviseWorker', () => {
  it('retries a failed connect or run after the delay, closing the connection, then runs the worker until it stops', async () => {
    const connections: Array<NativeConnection & { closed: number }> = [];
    const events: string[] = [];
    const handles: SupervisedWorkerHandles = {};
    let runs = 0;
    connect.mockImplementation(async (options: unknown) => {
      expect(options).toEqual({ address: 'temporal:7233' });
      if (connections.length === 0) {
        connections.push(fakeConnection());
        throw new Error('connection refused');
      }
      const c = fakeConnection();
      connections.push(c);
      return c;
    });
    create.mockImplementation(async (options: { connection: unknown }) => {
      expect(options).toEqual({ taskQueue: 'q', workflowsPath: '/w', namespace: 'default', connection: connections[connections.length - 1] });
      return fakeWorker(async () => {
        runs++;
        expect(handles.worker).toBeDefined();
        if (runs === 1) throw new Error('worker crashed');
      });
    });
    await superviseWorker(handles, {
      ...target,
      isStopped: () => false,
      delay: async () => void events.push('delay'),
      onStarted: () => events.push('started'),
      onStopped: () => events.push('stopped'),
      onFailed: (attempt, err) => events.push(`failed ${attempt}: ${err}`),
    });
    expect(events).toEqual(['failed 1: connection refused', 'delay', 'started', 'failed 2: worker crashed', 'delay', 'started', 'stopped']);
    expect(connections.map((c) => c.closed)).toEqual([0, 1, 0]);
    expect(handles.connection).toBe(connections[2]);
    expect(handles.worker).toBeDefined();
  });

  it('does not run a worker created after the owner stopped, and closes its connection', async () => {
    const connection = fakeConnection();
    let stopped = false;
    const run = jest.fn(async () => undefined);
    const onStarted = jest.fn();
    connect.mockResolvedValue(connection);
    create.mockImplementation(async () => {
      stopped = true;
      return fakeWorker(run);
    });
    await superviseWorker({}, {
      ...target,
      isStopped: () => stopped,
      delay: async () => undefined,
      onStarted,
      onStopped: jest.fn(),
      onFailed: jest.fn(),
    });
    expect(run).not.toHaveBeenCalled();
    expect(onStarted).not.toHaveBeenCalled();
    expect(connection.closed).toBe(1);
  });

  it('gives up without reporting when a failure happens after the owner stopped', async () => {
    let stopped = false;
    const onFailed = jest.fn();
    const delay = jest.fn(async () => undefined);
    const handles: SupervisedWorkerHandles = {};
    connect.mockImplementation(async () => {
      stopped = true;
      throw new Error('shutting down');
    });
    await superviseWorker(handles, {
      ...target,
      isStopped: () => stopped,
      delay,
      onStarted: jest.fn(),
      onStopped: jest.fn(),
      onFailed,
    });
    expect(onFailed).not.toHaveBeenCalled();
    expect(delay).not.toHaveBeenCalled();
    expect(create).not.toHaveBeenCalled();
    expect(handles).toEqual({ worker: undefined, connection: undefined });
  });
});

describe('stopSupervisedWorker', () => {
  it('shuts a running worker down, waits for the loop, then closes the connection', async () => {
    const order: string[] = [];
    const worker = { getState: () => 'RUNNING', shutdown: () => void order.push('shutdown') } as unknown as Worker;
    const connection = { close: async () => void order.push('close') } as unknown as NativeConnection;
    const running = new Promise<void>((resolve) => setTimeout(() => (order.push('loop ended'), resolve()), 5));
    await stopSupervisedWorker({ worker, connection }, running);
    expect(order).toEqual(['shutdown', 'loop ended', 'close']);
  });

  it('only closes the connection of a worker that does not run, and swallows close errors', async () => {
    const shutdown = jest.fn();
    const worker = { getState: () => 'FAILED', shutdown } as unknown as Worker;
    const connection = { close: async () => Promise.reject(new Error('already closed')) } as unknown as NativeConnection;
    await expect(stopSupervisedWorker({ worker, connection }, undefined)).resolves.toBeUndefined();
    expect(shutdown).not.toHaveBeenCalled();
    await expect(stopSupervisedWorker({}, undefined)).resolves.toBeUndefined();
  });
});
