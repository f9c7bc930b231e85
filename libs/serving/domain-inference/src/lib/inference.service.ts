import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppError, InvalidArgumentError, NotFoundError } from '@strata/shared/util-errors';
import { aliasLabel, outcomeOf, statusOf, stickyPosition } from './inference-outcome';
import type { InferRequest, InferResponse, Prediction } from '@strata/contracts/api';
import { FeaturesClient } from './features.client';
import { ModelRepository, type LoadedModel, type ServingRoute } from './model-repository';
import { validateInferenceRequest, type ValidatedTensor } from './oip-validation';
import type { OipModelMetadata } from './oip.types';
import { PredictionLogger } from './prediction-logger';
import { checkRequest, parseUtc, recordedPredictSignature, resolvePredictSignature, type RequestValue } from './predict-signature';
import { assemblePredictRow, predictLayout } from './predict-input';
import { inferRowFeatures } from './infer-row-features';
import { oipModelProperties } from './oip-model-properties';
import { DEFAULT_ALIAS, ONNX_PLATFORM, SERVING_OPTIONS, type ServingOptions } from './serving.constants';
import { servingMetrics } from './serving.metrics';

export { stickyPosition } from './inference-outcome';

/** Suffix of the prediction id of a shadow prediction (`<predictionId>:shadow`, alias `challenger`): never returned, only logged. */
export const SHADOW_SUFFIX = ':shadow';

/** Body of `POST /models/{m}/predict` (after validation). */
export interface PredictRequest {
  predictionId?: string;
  /** ISO-8601 time of the prediction (default now); sent as `as_of` to the features service. */
  eventTime?: string;
  /** Join key → value of the entity (e.g. `{ customer_id: 7 }`). */
  entities: Record<string, number | string>;
  /** Request fields of the model's on-demand views (field → JSON scalar; null = missing value). */
  request?: Record<string, RequestValue>;
}

/** Response of `POST /models/{m}/predict`: declared once, in the API contracts. */
export type PredictResponse = Prediction;

/** HTTP headers of a request (lower-case names), for sticky routing. */
export type RequestHeaders = Record<string, string | string[] | undefined>;

/** Where a request goes: the version reference to resolve, the alias it is logged under, and a shadow copy. */
interface Routing {
  ref: string | undefined;
  alias: string | null;
  shadow?: ServingRoute;
}

/**
 * Inference use cases: OIP v2 metadata/infer over the {@link ModelRepository}, and the
 * model-agnostic `predict` endpoint (signature → online + on-demand features → model → prediction log).
 */
@Injectable()
export class InferenceService {
  private readonly logger = new Logger('InferenceService');

  constructor(
    private readonly repository: ModelRepository,
    private readonly features: FeaturesClient,
    private readonly predictionLog: PredictionLogger,
    @Inject(SERVING_OPTIONS) private readonly options: Pick<ServingOptions, 'predictionLogDurability' | 'predictionLogTimeoutMs'>,
  ) {}

  /**
   * Logs one prediction of a request: in `durable` mode resolves once it is committed to the
   * outbox (@throws UnavailableError → 503, the client may retry with the same prediction id);
   * else enqueues it and resolves at once. Shadow copies are always buffered (`durable = false`).
   */
  private async logPrediction(event: Parameters<PredictionLogger['log']>[0], durable = true): Promise<void> {
    if (durable && this.options.predictionLogDurability === 'durable') {
      await this.predictionLog.logDurably(event, this.options.predictionLogTimeoutMs ?? 5000);
    } else {
      this.predictionLog.log(event);
    }
  }

  /**
   * OIP model metadata of the addressed version (`ref`: version number, alias, or champion), with
   * `properties` naming each input's columns in signature order (see {@link oipModelProperties}).
   * @throws NotFoundError
   */
  metadata(name: string, ref?: string): OipModelMetadata {
    const model = this.repository.resolve(name, ref);
    const properties = oipModelProperties(model.info);
    return {
      name,
      versions: this.repository.loadedVersions(name).map(String),
      platform: ONNX_PLATFORM,
      inputs: model.info.inputs,
      outputs: model.info.outputs,
      ...(properties ? { properties } : {}),
    };
  }

