import { Injectable, Logger } from '@nestjs/common';
import { ModelVersionRegisteredV1 } from '@strata/contracts';
import { EventPublisher } from '@strata/messaging';
import { AuditOutcome, RegistryStore, type ModelVersion, type ModelVersionSummary, type RegistrySearch } from '@strata/registry/data-access';
import { ConflictError, InvalidArgumentError, NotFoundError } from '@strata/shared/util-errors';
import { CHAMPION_ALIAS, type RegisterModelVersionInput } from '../registry.schemas';
import { TrackingService } from '../tracking.service';
import { versionRegisteredPayload } from '../version-facts';
import { AliasWriter } from './alias-writer';
import { RegistryTx, modelNotFound, versionNotFound, mergeTags, modelRef, paged, type Page, type RequestContext } from './registry-tx';
import { recordVersionRegistration } from './version-registration';

/** Result of {@link VersionsService.registerVersion}. */
export interface RegistrationResult {
  /** false when the run was already registered (idempotent retry): the existing version is returned. */
  created: boolean;
  modelVersion: ModelVersion;
}

/**
 * Model versions: registration (immutable artifact + lineage, contiguous numbers under the model
 * lock, `model-version-registered` through the outbox), reads, search, description/tag updates
 * and deletion (refused while an alias points at the version).
 */
@Injectable()
export class VersionsService {
  private readonly logger = new Logger(VersionsService.name);

  constructor(
    private readonly db: RegistryTx,
    private readonly store: RegistryStore,
    private readonly publisher: EventPublisher,
    private readonly aliasWriter: AliasWriter,
    private readonly tracking: TrackingService,
  ) {}

  /**
   * Registers a version of model `name` from a training run (creating the model if missing).
   * The version number is `latest_version + 1`, assigned under the model row's lock. Idempotent
   * per `(name, runId)`: a second call for the same run returns the existing version with
   * `created: false`. The first version of a model also gets the alias `champion`.
   * Writes the version row, the audit entry and the `model-version-registered` event (plus, for
   * version 1, the alias row, its history and `model-alias-changed`) in one transaction.
   *
   * `sourceRunId` (optional) names the tracked run that produced the version; the MLflow API
   * answers it as the version's `run_id` (else `runId`).
   *
   * @throws ConflictError (409) when the run is already registered with a different artifact sha256
   * @throws InvalidArgumentError (400) when the event payload would break its contract, or
   *   `sourceRunId` is not a tracked run of this registry
   * @throws UnavailableError (503) when PostgreSQL is not reachable
   */
  async registerVersion(name: string, input: RegisterModelVersionInput, ctx: RequestContext): Promise<RegistrationResult> {
    if (input.sourceRunId) await this.requireTrackedRun(input.sourceRunId);
    const result = await this.db.run(async (m) => {
      const now = new Date();
      await this.store.createModelIfMissing(m, name, now);
      const model = await this.store.lockModel(m, name);
      if (!model) throw modelNotFound(name); // cannot happen: created above
      const existing = await this.store.findVersionByRun(m, name, input.runId);
      if (existing) {
        if (existing.artifactSha256 !== input.artifactSha256) {
          throw new ConflictError(
            `Run '${input.runId}' is already registered as model version '${modelRef(name, existing.version)}' with artifact sha256 ${existing.artifactSha256}, not ${input.artifactSha256}`,
            { details: { version: existing.version, artifactSha256: existing.artifactSha256 } },
          );
        }
        return { created: false, modelVersion: existing };
      }
      const version = model.latestVersion + 1;
      const mv = await this.store.insertVersion(m, {
        name,
        version,
        runId: input.runId,
        sourceRunId: input.sourceRunId ?? null,
        workflowId: input.workflowId ?? null,
        artifactUri: input.artifactUri,
        artifactSha256: input.artifactSha256,
        signature: input.signature,
        metrics: input.metrics,
        params: input.params,
        lineage: input.lineage,
        referenceProfileUri: input.referenceProfileUri ?? null,
        referenceProfileSha256: input.referenceProfileSha256 ?? null,
        description: input.description ?? null,
        tags: input.tags,
        createdBy: ctx.actor,
        createdAt: now,
      });
      await recordVersionRegistration(this.store, m, name, version, now, ctx, { runId: mv.runId, artifactUri: mv.artifactUri, artifactSha256: mv.artifactSha256 });
      await this.publisher.publish(m, ModelVersionRegisteredV1, versionRegisteredPayload(mv, input, ctx.actor, now)); // carries the version's facts (version-facts.ts)
      if (version === 1) {
        await this.aliasWriter.change(m, { name, alias: CHAMPION_ALIAS, fromVersion: null, toVersion: 1, reason: 'first version of the model', ctx, now });
        mv.aliases = [CHAMPION_ALIAS];
      }
      return { created: true, modelVersion: mv };
    });
    if (result.created) this.logger.log(`registered model version '${modelRef(name, result.modelVersion.version)}' from run '${input.runId}'`);
    return result;
  }

