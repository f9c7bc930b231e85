import { DatasetVersionRef, FeatureViewRef, Id, Name, Sha256, TensorType, Uri } from '@strata/contracts';
import { type Principal, authenticatedActor, serviceNameOf } from '@strata/shared/auth';
import { parseWith } from '@strata/shared/nest-platform';
import { InvalidArgumentError } from '@strata/shared/util-errors';
import type { MetricValue } from '@strata/registry/data-access';
import { z } from 'zod';
import { evaluationDigestOf } from './promotion';
import { DisparityEvidenceSchema } from './disparity-gate';
import { EvaluationSegmentsInput, PolicyFairnessBody } from './promotion-fairness';

/** Registered model names: 1–128 chars, lowercase letters, digits, `.`, `_`, `-`, not starting with a symbol. */
export const MODEL_NAME_PATTERN = /^[a-z0-9][a-z0-9_.-]{0,127}$/;

/** Alias names: lowercase letters, digits, `_`, `-`, starting with a letter, ≤ 64 chars (contract `Alias`). */
export const ALIAS_PATTERN = /^[a-z][a-z0-9_-]{0,63}$/;

/** The alias the first version of every model receives. */
export const CHAMPION_ALIAS = 'champion';

/** Actor recorded when a request names none. */
export const ANONYMOUS_ACTOR = 'anonymous';

/** zod schema of a model name (path parameter or body field). */
export const ModelNameSchema = z
  .string()
  .regex(MODEL_NAME_PATTERN, 'must match ^[a-z0-9][a-z0-9_.-]{0,127}$ (lowercase letters, digits, ".", "_", "-"; 1-128 chars)');

/**
 * Validates a model name.
 * @throws InvalidArgumentError (400) `Invalid model name 'Bad Name': must match …`
 */
export function parseModelName(raw: unknown): string {
  const r = ModelNameSchema.safeParse(raw);
  if (!r.success) throw new InvalidArgumentError(`Invalid model name '${String(raw)}': ${r.error.issues[0]?.message ?? 'invalid'}`);
  return r.data;
}

/**
 * Validates an alias name. `latest` and `v<digits>` are reserved (as in MLflow), so an alias can
 * never be confused with a version reference.
 * @throws InvalidArgumentError (400) naming the alias
 */
export function parseAlias(raw: unknown): string {
  const s = String(raw);
  if (!ALIAS_PATTERN.test(s)) {
    throw new InvalidArgumentError(`Invalid alias '${s}': must match ^[a-z][a-z0-9_-]{0,63}$ (lowercase letters, digits, "_", "-", starting with a letter)`);
  }
  if (s === 'latest' || /^v\d+$/.test(s)) throw new InvalidArgumentError(`Invalid alias '${s}': 'latest' and 'v<number>' are reserved`);
  return s;
}

/** Largest version number (PostgreSQL integer). */
const MAX_VERSION = 2_147_483_647;

/**
 * Parses a version number given as a path segment or JSON value: `2`, `"2"` and `"02"` all mean 2.
 * @param where what to name in the error (e.g. `version`)
 * @throws InvalidArgumentError (400) when not an integer in [1, 2147483647]
 */
export function parseVersion(raw: unknown, where = 'version'): number {
  let n: number | undefined;
  if (typeof raw === 'number') n = raw;
  else if (typeof raw === 'string' && /^\s*\d+\s*$/.test(raw)) n = Number(raw.trim());
  if (n === undefined || !Number.isInteger(n) || n < 1 || n > MAX_VERSION) {
    throw new InvalidArgumentError(`Invalid ${where} '${String(raw)}': must be an integer between 1 and ${MAX_VERSION}`);
  }
  return n;
}

const NON_FINITE_SPELLINGS: Record<string, MetricValue> = {
  nan: 'NaN',
  infinity: 'Infinity',
  '+infinity': 'Infinity',
  inf: 'Infinity',
  '+inf': 'Infinity',
  '-infinity': '-Infinity',
  '-inf': '-Infinity',
};

/**
 * Normalises one metric value. Decision (documented in the README): non-finite metrics never
 * break a registration. JSON cannot carry NaN/±Infinity, so they arrive as the strings
 * `"NaN"`, `"Infinity"`, `"-Infinity"` (also `"inf"`, `"-inf"`, any case) or as `null` (what
 * `JSON.stringify(NaN)` produces, stored as `"NaN"`); in-process callers may pass the numbers.
 * They are stored in jsonb and returned as those canonical strings. Finite numbers are kept;
 * numeric strings (`"0.93"`) become numbers. Anything else is rejected.
 * @returns the normalised value, or undefined when `raw` is not a metric value.
 */
