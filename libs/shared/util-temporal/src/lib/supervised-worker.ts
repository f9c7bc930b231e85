import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';

/** The worker and connection of a {@link superviseWorker} loop, kept by its owner for shutdown and state. */
export interface SupervisedWorkerHandles {
  /** The running worker; undefined before it started and after a failure. */
  worker?: Worker;
  /** The worker's native connection, set as soon as it is connected; undefined after a failure. */
  connection?: NativeConnection;
}

/** What {@link superviseWorker} runs and reports to. */
export interface SuperviseWorkerOptions {
  /** Temporal frontend address (`host:port`) the worker connects to. */
  address: string;
  /** Temporal namespace of the worker. */
  namespace: string;
  /** The rest of the worker's options: task queue, workflowsPath, activities, concurrency, grace time. */
  worker: Omit<WorkerOptions, 'connection' | 'namespace'>;
  /** True once the owner shuts down: nothing is (re)started after that. */
  isStopped: () => boolean;
  /** Waits before the next attempt after a failure. */
  delay: () => Promise<void>;
  /** The worker was created and is about to run. */
  onStarted: () => void;
  /** The worker's run ended without an error (after a shutdown). */
  onStopped: () => void;
  /** Connecting, creating or running failed (`err`: the error's message); it is retried after `delay`. */
  onFailed: (attempt: number, err: string) => void;
}

/**
 * Runs a Temporal worker in the background of a service, restarting it until it stops: connects
 * to `address`, creates the worker on that connection and runs it, keeping both in `handles`. When connecting,
 * creating or running fails, closes the connection, reports the failure and tries again after
 * `delay()`. Resolves when the worker's run ended (a shutdown), or when `isStopped()` holds (a
 * worker created after that is not run; its connection is closed). Never rejects.
 */
export async function superviseWorker(handles: SupervisedWorkerHandles, o: SuperviseWorkerOptions): Promise<void> {
  for (let attempt = 1; !o.isStopped(); attempt++) {
    try {
      handles.connection = await NativeConnection.connect({ address: o.address });
      const worker = await Worker.create({ ...o.worker, connection: handles.connection, namespace: o.namespace });
      if (o.isStopped()) {
        await handles.connection.close();
        return;
      }
      handles.worker = worker;
      o.onStarted();
      await worker.run();
      o.onStopped();
      return;
    } catch (e) {
      handles.worker = undefined;
      await handles.connection?.close().catch(() => undefined);
      handles.connection = undefined;
      if (o.isStopped()) return;
      o.onFailed(attempt, e instanceof Error ? e.message : String(e));
      await o.delay();
    }
  }
}

/**
 * Stops a {@link superviseWorker} loop's worker at shutdown (call after making `isStopped()` true):
 * when the worker runs, asks it to shut down and waits for the loop `running` to end (running
 * activities finish or are cancelled within the worker's shutdownGraceTime), then closes the
 * connection. Never rejects.
 */
export async function stopSupervisedWorker(handles: SupervisedWorkerHandles, running: Promise<void> | undefined): Promise<void> {
  const { worker } = handles;
  if (worker && worker.getState() === 'RUNNING') {
    worker.shutdown();
    await running?.catch(() => undefined);
  }
  await handles.connection?.close().catch(() => undefined);
}