  /**
   * Whether the addressed version is loaded and ready.
   * @throws NotFoundError when serving has never heard of the model/version.
   */
  ready(name: string, ref?: string): { name: string; version?: string; ready: boolean; state: string; error?: string } {
    try {
      const model = this.repository.resolve(name, ref);
      return { name, version: String(model.version), ready: true, state: 'READY' };
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
      const version = ref !== undefined && /^[0-9]+$/.test(ref) ? Number(ref) : undefined;
      const status = version !== undefined ? this.repository.status(name, version) : this.repository.statuses(name).at(-1);
      if (!status) throw err;
      return { name, version: String(status.version), ready: false, state: status.state, ...(status.error ? { error: status.error } : {}) };
    }
  }

  /**
   * OIP v2 inference. Validation happens before the model runs; a rejected request is never
   * logged as a prediction.
   *
   * Monitored inference (a Strata extension through OIP request `parameters`): when the request
   * carries `parameters.prediction_id` (string) and the model has `strata.feature_names`, every
   * row of the single `[N, F]` input is logged as `prediction-logged` with its features by name,
   * the `probability` output and `parameters.event_time` (ISO-8601, optional) as event time; row
   * ids are `prediction_id` for N = 1, else `prediction_id-<row>`. Without `prediction_id`
   * nothing is logged.
   * @throws NotFoundError (404), InvalidArgumentError (400)
   */
  async infer(name: string, ref: string | undefined, request: InferRequest, headers: RequestHeaders = {}): Promise<InferResponse> {
    const started = process.hrtime.bigint();
    const routing = this.routeRequest(name, ref, (key) => request.parameters?.[key], headers);
    const model = this.acquireServed(name, routing.ref);
    const labels = { model: name, version: String(model.version) };
    let rows = 1;
    try {
      const { inputs, outputNames } = validateInferenceRequest(request, model.info);
      rows = Math.max(1, inputs[0]?.shape[0] ?? 1);
      const predictionId = request.parameters?.['prediction_id'];
      const monitored = typeof predictionId === 'string' && predictionId !== '' && inferRowFeatures(model.info, inputs) !== undefined;
      const eventTimeParam = request.parameters?.['event_time'];
      const eventTime = monitored && typeof eventTimeParam === 'string' ? parseUtc(eventTimeParam, 'parameters.event_time').toISOString() : undefined;
      const runOutputs = monitored && !outputNames.includes('probability') && model.info.outputs.some((o) => o.name === 'probability') ? [...outputNames, 'probability'] : outputNames;
      const { outputs: allOutputs, seconds } = await model.run(inputs, runOutputs);
      const outputs = allOutputs.filter((o) => outputNames.includes(o.name));
      if (monitored) await this.logInferRows(model, routing.alias, predictionId, '', eventTime, inputs, allOutputs, seconds, request.id, true);
      servingMetrics.requests.inc({ ...labels, outcome: 'success' });
      if (routing.shadow) this.shadowInfer(name, routing.shadow, request, monitored ? predictionId : undefined, eventTime);
      const params = new Map((request.outputs ?? []).map((o) => [o.name, o.parameters]));
      return {
        model_name: name,
        model_version: String(model.version),
        ...(request.id !== undefined ? { id: request.id } : {}),
        ...(request.parameters !== undefined ? { parameters: request.parameters } : {}),
        outputs: outputs.map((o) => ({ ...o, ...(params.get(o.name) ? { parameters: params.get(o.name) } : {}) })),
      };
    } catch (err) {
      servingMetrics.requests.inc({ ...labels, outcome: outcomeOf(err) });
      this.reportFailure(model, routing.alias, err, rows, started, request.id);
      throw err;
    } finally {
      servingMetrics.requestDuration.observe({ ...labels, alias: aliasLabel(routing.alias) }, Number(process.hrtime.bigint() - started) / 1e9);
      model.release();
    }
  }

