import { Injectable } from '@nestjs/common';
import { ModelVersionRegisteredV1 } from '@strata/contracts';
import { EventPublisher } from '@strata/messaging';
import { AuditOutcome, RegistryStore, type MetricValue, type ModelVersion, type ModelVersionSummary } from '@strata/registry/data-access';
import { InvalidArgumentError } from '@strata/shared/util-errors';
import type { EntityManager } from 'typeorm';
import type { RegisterModelVersionInput } from '../registry.schemas';
import { versionRegisteredPayload } from '../version-facts';
import { AliasWriter } from './alias-writer';
import { isAnnounceable } from './event-names';
import { RegistryTx, modelRef, versionNotFound, type RequestContext } from './registry-tx';
import { recordVersionRegistration } from './version-registration';

/** MLflow's model version stages (deprecated in MLflow 2.9, still used by 2.x clients). */
export const MLFLOW_STAGES = ['None', 'Staging', 'Production', 'Archived'] as const;
/** One of {@link MLFLOW_STAGES}. */
export type MlflowStage = (typeof MLFLOW_STAGES)[number];

/**
 * The Strata alias that mirrors an MLflow stage: `Staging` → `stage-staging`, `Production` →
 * `stage-production` (none for `None` / `Archived`). It points at the NEWEST version in that stage
 * (MLflow's `get-latest-versions`), so Strata's serving can follow a stage like any alias.
 */
export const stageAlias = (stage: MlflowStage): string | null => (stage === 'Staging' || stage === 'Production' ? `stage-${stage.toLowerCase()}` : null);

/** What `model-versions/create` records (see {@link MlflowVersionsService.create}). */
export interface MlflowVersionInput {
  /** MLflow `source` exactly as given. */
  source: string;
  /** MLflow `run_id` as given ('' when none). */
  runId: string;
  /** The verified ONNX artifact with its signature when the source is servable, else null. */
  servable: { artifactUri: string; artifactSha256: string; signature: RegisterModelVersionInput['signature'] } | null;
  /** Why it is not servable (when `servable` is null). */
  notServableReason: string | null;
  metrics: Record<string, MetricValue>;
  params: Record<string, unknown>;
  lineage: Record<string, unknown>;
  description: string | null;
  tags: Record<string, string>;
}

/**
 * Registry operations with MLflow's semantics (the MLflow API only): a version from ANY source
 * (servable or not, with the reason), stages mapped onto aliases, deletion that takes the
 * version's aliases along (MLflow has no refusal there).
 */
@Injectable()
export class MlflowVersionsService {
  constructor(
    private readonly db: RegistryTx,
    private readonly store: RegistryStore,
    private readonly publisher: EventPublisher,
    private readonly aliasWriter: AliasWriter,
  ) {}

  /**
   * Creates the next version of existing model `name` (MLflow: every call is a new version, no
   * idempotency; `run_id` is recorded as given and may repeat or be ''). Status `READY`: Strata resolves and
   * verifies the source synchronously, so `PENDING_REGISTRATION` is never observable and a failed
   * registration creates nothing (`FAILED_REGISTRATION` is never stored). `model-version-registered`
   * is published only for a servable version of a contract-named model (see `event-names.ts`).
   * @throws NotFoundError (404, MLflow wording) when the model does not exist
   */
  async create(name: string, input: MlflowVersionInput, ctx: RequestContext): Promise<ModelVersion> {
    return this.db.run(async (m) => {
      const model = await this.db.requireLockedModel(m, name);
      const now = new Date();
      const version = model.latestVersion + 1;
      const s = input.servable;
      const signature = s ? s.signature : { inputs: [], outputs: [] };
      const mv = await this.store.insertVersion(m, {
        name,
        version,
        runId: input.runId,
        workflowId: null,
        artifactUri: s ? s.artifactUri : input.source,
        artifactSha256: s ? s.artifactSha256 : null,
        servable: s !== null,
        notServableReason: s ? null : input.notServableReason,
        source: input.source,
        sourceRunId: input.runId,
        currentStage: 'None',
        status: 'READY',
        signature,
        metrics: input.metrics,
        params: input.params,
        lineage: input.lineage,
        referenceProfileUri: null,
        referenceProfileSha256: null,
        description: input.description,
        tags: input.tags,
        createdBy: ctx.actor,
        createdAt: now,
      });
      await recordVersionRegistration(this.store, m, name, version, now, ctx, {
        source: input.source,
        runId: input.runId,
        servable: s !== null,
        notServableReason: mv.notServableReason,
        artifactSha256: mv.artifactSha256,
      });
      if (s && isAnnounceable(name)) {
        // the same payload (and version facts) as a native registration; an MLflow version has no Strata lineage
        const facts = { artifactSha256: s.artifactSha256, signature: s.signature, tags: input.tags, metrics: input.metrics, lineage: { datasetVersions: [], featureViews: [] } };
        await this.publisher.publish(m, ModelVersionRegisteredV1, versionRegisteredPayload(mv, facts, ctx.actor, now));
      }
      return mv;
    });
  }

