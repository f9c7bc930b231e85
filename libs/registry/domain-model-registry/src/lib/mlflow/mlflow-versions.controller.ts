import { Controller, Delete, Get, HttpCode, Patch, Post, Req, UseFilters } from '@nestjs/common';
import { RequirePermission } from '@strata/shared/auth';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { MetricValue, ModelVersion } from '@strata/registry/data-access';
import { AppError, InvalidArgumentError, NotFoundError } from '@strata/shared/util-errors';
import type { FastifyRequest } from 'fastify';
import { ArtifactsService } from '../artifacts.service';
import { MlflowVersionsService, ModelsService, VersionsService, type MlflowVersionInput } from '../model-registry';
import { SignatureInput, type RegisterModelVersionInput } from '../registry.schemas';
import { TrackingService } from '../tracking.service';
import { MlflowErrorFilter } from './mlflow-errors';
import { toMlflowVersion, type MlflowModelVersion } from './mlflow-json';
import { ctxOf, inputOf, listOf, optStr, page, registrySearch, str, tagsOf, withToken, type Input } from './mlflow-request';
import { mlflowBool } from './mlflow-schemas';
import { validateMlflowSource } from './mlflow-source';

/** The `version` field: an integer (MLflow: `Model version must be an integer`). */
export function mlflowVersionNumber(i: Input): number {
  const raw = str(i, 'version');
  if (!/^\s*\d+\s*$/.test(raw) || !Number.isSafeInteger(Number(raw)) || Number(raw) < 1) throw new InvalidArgumentError(`Model version must be an integer, got '${raw}'`);
  return Number(raw);
}

/** `models:/<name>/<version>` (the source of a copied version). */
const MODELS_URI = /^models:\/([^/@]+)\/(\d+)$/;

/**
 * MLflow REST API 2.0 model versions under `/api/2.0/mlflow/model-versions/`: create, get,
 * search, update, set-tag, delete-tag, delete, transition-stage, get-download-uri.
 *
 * `create` records ANY source, as MLflow does (`source` and `run_id` are kept exactly as given).
 * Strata marks the version servable when the source resolves (`runs:/<run>/<path>`, a `file:` URI
 * or `models:/<name>/<version>` of a servable version) to an ONNX file with an MLmodel tensor
 * signature in the registry's artifact store, verified by sha256; any other version is
 * registered as not servable with the reason (`status_message`), and the artifact endpoint —
 * which serving reads — refuses it with that reason.
 */
@ApiTags('mlflow-compat')
@Controller('api/2.0/mlflow')
@UseFilters(new MlflowErrorFilter())
export class MlflowVersionsController {
  constructor(
    private readonly models: ModelsService,
    private readonly versions: VersionsService,
    private readonly mlflow: MlflowVersionsService,
    private readonly tracking: TrackingService,
    private readonly artifacts: ArtifactsService,
  ) {}

  /** Whether `source` is servable: the verified artifact with its signature, or the reason it is not. */
  private async servability(source: string): Promise<Pick<MlflowVersionInput, 'servable' | 'notServableReason'>> {
    try {
      const copied = MODELS_URI.exec(source);
      if (copied) {
        const from = await this.versions.getVersion(decodeURIComponent(copied[1] as string), Number(copied[2]));
        if (!from.servable || from.artifactSha256 === null) return { servable: null, notServableReason: `copied from ${source}, which is not servable: ${from.notServableReason ?? ''}` };
        return { servable: { artifactUri: from.artifactUri, artifactSha256: from.artifactSha256, signature: from.signature as RegisterModelVersionInput['signature'] }, notServableReason: null };
      }
      const resolved = await this.artifacts.resolveModelSource(await this.tracking.resolveRunsUri(source));
      if (!resolved.signature) return { servable: null, notServableReason: 'no MLmodel file with a tensor signature (inputs and outputs) beside the model' };
      const sig = SignatureInput.safeParse(resolved.signature);
      if (!sig.success) return { servable: null, notServableReason: `the MLmodel signature is not a tensor signature Strata can serve: ${sig.error.issues[0]?.message ?? ''}` };
      return { servable: { artifactUri: resolved.artifactUri, artifactSha256: resolved.artifactSha256, signature: sig.data }, notServableReason: null };
    } catch (err) {
      if (err instanceof AppError && err.httpStatus < 500) return { servable: null, notServableReason: err.message };
      throw err;
    }
  }