export function normalizeMetricValue(raw: unknown): MetricValue | undefined {
  if (raw === null) return 'NaN';
  if (typeof raw === 'number') {
    if (Number.isNaN(raw)) return 'NaN';
    if (raw === Infinity) return 'Infinity';
    if (raw === -Infinity) return '-Infinity';
    return raw;
  }
  if (typeof raw === 'string') {
    const t = raw.trim();
    const spelled = NON_FINITE_SPELLINGS[t.toLowerCase()];
    if (spelled) return spelled;
    if (t !== '' && Number.isFinite(Number(t))) return Number(t);
  }
  return undefined;
}

/** A metric value as accepted in a request (see {@link normalizeMetricValue}). */
export const MetricValueInput = z.unknown().transform((v, ctx): MetricValue => {
  const n = normalizeMetricValue(v);
  if (n === undefined) {
    ctx.addIssue({ code: 'custom', message: `must be a number, null, or one of "NaN", "Infinity", "-Infinity" (got ${JSON.stringify(v) ?? String(v)})` });
    return z.NEVER;
  }
  return n;
});

/** Metrics by name. */
export const MetricsInput = z.record(z.string().min(1).max(256), MetricValueInput);

/** OIP v2 datatype → contract tensor type (others are kept in the stored signature only). */
const TYPE_BY_DATATYPE: Record<string, z.infer<typeof TensorType>> = {
  FP32: 'float32',
  FP64: 'float64',
  INT32: 'int32',
  INT64: 'int64',
  BOOL: 'bool',
  BYTES: 'string',
};
const DATATYPE_BY_TYPE: Record<string, string> = Object.fromEntries(Object.entries(TYPE_BY_DATATYPE).map(([k, v]) => [v, k]));

/**
 * One tensor of a signature, in the contract form (`type: float32`) or the OIP v2 form
 * (`datatype: FP32`, as `onnxSignature()` returns); both are stored.
 */
export const TensorInput = z
  .object({
    name: z.string().min(1).max(256),
    type: TensorType.optional(),
    datatype: z.string().min(1).max(32).optional(),
    shape: z.array(z.number().int().min(-1)).optional(),
  })
  .refine((t) => t.type !== undefined || t.datatype !== undefined, {
    message: 'a tensor needs a type (float32, float64, int32, int64, string, bool) or an OIP v2 datatype (FP32, INT64, …)',
  })
  .transform((t) => {
    const type = t.type ?? TYPE_BY_DATATYPE[t.datatype ?? ''];
    const datatype = t.datatype ?? (t.type ? DATATYPE_BY_TYPE[t.type] : undefined);
    return { name: t.name, ...(type ? { type } : {}), ...(datatype ? { datatype } : {}), ...(t.shape ? { shape: t.shape } : {}) };
  });

/** Model signature: non-empty inputs and outputs; extra keys (e.g. `metadata`) are kept. */
export const SignatureInput = z
  .looseObject({ inputs: z.array(TensorInput).min(1), outputs: z.array(TensorInput).min(1) })
  .refine((s) => s.inputs.some((t) => t.type) && s.outputs.some((t) => t.type), {
    message: 'at least one input and one output must have a type among float32, float64, int32, int64, string, bool (FP32, FP64, INT32, INT64, BYTES, BOOL)',
  });

/** A parameter value: scalar or null. */
export const ParamsInput = z.record(z.string().min(1).max(256), z.union([z.number(), z.string().max(8192), z.boolean(), z.null()]));