  /** @throws InvalidArgumentError (400) naming `sourceRunId` when no tracked run has that id */
  private async requireTrackedRun(sourceRunId: string): Promise<void> {
    try {
      await this.tracking.getRun(sourceRunId);
    } catch (e) {
      if (e instanceof NotFoundError) throw new InvalidArgumentError(`sourceRunId '${sourceRunId}' is not a tracked run of this registry (POST /runs creates one)`, { details: { field: 'sourceRunId' } });
      throw e;
    }
  }

  /**
   * Deletes a version. Refused while an alias points at it (the refusal is audited). Version
   * numbers are never reused.
   * @returns the deleted version
   * @throws NotFoundError (404) when the model or version does not exist
   * @throws ConflictError (409) naming the alias(es) that point at the version
   */
  async deleteVersion(name: string, version: number, ctx: RequestContext): Promise<ModelVersion> {
    const outcome = await this.db.run(async (m) => {
      await this.db.requireLockedModel(m, name);
      const mv = await this.store.getVersion(m, name, version);
      if (!mv) throw versionNotFound(name, version);
      const audit = { actor: ctx.actor, action: 'model_version.delete', resource: modelRef(name, version), requestId: ctx.requestId ?? null };
      const summary = { runId: mv.runId, artifactSha256: mv.artifactSha256, aliases: mv.aliases };
      if (mv.aliases.length > 0) {
        // Commit the refusal's audit row, then report the conflict.
        await this.store.appendAudit(m, { ...audit, before: summary, after: summary, outcome: AuditOutcome.REFUSED });
        return { refused: mv.aliases, mv };
      }
      await this.store.deleteVersion(m, name, version);
      await this.store.appendAudit(m, { ...audit, before: summary, after: null, outcome: AuditOutcome.SUCCESS });
      return { refused: null, mv };
    });
    if (outcome.refused) {
      const list = outcome.refused.map((a) => `'${a}'`).join(', ');
      throw new ConflictError(
        `Model version '${modelRef(name, version)}' cannot be deleted: alias ${list} points at it; move or delete the alias first`,
        { details: { aliases: outcome.refused } },
      );
    }
    return { ...outcome.mv, aliases: [] };
  }

  /** Updates description and/or tags of a version (audited; everything else is immutable). @throws NotFoundError (404) */
  async updateVersion(
    name: string,
    version: number,
    p: { description?: string | null; tags?: Record<string, string>; setTags?: Record<string, string>; deleteTags?: string[] },
    ctx: RequestContext,
  ): Promise<ModelVersion> {
    return this.db.run(async (m) => {
      await this.db.requireLockedModel(m, name);
      const before = await this.store.getVersion(m, name, version);
      if (!before) throw versionNotFound(name, version);
      const tags = mergeTags(before.tags, p);
      await this.store.updateVersion(m, name, version, { ...(p.description !== undefined ? { description: p.description } : {}), ...(tags ? { tags } : {}) });
      const after = (await this.store.getVersion(m, name, version)) as ModelVersion;
      await this.store.appendAudit(m, {
        actor: ctx.actor,
        action: 'model_version.update',
        resource: modelRef(name, version),
        before: { description: before.description, tags: before.tags },
        after: { description: after.description, tags: after.tags },
        requestId: ctx.requestId ?? null,
        outcome: AuditOutcome.SUCCESS,
      });
      return after;
    });
  }

  /** Versions across models (MLflow `model-versions/search`): conditions, `orderBy`, a page. */
  async searchVersions(q: RegistrySearch, page: { limit: number; offset: number }): Promise<Page<ModelVersionSummary>> {
    return paged(await this.store.searchVersions(this.db.reader, { ...q, limit: page.limit + 1, offset: page.offset }), page);
  }

  /** Versions of a model, newest first. @throws NotFoundError (404) when the model does not exist */
  async listVersions(name: string, page: { limit: number; offset: number }): Promise<Page<ModelVersion>> {
    await this.db.requireModel(name);
    const rows = await this.store.listVersions(this.db.reader, name, { limit: page.limit + 1, offset: page.offset });
    return paged(rows, page);
  }

  /** One version. @throws NotFoundError (404) naming `name@version` */
  async getVersion(name: string, version: number): Promise<ModelVersion> {
    const mv = await this.store.getVersion(this.db.reader, name, version);
    if (!mv) throw versionNotFound(name, version);
    return mv;
  }
}
