import type { DataSource } from 'typeorm';
import { RetrainingTriggerEntity, TrainingRunEntity, TrainingRunLogEntity, TrainingRunStatus } from '@strata/training/data-access';
import { RegistryApi } from '@strata/contracts/api';
import { ServiceClient, serviceApi, type ServiceApi } from '@strata/shared/data-access-strata-client';

/** Logging surface of {@link RunTracker}. */
interface TrackerLogger {
  log(message: string, context?: Record<string, unknown>): void;
  warn(message: string, context?: Record<string, unknown>): void;
}

/** Tag keys the training service sets on its tracked runs. */
export const TRACKING_TAGS = {
  trainingRunId: 'strata.training_run_id',
  workflowId: 'strata.workflow_id',
  requestId: 'strata.request_id',
  trigger: 'strata.trigger',
  triggerReason: 'strata.trigger_reason',
  parentSearchId: 'strata.parent_search_id',
  trainer: 'strata.trainer',
  trainingSet: 'strata.training_set',
  modelVersion: 'strata.model_version',
  status: 'strata.training_status',
  errorCode: 'strata.error_code',
} as const;

/** Bytes of the captured log copied to the tracked run (the tail). */
export const TRACKED_LOG_TAIL_BYTES = 64 * 1024;
/** Metric points per `log-batch` (the registry's limit). */
const MAX_METRIC_POINTS = 1000;

const TRACKED_STATUS: Record<string, 'FINISHED' | 'FAILED' | 'KILLED' | undefined> = {
  [TrainingRunStatus.COMPLETED]: 'FINISHED',
  [TrainingRunStatus.FAILED]: 'FAILED',
  [TrainingRunStatus.CANCELLED]: 'KILLED',
};

/** A point of a trainer progress series: `[step, value, epoch ms]`. */
export type ProgressPoint = [number, number, number];

/** Keeps at most `max` points of a series, evenly spaced, always with the last one. */
function thin(points: ProgressPoint[], max: number): ProgressPoint[] {
  if (points.length <= max) return points;
  if (max <= 1) return points.slice(-1);
  const out: ProgressPoint[] = [];
  for (let i = 0; i < max; i++) out.push(points[Math.round((i * (points.length - 1)) / (max - 1))]!);
  return out;
}

/** Who triggered a run: the recorded principal/actor, else `training:<reason>` (events, schedules). */
export function triggeredByOf(row: Pick<TrainingRunEntity, 'triggeredBy' | 'reason'>): string {
  return row.triggeredBy ?? `training:${row.reason}`;
}

/**
 * Mirrors `training_run` rows into the registry's experiment tracking (`docs/service-apis.md`,
 * registry → tracking): experiment = the model name, one tracked run per training run. Every
 * call is idempotent (the tracked run id is kept on the row; metrics are logged once — the run
 * having metrics marks it; the log tail once — a non-empty log marks it; tags, artifacts and the
 * status are overwritten with the same values) and best-effort: {@link RunTracker.sync} never
 * throws — a failure is logged as a warning and the next activity that syncs the run retries.
 */
export class RunTracker {
  private readonly registry: ServiceApi<typeof RegistryApi>;
  private readonly client: ServiceClient;

  /** @param registryUrl the registry's base URL (calls as this worker's service, 30 s deadline each). */
  constructor(
    private readonly dataSource: DataSource,
    registryUrl: string,
    private readonly logger: TrackerLogger,
  ) {
    this.client = new ServiceClient({ baseUrl: registryUrl, service: 'registry' });
    this.registry = serviceApi(this.client, RegistryApi);
  }

  /** Syncs the runs given; warns and returns false when the registry or the database failed. */
  async sync(runId: string): Promise<boolean> {
    try {
      await this.syncOrThrow(runId);
      return true;
    } catch (e) {
      this.logger.warn('experiment tracking sync failed; retried by the next activity of the run', { runId, error: e instanceof Error ? e.message : String(e) });
      return false;
    }
  }