  /**
   * Decides which version answers. An explicit version/alias is used as is. Without one: no
   * rollout → `champion`; canary → the challenger with probability `challengerWeight` (when
   * `stickyKey` is set and the request carries that parameter or header, the choice is
   * `stickyPosition(rolloutId, value) < challengerWeight`: always the same version for the same
   * value); shadow → the champion answers and a copy goes to the challenger.
   */
  private routeRequest(name: string, ref: string | undefined, param: (key: string) => unknown, headers: RequestHeaders): Routing {
    if (ref !== undefined && ref !== '') return { ref, alias: /^[0-9]+$/.test(ref) ? null : ref };
    const route = this.repository.routeOf(name);
    if (!route) return { ref: undefined, alias: DEFAULT_ALIAS };
    if (route.mode === 'shadow') return { ref: String(route.championVersion), alias: DEFAULT_ALIAS, shadow: route };
    let position: number | undefined;
    if (route.stickyKey !== null) {
      const fromParam = param(route.stickyKey);
      const header = headers[route.stickyKey.toLowerCase()];
      const value = fromParam !== undefined && fromParam !== null && typeof fromParam !== 'object' ? String(fromParam) : Array.isArray(header) ? header[0] : header;
      if (value !== undefined && value !== '') position = stickyPosition(route.rolloutId, value);
    }
    const challenger = (position ?? Math.random()) < route.challengerWeight;
    return challenger ? { ref: String(route.challengerVersion), alias: 'challenger' } : { ref: String(route.championVersion), alias: DEFAULT_ALIAS };
  }

  /**
   * The loaded version `ref` of `name` (undefined: the repository's default) for a served request
   * (the caller releases it). A request no loaded model answers counts in `requests` as model
   * `_unknown` with its outcome.
   * @throws NotFoundError (or what the repository throws) when it is not loaded.
   */
  private acquireServed(name: string, ref: string | undefined): LoadedModel {
    try {
      return this.repository.acquire(name, ref);
    } catch (err) {
      servingMetrics.requests.inc({ model: '_unknown', version: '', outcome: outcomeOf(err) });
      throw err;
    }
  }

  /** Runs a shadow copy on the challenger off the request path; its rows are logged as `<prediction_id>:shadow`, alias `challenger`. */
  private shadowInfer(name: string, route: ServingRoute, request: InferRequest, predictionId: string | undefined, eventTime: string | undefined): void {
    this.runShadow(name, route, request.id, async (model, countRows) => {
      const { inputs, outputNames } = validateInferenceRequest(request, model.info);
      countRows(Math.max(1, inputs[0]?.shape[0] ?? 1));
      const monitored = predictionId !== undefined && inferRowFeatures(model.info, inputs) !== undefined;
      const runOutputs = monitored && !outputNames.includes('probability') && model.info.outputs.some((o) => o.name === 'probability') ? [...outputNames, 'probability'] : outputNames;
      const { outputs, seconds } = await model.run(inputs, runOutputs);
      if (monitored) await this.logInferRows(model, 'challenger', predictionId, SHADOW_SUFFIX, eventTime, inputs, outputs, seconds, request.id, false);
    });
  }

  /**
   * Runs `work` on the challenger version of `route` off the request path (next tick), for a
   * shadow copy of a request. Counts `shadowRequests` by outcome (`not_loaded` when the challenger
   * is not loaded: `work` does not run), reports a server-side failure like a served one
   * ({@link reportFailure}, alias `challenger`, the row count `work` gave through `countRows`,
   * else 1, and `requestId`), observes the duration under alias `shadow` and releases the model.
   */
  private runShadow(name: string, route: ServingRoute, requestId: string | undefined, work: (model: LoadedModel, countRows: (rows: number) => void) => Promise<unknown>): void {
    setImmediate(() => {
      let model: LoadedModel;
      try {
        model = this.repository.acquire(name, String(route.challengerVersion));
      } catch {
        servingMetrics.shadowRequests.inc({ model: name, outcome: 'not_loaded' });
        return;
      }
      const started = process.hrtime.bigint();
      let rows = 1;
      void (async () => {
        try {
          await work(model, (n) => (rows = n));
          servingMetrics.shadowRequests.inc({ model: name, outcome: 'success' });
        } catch (err) {
          servingMetrics.shadowRequests.inc({ model: name, outcome: outcomeOf(err) });
          this.reportFailure(model, 'challenger', err, rows, started, requestId);
        } finally {
          servingMetrics.requestDuration.observe({ model: name, version: String(model.version), alias: 'shadow' }, Number(process.hrtime.bigint() - started) / 1e9);
          model.release();
        }
      })();
    });
  }