  /**
   * `POST model-versions/create {name, source, run_id?, tags?, description?, run_link?}` →
   * `{model_version}`: the next version of an existing model, from any source (see the class).
   * The run's latest metrics and params are copied when `run_id` names a Strata run.
   * @throws RESOURCE_DOES_NOT_EXIST (404) when the model does not exist
   */
  @Post('model-versions/create')
  @HttpCode(200)
  @ApiOperation({ summary: 'MLflow: create a model version (any source; servable when ONNX with a signature in the artifact store)' })
  @RequirePermission('models', 'write')
  async createVersion(@Req() req: FastifyRequest): Promise<{ model_version: MlflowModelVersion }> {
    const i = inputOf(req);
    const name = str(i, 'name');
    const source = str(i, 'source');
    const runId = optStr(i, 'run_id') ?? '';
    const tags = tagsOf(i);
    const description = optStr(i, 'description') ?? null;
    let run = null;
    if (runId) {
      try {
        run = await this.tracking.getRun(runId);
      } catch (err) {
        if (!(err instanceof NotFoundError)) throw err; // MLflow records an unknown run id as given
      }
    }
    validateMlflowSource(source, run?.artifactUri ?? null);
    await this.models.getModel(name);
    const metrics: Record<string, MetricValue> = {};
    for (const p of Object.values(run?.latestMetrics ?? {})) metrics[p.key] = p.value;
    const mv = await this.mlflow.create(
      name,
      {
        source,
        runId,
        ...(await this.servability(source)),
        metrics,
        params: { ...(run?.params ?? {}) },
        lineage: { datasetVersions: [], featureViews: [], mlflowSource: source, ...(run ? { experimentId: run.experimentId, runId: run.runId } : {}) },
        description,
        tags,
      },
      ctxOf(req),
    );
    return { model_version: toMlflowVersion(mv) };
  }

  /** `GET model-versions/get?name=&version=` → `{model_version}`. */
  @Get('model-versions/get')
  @ApiOperation({ summary: 'MLflow: get a model version' })
  @RequirePermission('models', 'read')
  async getVersion(@Req() req: FastifyRequest): Promise<{ model_version: MlflowModelVersion }> {
    const i = inputOf(req);
    return { model_version: toMlflowVersion(await this.versions.getVersion(str(i, 'name'), mlflowVersionNumber(i))) };
  }

  /** `GET model-versions/search?filter=&max_results=&order_by=&page_token=` → `{model_versions, next_page_token?}`; default order: last update DESC, name, version DESC. */
  @Get('model-versions/search')
  @ApiOperation({ summary: 'MLflow: search model versions (name, run_id, source_path, version_number, tags.<key>)' })
  @RequirePermission('models', 'read')
  async searchVersions(@Req() req: FastifyRequest): Promise<{ model_versions: MlflowModelVersion[]; next_page_token?: string }> {
    const i = inputOf(req);
    const p = page(i, 10000, 200000);
    const result = await this.versions.searchVersions(registrySearch(optStr(i, 'filter'), listOf(i, 'order_by'), 'versions'), p);
    return withToken({ model_versions: result.items.map(toMlflowVersion) }, result.nextPageToken);
  }

  /** `PATCH model-versions/update {name, version, description}` → `{model_version}`. */
  @Patch('model-versions/update')
  @ApiOperation({ summary: 'MLflow: update the description of a model version' })
  @RequirePermission('models', 'write')
  async updateVersion(@Req() req: FastifyRequest): Promise<{ model_version: MlflowModelVersion }> {
    const i = inputOf(req);
    const mv = await this.versions.updateVersion(str(i, 'name'), mlflowVersionNumber(i), { description: optStr(i, 'description') ?? null }, ctxOf(req));
    return { model_version: toMlflowVersion(mv) };
  }

