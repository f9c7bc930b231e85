import { Inject, Injectable, Logger } from '@nestjs/common';
import { ScheduleAlreadyRunning, ScheduleNotFoundError, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import { ScheduleOverlapPolicy } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import type { EntityManager } from 'typeorm';
import { DatabaseService } from '@strata/shared/nest-platform';
import { InvalidArgumentError, NotFoundError, UnavailableError } from '@strata/shared/util-errors';
import { trainingRunId } from '@strata/training/activities';
import { RetrainingTriggerEntity, TrainingRunEntity, TrainingRunStatus } from '@strata/training/data-access';
import {
  retrainModelWorkflow,
  retrainScheduleId,
  retrainWorkflowId,
  scheduledRetrainingWorkflow,
  TRAINING_TASK_QUEUE,
  type TriggerRetrainingInput,
  type TriggerRetrainingOutput,
} from '@strata/training/workflows';
import { TemporalClientService } from './temporal-client.service';
import type { RetrainingScheduleBody } from './training-runs.dto';
import { TRAINING_OPTIONS, type TrainingModuleOptions } from './training.constants';

/** A trigger row as returned by `GET /retraining/{modelName}/triggers`. */
export interface RetrainingTriggerResponse {
  triggerId: string;
  modelName: string;
  source: string;
  triggerEventId: string;
  reason: string;
  decision: string;
  workflowId: string | null;
  runId: string | null;
  status: string | null;
  modelVersion: number | null;
  error: string | null;
  createdAt: string;
  finishedAt: string | null;
}

/** Answer of `GET /retraining/{modelName}/schedule`. */
export interface RetrainingScheduleResponse {
  modelName: string;
  scheduleId: string;
  cron: string[];
  intervalSeconds: number[];
  paused: boolean;
  nextActionTimes: string[];
  recentActions: Array<{ scheduledAt: string; workflowId: string }>;
}

function toResponse(r: RetrainingTriggerEntity): RetrainingTriggerResponse {
  return {
    triggerId: r.triggerId,
    modelName: r.modelName,
    source: r.source,
    triggerEventId: r.triggerEventId,
    reason: r.reason,
    decision: r.decision,
    workflowId: r.workflowId,
    runId: r.runId,
    status: r.status,
    modelVersion: r.modelVersion,
    error: r.errorMessage,
    createdAt: r.createdAt.toISOString(),
    finishedAt: r.finishedAt ? r.finishedAt.toISOString() : null,
  };
}

/**
 * Retraining policy: every trigger (drift-detected, performance-degraded, the per-model Temporal
 * Schedule, a manual call) goes through {@link trigger}, which — under a per-model PostgreSQL
 * advisory lock — records a `retraining_trigger` row with the decision:
 * `DISABLED` for events when `retrainOnEvents` is false; `SKIPPED_NO_RUN` when the model has no
 * completed (non-trial) run in this service to retrain from; `SKIPPED_STALE` when the event was
 * detected before that run finished; `SKIPPED_RUNNING` while a retraining of the model runs (DB
 * row RUNNING and workflow `retrain:<modelName>` open), `SKIPPED_COOLDOWN` within
 * `retrainCooldownSeconds` of the last started one, else `STARTED` (workflow `retrain:<modelName>` started; it trains on the latest
 * dataset versions and sets alias `challenger`). The same (model, source, event id) twice →
 * the first decision (idempotent under redelivery).
 */
@Injectable()
export class RetrainingService {
  private readonly logger = new Logger('Retraining');

  constructor(
    @Inject(TRAINING_OPTIONS) private readonly options: TrainingModuleOptions,
    private readonly database: DatabaseService,
    private readonly temporal: TemporalClientService,
  ) {}

  /**
   * The guarded start path. Pass `manager` to run inside a caller's transaction (event inbox).
   * @throws UnavailableError (503) when Temporal cannot start the workflow (nothing recorded).
   */
  async trigger(input: TriggerRetrainingInput, manager?: EntityManager): Promise<TriggerRetrainingOutput> {
    this.temporal.getClient(); // 503 before anything is written
    const run = async (m: EntityManager): Promise<TriggerRetrainingOutput> => {
      await m.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`strata-retrain:${input.modelName}`]);
      const repo = m.getRepository(RetrainingTriggerEntity);
      const triggerId = trainingRunId(input.modelName, `trigger:${input.source}:${input.triggerEventId}`);
      const seen = await repo.findOneBy({ triggerId });
      if (seen) return { triggerId, decision: seen.decision, workflowId: seen.workflowId };
      const workflowId = retrainWorkflowId(input.modelName);
      const record = async (decision: TriggerRetrainingOutput['decision'], reason: string) => {
        await repo.insert({ triggerId, modelName: input.modelName, source: input.source, triggerEventId: input.triggerEventId, reason, decision, workflowId: decision === 'STARTED' ? workflowId : null, runId: null, status: null });
        this.logger.log({ modelName: input.modelName, source: input.source, triggerEventId: input.triggerEventId, decision, reason }, 'retraining trigger decided');
        return { triggerId, decision, workflowId: decision === 'STARTED' ? workflowId : null };
      };
      if (input.source !== 'manual' && input.source !== 'schedule' && this.options.retrainOnEvents === false) {
        return record('DISABLED', `${input.reason} — skipped: event-driven retraining is disabled (TRAINING_RETRAIN_ON_EVENTS=false)`);
      }
      const base = await m
        .getRepository(TrainingRunEntity)
        .createQueryBuilder('r')
        .where('r.model_name = :model AND r.status = :done AND r.parent_search_id IS NULL', { model: input.modelName, done: TrainingRunStatus.COMPLETED })
        .orderBy('r.finished_at', 'DESC')
        .getOne();
      if (!base) return record('SKIPPED_NO_RUN', `${input.reason} — skipped: '${input.modelName}' has no completed training run here to retrain from`);
      if (input.detectedAt && base.finishedAt && Date.parse(input.detectedAt) < base.finishedAt.getTime()) {
        return record('SKIPPED_STALE', `${input.reason} — skipped: detected at ${input.detectedAt}, before run ${base.runId} finished (${base.finishedAt.toISOString()})`);
      }
      const running = await repo.findOne({ where: { modelName: input.modelName, decision: 'STARTED', status: 'RUNNING' }, order: { createdAt: 'DESC' } });
      if (running) {
        let open = false;
        try {
          const d = await this.temporal.call(`describe of workflow '${workflowId}'`, (c) => c.workflow.getHandle(workflowId).describe());
          open = d.status.name === 'RUNNING';
        } catch (e) {
          if (!(e instanceof WorkflowNotFoundError)) throw new UnavailableError(`Could not describe '${workflowId}': ${e instanceof Error ? e.message : String(e)}`, { cause: e });
        }
        if (open) return record('SKIPPED_RUNNING', `${input.reason} — skipped: retraining ${running.triggerId} (${running.source}) is still running`);
        await repo.update({ triggerId: running.triggerId }, { status: 'FAILED', errorMessage: 'workflow closed without recording an outcome', finishedAt: new Date() });
      }
      const cooldownS = this.options.retrainCooldownSeconds ?? 3600;
      const last = await repo.findOne({ where: { modelName: input.modelName, decision: 'STARTED' }, order: { createdAt: 'DESC' } });
      const now = ((await m.query(`SELECT now() AS now`)) as Array<{ now: Date }>)[0]!.now;
      if (last && now.getTime() - last.createdAt.getTime() < cooldownS * 1000) {
        const until = new Date(last.createdAt.getTime() + cooldownS * 1000).toISOString();
        return record('SKIPPED_COOLDOWN', `${input.reason} — skipped: cooldown of ${cooldownS} s after retraining ${last.triggerId} (until ${until})`);
      }
      const out = await record('STARTED', input.reason);
      await repo.update({ triggerId }, { status: 'RUNNING', runId: trainingRunId(input.modelName, `retrain-${triggerId}`) });
      try {
        await this.temporal.call(`start of workflow '${workflowId}'`, (c) =>
          c.workflow.start(retrainModelWorkflow, {
            taskQueue: this.options.taskQueue ?? TRAINING_TASK_QUEUE,
            workflowId,
            args: [{ triggerId, modelName: input.modelName, source: input.source, reason: input.reason, ...(this.options.runTimeouts ? { timeouts: this.options.runTimeouts } : {}) }],
            workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
            memo: { triggerId, modelName: input.modelName, source: input.source },
          }),
        );
      } catch (e) {
        if (e instanceof WorkflowExecutionAlreadyStartedError) {
          await repo.update({ triggerId }, { decision: 'SKIPPED_RUNNING', status: null, runId: null, workflowId: null, reason: `${input.reason} — skipped: workflow ${workflowId} already running` });
          return { triggerId, decision: 'SKIPPED_RUNNING', workflowId: null };
        }
        throw new UnavailableError(`Could not start retraining workflow '${workflowId}': ${e instanceof Error ? e.message : String(e)}`, { cause: e });
      }
      return out;
    };
    if (manager) return run(manager);
    return this.database.getDataSource().transaction(run);
  }

  /** Trigger rows of a model, newest first (max 500). */
  async triggers(modelName: string, limit = 50): Promise<RetrainingTriggerResponse[]> {
    const rows = await this.database.getDataSource().getRepository(RetrainingTriggerEntity).find({ where: { modelName }, order: { createdAt: 'DESC' }, take: Math.min(Math.max(limit, 1), 500) });
    return rows.map(toResponse);
  }

  /**
   * Creates or replaces the model's Temporal Schedule `retrain-schedule:<modelName>` (overlap
   * SKIP), whose action starts `scheduledRetrainingWorkflow` → the guarded trigger path.
   */
  async putSchedule(modelName: string, body: RetrainingScheduleBody): Promise<RetrainingScheduleResponse> {
    this.temporal.getClient(); // 503 at once while Temporal is not connected
    const scheduleId = retrainScheduleId(modelName);
    const spec = body.cron ? { cronExpressions: [body.cron] } : { intervals: [{ every: `${body.intervalSeconds!}s` as const }] };
    const action = {
      type: 'startWorkflow' as const,
      workflowType: scheduledRetrainingWorkflow,
      workflowId: `scheduled-retrain:${modelName}`,
      taskQueue: this.options.taskQueue ?? TRAINING_TASK_QUEUE,
      args: [{ modelName }] as [{ modelName: string }],
    };
    // The cron text is kept in the schedule's note (Temporal stores cron as calendar specs).
    const note = JSON.stringify(body.cron ? { cron: body.cron } : { intervalSeconds: body.intervalSeconds });
    try {
      await this.temporal.call(`create of schedule '${scheduleId}'`, (c) => c.schedule.create({ scheduleId, spec, action, policies: { overlap: ScheduleOverlapPolicy.SKIP }, state: { paused: body.paused, note } }));
    } catch (e) {
      // Temporal's client turns the server's INVALID_ARGUMENT (a spec it refuses) into a TypeError: the caller's fault.
      if (e instanceof TypeError) throw new InvalidArgumentError(`Invalid request body: ${body.cron !== undefined ? 'cron' : 'intervalSeconds'}: ${e.message}`, { cause: e });
      if (!(e instanceof ScheduleAlreadyRunning)) throw new UnavailableError(`Could not create schedule '${scheduleId}': ${e instanceof Error ? e.message : String(e)}`, { cause: e });
      try {
        await this.temporal.call(`update of schedule '${scheduleId}'`, (c) =>
          c.schedule.getHandle(scheduleId).update((prev) => ({ ...prev, spec, action, state: { ...prev.state, paused: body.paused, note } })),
        );
      } catch (u) {
        if (u instanceof TypeError) throw new InvalidArgumentError(`Invalid request body: ${body.cron !== undefined ? 'cron' : 'intervalSeconds'}: ${u.message}`, { cause: u });
        throw u;
      }
    }
    this.logger.log({ modelName, scheduleId, ...body }, 'retraining schedule set');
    return this.getSchedule(modelName);
  }

  /** @throws NotFoundError when the model has no schedule. */
  async getSchedule(modelName: string): Promise<RetrainingScheduleResponse> {
    const scheduleId = retrainScheduleId(modelName);
    try {
      const d = await this.temporal.call(`describe of schedule '${scheduleId}'`, (c) => c.schedule.getHandle(scheduleId).describe());
      return {
        modelName,
        scheduleId,
        cron: noteOf(d.state.note).cron ? [noteOf(d.state.note).cron!] : [],
        intervalSeconds: (d.spec.intervals ?? []).map((i) => Math.round(Number(typeof i.every === 'number' ? i.every / 1000 : msOf(String(i.every)) / 1000))),
        paused: d.state.paused,
        nextActionTimes: d.info.nextActionTimes.map((t) => t.toISOString()),
        recentActions: d.info.recentActions.map((a) => ({ scheduledAt: a.scheduledAt.toISOString(), workflowId: 'workflow' in a.action ? a.action.workflow.workflowId : '' })),
      };
    } catch (e) {
      if (e instanceof ScheduleNotFoundError) throw new NotFoundError(`Model '${modelName}' has no retraining schedule`);
      throw e;
    }
  }

  /** @throws NotFoundError when the model has no schedule. */
  async deleteSchedule(modelName: string): Promise<{ modelName: string; deleted: true }> {
    try {
      await this.temporal.call(`delete of schedule '${retrainScheduleId(modelName)}'`, (c) => c.schedule.getHandle(retrainScheduleId(modelName)).delete());
    } catch (e) {
      if (e instanceof ScheduleNotFoundError) throw new NotFoundError(`Model '${modelName}' has no retraining schedule`);
      throw e;
    }
    return { modelName, deleted: true };
  }
}

function msOf(d: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/.exec(d.trim());
  if (!m) return Number(d);
  const f = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[(m[2] ?? 'ms') as 'ms'];
  return Number(m[1]) * f;
}

function noteOf(note: string | undefined): { cron?: string } {
  try {
    const v = JSON.parse(note ?? '{}') as { cron?: unknown };
    return typeof v.cron === 'string' ? { cron: v.cron } : {};
  } catch {
    return {};
  }
}