  /**
   * Publishes `InferenceFailedV1` (through the same non-blocking buffer as prediction logs) for
   * a server-side failure (HTTP status ≥ 500) on a resolved model. Client errors are not published.
   */
  private reportFailure(model: LoadedModel, alias: string | null, err: unknown, rows: number, started: bigint, requestId: string | undefined): void {
    const httpStatus = statusOf(err);
    if (httpStatus < 500) return;
    const message = err instanceof Error ? err.message : String(err);
    this.logger.error({ model: model.name, version: model.version, alias, err: message }, 'inference failed');
    this.predictionLog.logFailure({
      modelName: model.name,
      modelVersion: model.version,
      alias,
      ...(requestId !== undefined && requestId !== '' ? { requestId: requestId.slice(0, 256) } : {}),
      rowCount: rows,
      errorCode: err instanceof AppError ? err.code : 'MODEL_EXECUTION_FAILED',
      httpStatus: Math.min(599, httpStatus),
      message: message.slice(0, 1024),
      latencyMs: Number(process.hrtime.bigint() - started) / 1e6,
      failedAt: new Date().toISOString(),
    });
  }

  private async logInferRows(
    model: LoadedModel,
    alias: string | null,
    predictionId: string,
    idSuffix: string,
    eventTime: string | undefined,
    inputs: readonly ValidatedTensor[],
    outputs: Array<{ name: string; data: ArrayLike<unknown> }>,
    seconds: number,
    requestId: string | undefined,
    durable: boolean,
  ): Promise<void> {
    const perRow = inferRowFeatures(model.info, inputs);
    if (!perRow) return;
    const rows = perRow.length;
    const probability = outputs.find((o) => o.name === 'probability') ?? outputs[0];
    const threshold = Number(model.info.metadata['strata.threshold'] ?? '0.5');
    const predictedAt = new Date().toISOString();
    const logged: Array<Promise<void>> = [];
    for (let r = 0; r < rows; r++) {
      const features = perRow[r]!;
      const p = Number(probability?.data[r]);
      logged.push(this.logPrediction({
        predictionId: `${rows === 1 ? predictionId : `${predictionId}-${r}`}${idSuffix}`,
        modelName: model.name,
        modelVersion: model.version,
        alias,
        ...(requestId !== undefined && requestId !== '' ? { requestId: requestId.slice(0, 256) } : {}),
        features,
        outputs: { prediction: p >= threshold ? 1 : 0, probability: Math.min(1, Math.max(0, p)) },
        latencyMs: (seconds * 1000) / Math.max(1, rows),
        predictedAt,
        ...(eventTime !== undefined ? { eventTime } : {}),
      }, durable));
    }
    await Promise.all(logged);
  }