  /** `POST model-versions/set-tag {name, version, key, value}` → `{}`. */
  @Post('model-versions/set-tag')
  @HttpCode(200)
  @ApiOperation({ summary: 'MLflow: set a model version tag' })
  @RequirePermission('models', 'write')
  async setVersionTag(@Req() req: FastifyRequest): Promise<Record<string, never>> {
    const i = inputOf(req);
    await this.versions.updateVersion(str(i, 'name'), mlflowVersionNumber(i), { setTags: { [str(i, 'key')]: str(i, 'value', false) } }, ctxOf(req));
    return {};
  }

  /** `DELETE model-versions/delete-tag {name, version, key}` → `{}`. */
  @Delete('model-versions/delete-tag')
  @ApiOperation({ summary: 'MLflow: delete a model version tag' })
  @RequirePermission('models', 'write')
  async deleteVersionTag(@Req() req: FastifyRequest): Promise<Record<string, never>> {
    const i = inputOf(req);
    await this.versions.updateVersion(str(i, 'name'), mlflowVersionNumber(i), { deleteTags: [str(i, 'key')] }, ctxOf(req));
    return {};
  }

  /** `DELETE model-versions/delete {name, version}` → `{}`; the aliases pointing at it go with it (MLflow). */
  @Delete('model-versions/delete')
  @ApiOperation({ summary: 'MLflow: delete a model version (with the aliases pointing at it)' })
  @RequirePermission('models', 'write')
  async deleteVersion(@Req() req: FastifyRequest): Promise<Record<string, never>> {
    const i = inputOf(req);
    await this.mlflow.delete(str(i, 'name'), mlflowVersionNumber(i), ctxOf(req));
    return {};
  }

  /**
   * `POST model-versions/transition-stage {name, version, stage, archive_existing_versions?}` →
   * `{model_version}`. Stages (deprecated in MLflow, used by 2.x clients) are a field of the
   * version plus the aliases `stage-staging` / `stage-production`, which point at the newest
   * version in that stage (so Strata's serving follows a stage like any alias).
   */
  @Post('model-versions/transition-stage')
  @HttpCode(200)
  @ApiOperation({ summary: 'MLflow: transition a model version to a stage (mirrored on stage-staging / stage-production aliases)' })
  @RequirePermission('aliases', 'write')
  async transitionStage(@Req() req: FastifyRequest): Promise<{ model_version: MlflowModelVersion }> {
    const i = inputOf(req);
    const archive = mlflowBool('archive_existing_versions').parse(i['archive_existing_versions']) ?? false;
    const mv = await this.mlflow.transitionStage(str(i, 'name'), mlflowVersionNumber(i), str(i, 'stage'), archive, ctxOf(req));
    return { model_version: toMlflowVersion(mv) };
  }

  /** `GET model-versions/get-download-uri?name=&version=` → `{artifact_uri}`: the source (a `models:/` source resolves to its version's). */
  @Get('model-versions/get-download-uri')
  @ApiOperation({ summary: 'MLflow: where the version can be downloaded from' })
  @RequirePermission('models', 'read')
  async downloadUri(@Req() req: FastifyRequest): Promise<{ artifact_uri: string }> {
    const i = inputOf(req);
    let mv: ModelVersion = await this.versions.getVersion(str(i, 'name'), mlflowVersionNumber(i));
    for (let hops = 0; hops < 10; hops++) {
      const m = MODELS_URI.exec(mv.source ?? '');
      if (!m) break;
      mv = await this.versions.getVersion(decodeURIComponent(m[1] as string), Number(m[2]));
    }
    return { artifact_uri: mv.source ?? mv.artifactUri };
  }
}
