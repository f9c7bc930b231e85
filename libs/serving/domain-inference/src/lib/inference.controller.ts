import { Body, Controller, Get, Headers, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ZodApiBody } from '@strata/shared/nest-platform';
import { UnavailableError } from '@strata/shared/util-errors';
import { InferenceService, type RequestHeaders } from './inference.service';
import { InferRequestSchema, type InferResponse } from '@strata/contracts/api';
import type { OipModelMetadata } from './oip.types';
import { parseInferenceRequest } from './oip-request-check';
import { RequirePermission, Public } from '@strata/shared/auth';

/** Server version reported by `GET /v2`. */
export const SERVER_VERSION = '0.1.0';

/**
 * Open Inference Protocol v2 REST (KServe "V2 protocol"): health, server and model metadata,
 * model readiness and inference. Errors are `{"error": "...", "code", ...}` (400 invalid
 * request naming the tensor, 404 unknown model/version, 503 model not ready).
 * A model is addressed by name (its `champion`) or name + version, where the version is a
 * number or an alias (`/versions/challenger`).
 */
@ApiTags('open-inference-v2')
@Controller('v2')
export class InferenceController {
  constructor(private readonly inference: InferenceService) {}

  /** `GET /v2/health/live` → 200 `{ live: true }` while the process runs. */
  @Get('health/live')
  @ApiOperation({ summary: 'Server liveness (OIP v2)' })
  @Public()
  live(): { live: boolean } {
    return { live: true };
  }

  /**
   * `GET /v2/health/ready` → 200 `{ ready: true }` once the server accepts requests. Model
   * loading never blocks it; use the per-model ready endpoint for a model.
   */
  @Get('health/ready')
  @ApiOperation({ summary: 'Server readiness (OIP v2); does not wait for models' })
  @Public()
  ready(): { ready: boolean } {
    return { ready: true };
  }

  /** `GET /v2` → `{ name, version, extensions }` (OIP server metadata). */
  @Get()
  @ApiOperation({ summary: 'Server metadata (OIP v2)' })
  @RequirePermission('serving', 'read')
  serverMetadata(): { name: string; version: string; extensions: string[] } {
    return { name: 'strata-serving', version: SERVER_VERSION, extensions: ['strata_predict'] };
  }

  /** `GET /v2/models/{m}` → OIP model metadata of the champion. 404 when not loaded. */
  @Get('models/:model')
  @ApiOperation({ summary: 'Model metadata (OIP v2): name, versions, platform, inputs, outputs' })
  @RequirePermission('serving', 'read')
  modelMetadata(@Param('model') model: string): OipModelMetadata {
    return this.inference.metadata(model);
  }

  /** `GET /v2/models/{m}/versions/{v}` → OIP model metadata of that version (number or alias). */
  @Get('models/:model/versions/:version')
  @ApiOperation({ summary: 'Model version metadata (OIP v2)' })
  @RequirePermission('serving', 'read')
  versionMetadata(@Param('model') model: string, @Param('version') version: string): OipModelMetadata {
    return this.inference.metadata(model, version);
  }

  /** `GET /v2/models/{m}/ready` → 200 `{name, version, ready: true}`; 503 when known but not ready; 404 unknown. */
  @Get('models/:model/ready')
  @ApiOperation({ summary: 'Model readiness (OIP v2)' })
  @RequirePermission('serving', 'read')
  modelReady(@Param('model') model: string): { name: string; version?: string; ready: boolean } {
    return this.readyOrThrow(model);
  }

  /** `GET /v2/models/{m}/versions/{v}/ready` (see modelReady). */
  @Get('models/:model/versions/:version/ready')
  @ApiOperation({ summary: 'Model version readiness (OIP v2)' })
  @RequirePermission('serving', 'read')
  versionReady(@Param('model') model: string, @Param('version') version: string): { name: string; version?: string; ready: boolean } {
    return this.readyOrThrow(model, version);
  }

  /**
   * `POST /v2/models/{m}/infer` with an OIP `$inference_request`
   * `{ id?, parameters?, inputs: [{ name, shape, datatype, data }], outputs?: [{ name }] }`
   * → `{ model_name, model_version, id?, parameters?, outputs: [{ name, shape, datatype, data }] }`
   * (`data` flattened row-major). 400 on bad datatype/shape/element count naming the tensor.
   * During a rollout the champion/challenger split (canary; sticky by the `parameters[stickyKey]`
   * value or the header named `stickyKey`) or the shadow copy applies; `model_version` says who answered.
   * A server-side failure (500) is published as `strata.serving.inference-failed.v1`.
   */
  @Post('models/:model/infer')
  @HttpCode(200)
  @ZodApiBody(InferRequestSchema, 'OIP v2 inference request')
  @ApiOperation({ summary: 'Inference (OIP v2) on the champion' })
  @RequirePermission('inference', 'execute')
  infer(@Param('model') model: string, @Body() body: unknown, @Headers() headers: RequestHeaders): Promise<InferResponse> {
    return this.inference.infer(model, undefined, parseInferenceRequest(body), headers);
  }

  /** `POST /v2/models/{m}/versions/{v}/infer` (see infer). */
  @Post('models/:model/versions/:version/infer')
  @HttpCode(200)
  @ZodApiBody(InferRequestSchema, 'OIP v2 inference request')
  @ApiOperation({ summary: 'Inference (OIP v2) on a version or alias' })
  @RequirePermission('inference', 'execute')
  inferVersion(@Param('model') model: string, @Param('version') version: string, @Body() body: unknown): Promise<InferResponse> {
    return this.inference.infer(model, version, parseInferenceRequest(body));
  }

  private readyOrThrow(model: string, version?: string): { name: string; version?: string; ready: boolean } {
    const r = this.inference.ready(model, version);
    if (!r.ready) {
      throw new UnavailableError(`Model '${model}' version ${r.version ?? '?'} is not ready: ${r.state}${r.error ? `: ${r.error}` : ''}`, {
        details: { name: r.name, version: r.version, ready: false, state: r.state },
      });
    }
    return { name: r.name, ...(r.version !== undefined ? { version: r.version } : {}), ready: true };
  }
}