  /**
   * Scores one entity with any model: the model version's predict signature (feature reference
   * per input column, recorded at training as ONNX `strata.feature_refs`, else resolved from
   * `strata.feature_names` against the feature repo) says which features to fetch and which
   * request fields its on-demand views take; `request` is checked against those fields (400
   * naming an unknown / missing / mistyped field); ONE `POST /get-online-features` (as of
   * `eventTime`, with `request_data`) returns the batch-view values and the on-demand features,
   * computed by the features service exactly as in training sets; the row is assembled in input
   * order: a value that is not PRESENT (NOT_FOUND / OUTSIDE_MAX_AGE / OUTSIDE_AS_OF) → NaN (the
   * model imputes). Logs `prediction-logged` off the request path. Routed like {@link infer}
   * (canary/shadow; the sticky value may also be an entity key's value); a shadow copy is scored
   * on the challenger off the request path and logged as `<predictionId>:shadow`.
   * @throws NotFoundError, InvalidArgumentError (bad body or request field, model without feature
   *   names or with an input other than FP32/FP64 [N, F]), UnavailableError (features service down).
   */
  async predict(name: string, ref: string | undefined, body: PredictRequest, headers: RequestHeaders = {}): Promise<PredictResponse> {
    const started = process.hrtime.bigint();
    const routing = this.routeRequest(name, ref, (key) => body.entities[key], headers);
    const model = this.acquireServed(name, routing.ref);
    const labels = { model: name, version: String(model.version) };
    try {
      const predictionId = body.predictionId ?? randomUUID();
      const response = await this.predictWith(model, routing.alias, { ...body, predictionId });
      servingMetrics.requests.inc({ ...labels, outcome: 'success' });
      if (routing.shadow) this.shadowPredict(name, routing.shadow, { ...body, predictionId: `${predictionId}${SHADOW_SUFFIX}` });
      return response;
    } catch (err) {
      servingMetrics.requests.inc({ ...labels, outcome: outcomeOf(err) });
      this.reportFailure(model, routing.alias, err, 1, started, body.predictionId);
      throw err;
    } finally {
      servingMetrics.requestDuration.observe({ ...labels, alias: aliasLabel(routing.alias) }, Number(process.hrtime.bigint() - started) / 1e9);
      model.release();
    }
  }

  private shadowPredict(name: string, route: ServingRoute, body: PredictRequest): void {
    this.runShadow(name, route, body.predictionId, (model) => this.predictWith(model, 'challenger', body, false));
  }

  private async predictWith(model: LoadedModel, alias: string | null, body: PredictRequest, durable = true): Promise<PredictResponse> {
    const names = model.info.featureNames;
    if (!names || names.length === 0) throw new InvalidArgumentError(`Model '${model.name}@${model.version}' has no 'strata.feature_names' metadata: use /v2/models/${model.name}/infer`);
    const layout = predictLayout(model.info, `Model '${model.name}@${model.version}'`, `/v2/models/${model.name}/infer`);
    const eventTime = body.eventTime !== undefined ? parseUtc(body.eventTime, 'eventTime').toISOString() : undefined;
    const described = { name: model.name, version: model.version, metadata: model.info.metadata };
    const signature = recordedPredictSignature(described) ?? resolvePredictSignature(described, await this.features.featureViews());
    const requestData = checkRequest(model, signature.requestFields, body.request ?? {}, body.entities);
    const refs = [...new Set(signature.columns.map((c) => c.ref))];
    const online = await this.features.getOnlineFeatures(refs, body.entities, eventTime, requestData);
    const { inputs, features, featureStatuses } = assemblePredictRow(layout, signature.columns, online);
    const outputNames = model.info.outputs.map((o) => o.name);
    const probabilityOutput = outputNames.includes('probability') ? 'probability' : (outputNames[0] as string);
    const { outputs, seconds } = await model.run(inputs, [probabilityOutput]);
    const probability = Number(outputs[0]?.data[0]);
    const predictionId = body.predictionId ?? randomUUID();
    const predictedAt = new Date().toISOString();
    const threshold = Number(model.info.metadata['strata.threshold'] ?? '0.5');
    await this.logPrediction({
      predictionId,
      modelName: model.name,
      modelVersion: model.version,
      alias,
      features,
      outputs: { prediction: probability >= threshold ? 1 : 0, probability: Math.min(1, Math.max(0, probability)) },
      latencyMs: seconds * 1000,
      predictedAt,
      ...(eventTime !== undefined ? { eventTime } : {}),
    }, durable);
    return { predictionId, modelName: model.name, modelVersion: model.version, probability, features, featureStatuses };
  }
}