  /**
   * The id of the run's tracked run (the MLflow `run_id` of the version it registers): the stored
   * id, else one found by tag or created now. Best-effort like {@link RunTracker.sync}: null (and
   * a warning) when the registry or the database failed, so a run whose tracking is down still
   * registers its version (whose MLflow `run_id` then falls back to the training run id).
   */
  async trackedRunId(runId: string): Promise<string | null> {
    try {
      const row = await this.dataSource.getRepository(TrainingRunEntity).findOneByOrFail({ runId });
      return await this.ensureRun(row);
    } catch (e) {
      this.logger.warn('no tracked run for the registration; the version names the training run instead', { runId, error: e instanceof Error ? e.message : String(e) });
      return null;
    }
  }

  /** Syncs every trial of a search whose final state is not in the tracking yet (best-effort). */
  async syncSearch(searchId: string): Promise<void> {
    try {
      const rows = await this.dataSource.getRepository(TrainingRunEntity).find({ where: { parentSearchId: searchId }, select: { runId: true } });
      for (const r of rows) await this.sync(r.runId);
    } catch (e) {
      this.logger.warn('experiment tracking sync of a search failed', { searchId, error: e instanceof Error ? e.message : String(e) });
    }
  }

  /** The experiment named after the model: created when missing (409 → looked up by name). */
  private async experimentId(modelName: string): Promise<string> {
    const { status, body } = await this.client.exchange(RegistryApi.createExperiment, { body: { name: modelName, tags: { 'strata.model_name': modelName } } }, { accept: [409] });
    if (status !== 409 && body?.experimentId) return body.experimentId;
    const filter = `name = '${modelName.replace(/'/g, "\\'")}'`;
    const found = await this.registry.searchExperiments({ query: { filter } });
    const exp = found.experiments.find((e) => e.name === modelName);
    if (!exp) throw new Error(`registry: experiment '${modelName}' exists (409) but was not found by name`);
    return exp.experimentId;
  }

  private async tags(row: TrainingRunEntity): Promise<Record<string, string>> {
    const tags: Record<string, string> = {
      [TRACKING_TAGS.trainingRunId]: row.runId,
      [TRACKING_TAGS.workflowId]: row.workflowId,
      [TRACKING_TAGS.requestId]: row.requestId,
      [TRACKING_TAGS.trigger]: row.reason,
      [TRACKING_TAGS.trainer]: row.trainer,
      [TRACKING_TAGS.trainingSet]: row.trainingSet,
      [TRACKING_TAGS.status]: row.status,
    };
    if (row.parentSearchId) tags[TRACKING_TAGS.parentSearchId] = row.parentSearchId;
    if (row.modelVersion !== null) tags[TRACKING_TAGS.modelVersion] = String(row.modelVersion);
    if (row.errorCode) tags[TRACKING_TAGS.errorCode] = row.errorCode;
    const trigger = await this.dataSource.getRepository(RetrainingTriggerEntity).findOne({ where: { runId: row.runId } });
    if (trigger) tags[TRACKING_TAGS.triggerReason] = trigger.reason.slice(0, 5000);
    return tags;
  }

  /** The tracked run of a row: the stored id, else one found by tag, else a new one (stored on the row). */
  private async ensureRun(row: TrainingRunEntity): Promise<string> {
    if (row.trackedRunId) return row.trackedRunId;
    const experimentId = await this.experimentId(row.modelName);
    const search = await this.registry.searchRuns({
      body: { experimentIds: [experimentId], filter: `tags.\`${TRACKING_TAGS.trainingRunId}\` = '${row.runId}'`, viewType: 'ALL' },
    });
    let trackedRunId = search.runs[0]?.runId;
    if (!trackedRunId) {
      const created = await this.registry.createRun({
        body: {
          experimentId,
          runName: row.parentSearchId ? `${row.modelName}-trial-${row.runId.slice(0, 8)}` : `${row.modelName}-${row.runId.slice(0, 8)}`,
          triggeredBy: triggeredByOf(row),
          startTime: row.createdAt.getTime(),
          tags: await this.tags(row),
          params: Object.fromEntries(Object.entries(row.params).map(([k, v]) => [k, String(v)])),
        },
      });
      trackedRunId = created.runId;
      this.logger.log('tracked run created', { runId: row.runId, trackedRunId, experimentId });
    }
    await this.dataSource.getRepository(TrainingRunEntity).update({ runId: row.runId }, { trackedRunId });
    return trackedRunId;
  }