  /**
   * MLflow `transition-stage`: sets the version's stage (and, with `archiveExisting`, moves the
   * other versions of that stage to `Archived`), then points `stage-staging` / `stage-production`
   * at the newest version left in that stage (deleted when none). Marks the model changed.
   * @throws InvalidArgumentError (400) unknown stage; NotFoundError (404)
   */
  async transitionStage(name: string, version: number, stageRaw: string, archiveExisting: boolean, ctx: RequestContext): Promise<ModelVersion> {
    const stage = MLFLOW_STAGES.find((s) => s.toLowerCase() === stageRaw.trim().toLowerCase());
    if (!stage) throw new InvalidArgumentError(`Invalid Model Version stage: ${stageRaw}. Value must be one of ${MLFLOW_STAGES.join(', ')}.`);
    return this.db.run(async (m) => {
      await this.db.requireLockedModel(m, name);
      const mv = await this.store.getVersion(m, name, version);
      if (!mv) throw versionNotFound(name, version);
      const now = new Date();
      const before = mv.currentStage as MlflowStage;
      await this.store.setVersionStage(m, name, version, stage, now);
      if (archiveExisting && stageAlias(stage)) {
        for (const other of await this.store.listVersions(m, name, { limit: 100_000, offset: 0 })) {
          if (other.version !== version && other.currentStage === stage) await this.store.setVersionStage(m, name, other.version, 'Archived', now);
        }
      }
      await this.store.touchModel(m, name, now);
      const reason = `MLflow stage of version ${version}: ${before} → ${stage}`;
      for (const st of new Set([before, stage])) await this.syncStageAlias(m, name, st, reason, ctx, now);
      await this.store.appendAudit(m, { actor: ctx.actor, action: 'model_version.stage', resource: modelRef(name, version), before: { stage: before }, after: { stage }, requestId: ctx.requestId ?? null, outcome: AuditOutcome.SUCCESS });
      return (await this.store.getVersion(m, name, version)) as ModelVersion;
    });
  }

  /** Points the alias of `stage` at the newest version in it (or deletes it). */
  private async syncStageAlias(m: EntityManager, name: string, stage: MlflowStage, reason: string, ctx: RequestContext, now: Date): Promise<void> {
    const alias = stageAlias(stage);
    if (!alias) return;
    const versions = await this.store.listVersions(m, name, { limit: 100_000, offset: 0 });
    const newest = versions.find((v) => v.currentStage === stage)?.version ?? null;
    const current = (await this.store.getAlias(m, name, alias))?.version ?? null;
    if (newest !== current) await this.aliasWriter.change(m, { name, alias, fromVersion: current, toVersion: newest, reason, ctx, now });
  }

  /**
   * MLflow `model-versions/delete`: deletes the version together with the aliases pointing at it
   * (MLflow semantics; the native API refuses instead). Marks the model changed.
   * @throws NotFoundError (404, MLflow wording)
   */
  async delete(name: string, version: number, ctx: RequestContext): Promise<void> {
    await this.db.run(async (m) => {
      await this.db.requireLockedModel(m, name);
      const mv = await this.store.getVersion(m, name, version);
      if (!mv) throw versionNotFound(name, version);
      const now = new Date();
      for (const alias of mv.aliases) {
        await this.aliasWriter.change(m, { name, alias, fromVersion: version, toVersion: null, reason: `version ${version} deleted through the MLflow API`, ctx, now });
      }
      await this.store.deleteVersion(m, name, version);
      await this.store.touchModel(m, name, now);
      await this.store.appendAudit(m, {
        actor: ctx.actor,
        action: 'model_version.delete',
        resource: modelRef(name, version),
        before: { runId: mv.runId, source: mv.source, aliases: mv.aliases },
        after: null,
        requestId: ctx.requestId ?? null,
        outcome: AuditOutcome.SUCCESS,
      });
    });
  }

  /** Newest version per stage (MLflow `latest_versions` / `get-latest-versions`) of each model in `names`. */
  async latestPerStage(names: string[]): Promise<ModelVersionSummary[]> {
    return this.store.latestPerStage(this.db.reader, names);
  }
}