/** `lineage` of a registration; extra keys are kept as given. */
export const LineageInput = z.looseObject({
  datasetVersions: z.array(DatasetVersionRef).default([]),
  /** Feature views as names or `{ name, materializationId? }`; stored as objects. */
  featureViews: z
    .array(z.union([Name, FeatureViewRef]))
    .default([])
    .transform((vs) => vs.map((v) => (typeof v === 'string' ? { name: v } : v))),
  trainingSet: z.union([z.string().min(1).max(1024), z.record(z.string(), z.unknown())]).optional(),
  codeVersion: z.string().min(1).max(256).optional(),
  /**
   * Training data cutoff: the latest event time in the training set the version was trained on
   * (ISO-8601; stored in UTC). A live rollout of this version as challenger counts only
   * predictions whose event time is after it (issue #19). Optional: without it nothing is excluded.
   */
  trainingDataCutoff: z.iso
    .datetime({ offset: true })
    .transform((t) => new Date(t).toISOString())
    .optional(),
  /** Feature service the model reads online (Feast vocabulary), when there is one. */
  featureService: z.string().min(1).max(256).optional(),
  /**
   * Evaluation data: `digest` (sha256) identifies it; when only `datasetVersions` (and
   * `splitTime`) are given the digest is computed ({@link evaluationDigestOf}). The promotion
   * policy only compares versions with the same digest.
   */
  evaluation: z
    .looseObject({
      digest: Sha256.optional(),
      datasetVersions: z.array(DatasetVersionRef).optional(),
      splitTime: z.string().max(64).optional(),
      /** Per-group counts on the evaluation set per segment (recorded by training; read by the policy's disparity gate). */
      segments: EvaluationSegmentsInput.optional(),
    })
    .optional()
    .transform((e) => (e && !e.digest && e.datasetVersions?.length ? { ...e, digest: evaluationDigestOf(e.datasetVersions, e.splitTime) } : e)),
});

/** Body of `POST /registered-models/{name}/versions` (docs/service-apis.md). */
export const RegisterModelVersionBody = z
  .object({
    runId: Id,
    /** The tracked run (experiment tracking) that produced the version: the MLflow API's `run_id`; must exist. */
    sourceRunId: Id.nullish(),
    workflowId: Id.nullish(),
    artifactUri: Uri,
    artifactSha256: Sha256,
    /** Only ONNX is supported (serving runs onnxruntime). */
    artifactFormat: z.literal('onnx').default('onnx'),
    signature: SignatureInput,
    metrics: MetricsInput.default({}),
    params: ParamsInput.default({}),
    lineage: LineageInput,
    referenceProfileUri: Uri.nullish(),
    referenceProfileSha256: Sha256.nullish(),
    description: z.string().max(5000).nullish(),
    tags: z.record(z.string().min(1).max(256), z.string().max(5000)).default({}),
  })
  .refine((b) => (b.referenceProfileUri == null) === (b.referenceProfileSha256 == null), {
    message: 'referenceProfileUri and referenceProfileSha256 go together: give both or neither',
    path: ['referenceProfileSha256'],
  });
/** Parsed registration body. */
export type RegisterModelVersionInput = z.output<typeof RegisterModelVersionBody>;

/** An actor name (user or service), 1–256 chars. */
export const ActorSchema = z.string().trim().min(1).max(256);

/** Body of `PUT /registered-models/{name}/aliases/{alias}`. */
export const SetAliasBody = z.object({
  /** Target version: `3` or `"3"`. */
  version: z.union([z.number(), z.string()]),
  reason: z.string().max(1024).optional(),
  actor: ActorSchema.optional(),
});
/** Parsed alias body. */
export type SetAliasInput = z.output<typeof SetAliasBody>;

/** Pagination query: `limit` (1–1000, default 100) and `pageToken` (opaque; the previous answer's `nextPageToken`). */
export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  pageToken: z
    .string()
    .regex(/^\d{1,9}$/, 'must be a nextPageToken returned by a previous call')
    .optional(),
});

/** Parses pagination query parameters. @throws InvalidArgumentError (400) naming the parameter */
export function parsePage(query: unknown): { limit: number; offset: number } {
  const q = parseWith(PageQuery, query ?? {}, 'query');
  return { limit: q.limit, offset: q.pageToken ? Number(q.pageToken) : 0 };
}

/**
 * Resolves the actor of a request: the body's `actor`, else the `X-Strata-Actor` header, else
 * `anonymous`. @throws InvalidArgumentError when the one given is empty or longer than 256 chars
 */
export function resolveActor(...candidates: Array<string | undefined>): string {
  for (const c of candidates) {
    if (c === undefined) continue;
    return parseWith(ActorSchema, c, 'actor');
  }
  return ANONYMOUS_ACTOR;
}

/**
 * The actor of a request that also accepts a body `actor` (alias set/delete, promotion policy,
 * promotion decision), given the principal the platform guard authenticated
 * (`securityContextOf(req)?.principal`):
 * - auth off (no principal, or `via: 'anonymous'`): body `actor`, else `X-Strata-Actor`, else
 *   `anonymous` (as {@link resolveActor});
 * - enforce, a person (or any non-service principal): the principal — the guard already put its
 *   id in `X-Strata-Actor`; a body `actor` is ignored so it cannot be spoofed;
 * - enforce, a `service:<svc>` principal: its body `actor` names on whose behalf it acts, kept when
 *   it is `<svc>` or `<svc>:...`, else prefixed `<svc>:` (see `authenticatedActor`); without one,
 *   the header the guard set.
 * @throws InvalidArgumentError when the resulting actor is empty or longer than 256 chars
 */