  private async syncOrThrow(runId: string): Promise<void> {
    const row = await this.dataSource.getRepository(TrainingRunEntity).findOneByOrFail({ runId });
    const id = await this.ensureRun(row);
    const final = TRACKED_STATUS[row.status];
    if (!final) return; // still running: the tracked run exists (RUNNING); the rest comes at the end
    const tracked = await this.registry.getRun({ params: { runId: id } });
    const endTime = (row.finishedAt ?? row.updatedAt).getTime();
    const metrics: Array<{ key: string; value: number; step: number; timestamp: number }> = [];
    if (Object.keys(tracked.latestMetrics ?? {}).length === 0) {
      for (const [key, value] of Object.entries(row.metrics ?? {})) if (typeof value === 'number') metrics.push({ key, value, step: 0, timestamp: endTime });
      const resources: Record<string, number | null> = { wall_time_ms: row.wallTimeMs, cpu_seconds: row.cpuSeconds, peak_rss_bytes: row.peakRssBytes };
      for (const [key, value] of Object.entries(resources)) if (value !== null) metrics.push({ key: `resource.${key}`, value, step: 0, timestamp: endTime });
      const series = Object.entries((row.trainerProgress ?? {}) as Record<string, ProgressPoint[]>);
      const room = Math.max(1, Math.floor((MAX_METRIC_POINTS - metrics.length) / Math.max(1, series.length)));
      for (const [key, points] of series) for (const [step, value, timestamp] of thin(points, room)) metrics.push({ key, value, step, timestamp });
    }
    // One atomic batch: its metrics mark the run as logged (a retry after it sends tags only).
    await this.registry.logRunBatch({
      params: { runId: id },
      body: { metrics, params: Object.fromEntries(Object.entries(row.params).map(([k, v]) => [k, String(v)])), tags: await this.tags(row) },
    });
    if (row.artifactUri && row.artifactSha256) {
      await this.registry.recordRunArtifact({ params: { runId: id }, body: { path: 'model.onnx', uri: row.artifactUri, sha256: row.artifactSha256 } });
    }
    if (row.referenceProfileUri && row.referenceProfileSha256) {
      await this.registry.recordRunArtifact({ params: { runId: id }, body: { path: 'reference-profile.json', uri: row.referenceProfileUri, sha256: row.referenceProfileSha256 } });
    }
    const logText = await this.registry.getRunLog({ params: { runId: id } });
    if (!logText) {
      const tail = await this.logTail(row);
      if (tail) await this.registry.appendRunLog({ params: { runId: id }, body: { text: tail } });
    }
    await this.registry.updateRun({ params: { runId: id }, body: { status: final, endTime } });
    await this.dataSource.getRepository(TrainingRunEntity).update({ runId }, { trackingSyncedAt: new Date() });
    this.logger.log('tracked run synced', { runId, trackedRunId: id, status: final, metricPoints: metrics.length });
  }

  /** Last {@link TRACKED_LOG_TAIL_BYTES} of the captured log (every attempt, oldest first), plus the error. */
  private async logTail(row: TrainingRunEntity): Promise<string> {
    const chunks = await this.dataSource
      .getRepository(TrainingRunLogEntity)
      .createQueryBuilder('l')
      .where('l.run_id = :id', { id: row.runId })
      .orderBy('l.id', 'DESC')
      .limit(2000)
      .getMany();
    let text = '';
    for (const c of chunks) {
      const line = c.chunk;
      if (Buffer.byteLength(text) + Buffer.byteLength(line) > TRACKED_LOG_TAIL_BYTES) break;
      text = line + text;
    }
    if (row.errorMessage) text += `${text && !text.endsWith('\n') ? '\n' : ''}[${row.errorCode ?? 'ERROR'}] ${row.errorMessage}\n`;
    return text;
  }
}
