import { createHash } from 'node:crypto';
import { Context } from '@temporalio/activity';
import type { DataSource, EntityManager } from 'typeorm';
import type { EventPublisher } from '@strata/messaging';
import { withLocalFiles, type ObjectStore } from '@strata/shared/data-access-object-store';
import { NotFoundError } from '@strata/shared/util-errors';
import { TrainingRunEntity, TrainingRunStatus } from '@strata/training/data-access';
import type { TriggerRetrainingInput, TriggerRetrainingOutput, TrainingSetRef } from './activity.types';
import type { CommandTrainerSpec } from './command-trainer';
import type { ResourceMeter } from './resource-meter';
import type { PeerServices } from './peer-services';
import type { RunTracker } from './run-tracking';
import { TrainingSetFile, verifyFileSha256 } from './training-set-reader';

/**
 * What every activity factory of the training worker shares: its dependencies, the peer
 * services' typed clients, and the best-effort experiment tracking mirror.
 */

export interface ActivityLogger {
  log(message: string, context?: Record<string, unknown>): void;
  warn(message: string, context?: Record<string, unknown>): void;
  error(message: string, context?: Record<string, unknown>): void;
}

/** What {@link createTrainingActivities} needs. */
export interface TrainingActivitiesDeps {
  /** Features service base URL, e.g. `http://127.0.0.1:3002`. */
  featuresUrl: string;
  /** Registry service base URL, e.g. `http://127.0.0.1:3004`. */
  registryUrl: string;
  /** Ingestion service base URL (pins dataset versions' content hashes); e.g. `http://127.0.0.1:3001`. */
  ingestionUrl: string;
  /** Where artifacts go (`artifacts/<modelName>/<runId>/…`) and training sets are read from. */
  objectStore: ObjectStore;
  /** The training schema's DataSource (training_run + outbox). */
  dataSource: DataSource;
  /** Outbox publisher (events in the same transaction as the row update). */
  publisher: EventPublisher;
  logger: ActivityLogger;
  /** Code version recorded in lineage (the service version). */
  codeVersion?: string;
  /** External command trainers by name (`trainer: 'command:<name>'`); see `TRAINING_COMMAND_TRAINERS`. */
  commandTrainers?: Record<string, CommandTrainerSpec>;
  /** Heartbeat period of a running external trainer, ms (default 1000). */
  commandHeartbeatMs?: number;
  /** Captured log bytes kept per activity attempt (default 4 MiB; the rest is dropped with a note). */
  maxLogBytesPerAttempt?: number;
  /** The service's guarded retraining start path (cooldown, one at a time); used by the schedule's workflow. */
  triggerRetraining?: (input: TriggerRetrainingInput) => Promise<TriggerRetrainingOutput>;
}

/**
 * Run id of a training request: a UUID derived from sha256(`modelName\nrequestId`) (RFC 4122
 * layout, version nibble 5), so retries and redeliveries map to the same run.
 */
export function trainingRunId(modelName: string, requestId: string): string {
  const h = createHash('sha256').update(`${modelName}\n${requestId}`).digest('hex');
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Prefix of external trainer ids. */
export const COMMAND_TRAINER_PREFIX = 'command:';

/** What each activity factory receives (built once by `createTrainingActivities`). */
export interface ActivityScope {
  deps: TrainingActivitiesDeps;
  /** Typed clients of ingestion, features and the registry (one deadline and error mapping). */
  peers: PeerServices;
  /** Best-effort mirror of runs into the registry's experiment tracking (never fails an activity). */
  tracker: RunTracker;
}

/** Reports liveness (and samples the meter) when inside an activity. */
export function heartbeat(details: Record<string, unknown>, meter?: ResourceMeter): void {
  meter?.sample();
  try {
    Context.current().heartbeat(details);
  } catch {
    // not inside an activity (direct calls in tests)
  }
}

/** The current activity's context, or undefined outside one (direct calls in tests). */
export function inActivity(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined;
  }
}

/** Sleeps, cancellably inside an activity. */
export async function sleep(ms: number): Promise<void> {
  const ctx = inActivity();
  if (ctx) await ctx.sleep(ms); // rejects with CancelledFailure when the activity is cancelled
  else await new Promise((r) => setTimeout(r, ms));
}

/** Reads an object verifying its sha256; a missing object is NOT_FOUND naming `what`. */
export function sha256Of(uri: string, expected: string, what: string, store: ObjectStore): Promise<Buffer> {
  return store.getBuffer(store.resolve(uri), { expectedSha256: expected }).catch((e: unknown) => {
    if (e instanceof Error && /not found/i.test(e.message)) throw new NotFoundError(`${what} '${uri}' not found`, { cause: e });
    throw e;
  });
}

/** Updates the run row only while it is RUNNING; returns whether it did (idempotent under retries). */
export async function finishRun(manager: EntityManager, runId: string, patch: Partial<TrainingRunEntity>): Promise<boolean> {
  const res = await manager
    .createQueryBuilder()
    .update(TrainingRunEntity)
    .set({ ...patch, updatedAt: () => 'now()', finishedAt: () => 'now()' } as never)
    .where('run_id = :runId AND status = :running', { runId, running: TrainingRunStatus.RUNNING })
    .execute();
  return (res.affected ?? 0) > 0;
}

/** Opens a training set file (sha256 verified) for the duration of `fn`. */
export async function openTrainingSet<T>(store: ObjectStore, ref: Pick<TrainingSetRef, 'id' | 'uri' | 'sha256'>, fn: (file: TrainingSetFile) => Promise<T>): Promise<T> {
  return withLocalFiles(store, [ref.uri], async ([path]) => {
    await verifyFileSha256(path!, ref.sha256, `Training set '${ref.id}'`);
    const file = await TrainingSetFile.open(path!);
    try {
      return await fn(file);
    } finally {
      file.close();
    }
  });
}