export function resolveRequestActor(principal: Pick<Principal, 'id' | 'roles' | 'via'> | undefined, bodyActor: string | undefined, headerActor: string | undefined): string {
  if (!principal || principal.via === 'anonymous') return resolveActor(bodyActor, headerActor);
  if (bodyActor !== undefined && serviceNameOf(principal)) return resolveActor(authenticatedActor(principal, bodyActor));
  return resolveActor(headerActor ?? principal.id);
}

/** Body of `PATCH /registered-models/{name}` and `PATCH …/versions/{version}`: description and/or tags (tags replace the whole map). */
export const UpdateDescriptionTagsBody = z
  .object({
    description: z.string().max(5000).nullable().optional(),
    tags: z.record(z.string().min(1).max(256), z.string().max(5000)).optional(),
  })
  .refine((b) => b.description !== undefined || b.tags !== undefined, { message: 'give description and/or tags' });

/** Body of `PUT /registered-models/{name}/promotion-policy`. */
export const PromotionPolicyBody = z.object({
  /** Metric name among the versions' `metrics` (e.g. `roc_auc`). */
  metric: z.string().min(1).max(256),
  direction: z.enum(['maximize', 'minimize']),
  /** Minimum improvement in metric units (≥ 0; default 0 = any strict improvement). */
  minMargin: z.number().min(0).finite().default(0),
  /** Evaluate automatically when the `challenger` alias is set (default true). */
  autoPromote: z.boolean().default(true),
  /**
   * Closed loop (default null = off): a new `challenger` starts this rollout instead of the
   * offline decision; monitoring's live comparison then decides promotion or rollback.
   */
  rollout: z
    .object({
      mode: z.enum(['canary', 'shadow']).default('canary'),
      /** Challenger share of canary traffic, in [0, 1] (default 0.5). */
      challengerWeight: z.number().min(0).max(1).default(0.5),
      stickyKey: z.string().min(1).max(128).nullable().default(null),
      /** Labeled predictions each version needs before the live decision (default 200). */
      minLabeledPerVersion: z.number().int().min(1).max(10_000_000).default(200),
    })
    .nullable()
    .default(null),
  /**
   * Offline disparity gate (issue #17; default null = off): `{ segment, metric, maxWidening?,
   * maxValue? | minValue?, minCount = 30 }`, checked on the versions' per-group evaluation.
   */
  fairness: PolicyFairnessBody.nullable().default(null),
  actor: ActorSchema.optional(),
});

/** Body of `POST /registered-models/{name}/rollouts/current/decision` (live evidence, sent by monitoring). */
export const LiveRolloutDecisionBody = z.object({
  rolloutId: z.string().min(1).max(256),
  /** The policy's metric on the champion's / challenger's labeled rollout traffic (null = not computable). */
  championValue: z.number().finite().nullable(),
  challengerValue: z.number().finite().nullable(),
  championLabeled: z.number().int().min(0),
  challengerLabeled: z.number().int().min(0),
  /**
   * The challenger's training data cutoff the comparison used (its lineage's
   * `trainingDataCutoff`), null when unknown (nothing excluded). Both sides count only
   * predictions whose event time is after it.
   */
  trainingDataCutoff: z.iso.datetime({ offset: true }).nullable().default(null),
  /** Rollout predictions / labels of the champion left out because their event time is at or before the cutoff. */
  championExcluded: z.object({ predictions: z.number().int().min(0), labels: z.number().int().min(0) }).default({ predictions: 0, labels: 0 }),
  /** The same for the challenger. */
  challengerExcluded: z.object({ predictions: z.number().int().min(0), labels: z.number().int().min(0) }).default({ predictions: 0, labels: 0 }),
  /** The disparity gate's evidence (monitoring segment config `gate`, issue #17); a failed gate refuses the promotion. */
  disparity: DisparityEvidenceSchema.optional(),
  /** false = record only (default true: promote or roll back). */
  apply: z.boolean().default(true),
  actor: ActorSchema.optional(),
});

/** Body of `POST /registered-models/{name}/promotion-decisions`. */
export const PromotionDecisionBody = z.object({
  /** Version to evaluate; default: the one the `challenger` alias points at. */
  challengerVersion: z.union([z.number(), z.string()]).optional(),
  /** false = dry run: record the decision without moving the champion (default true). */
  apply: z.boolean().default(true),
  actor: ActorSchema.optional(),
});
