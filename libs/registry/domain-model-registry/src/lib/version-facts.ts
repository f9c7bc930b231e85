import {
  MAX_INLINE_PAYLOAD_BYTES,
  ModelVersionFacts,
  RequestFieldSpec,
  ServingSignature,
  type ModelAliasChangedV1,
  type ModelRolloutChangedV1,
  type ModelVersionRegisteredV1,
} from '@strata/contracts';
import type { ModelVersion, RegistryStore } from '@strata/registry/data-access';
import type { EntityManager } from 'typeorm';
import type { RegisterModelVersionInput } from './registry.schemas';

/**
 * Builds the facts the registry's events carry (docs/events.md, "Model version facts"), so
 * serving applies an alias change or a rollout and monitoring reads a reference profile from the
 * event alone, without calling the registry back. Every function here is called at a publish
 * site, inside the publishing transaction (the version rows read are those being committed).
 *
 * A fact the stored version cannot give in the contract's shape is left out, never invented:
 * the event then carries less and a consumer falls back to the registry. Facts that would push a
 * payload over the inline limit (64 KiB) are left out the same way.
 */

/** ONNX metadata keys written at training (util-trainers `ONNX_METADATA_KEYS`), kept in the stored signature's `metadata`. */
const FEATURE_NAMES_KEY = 'strata.feature_names';
const FEATURE_REFS_KEY = 'strata.feature_refs';

type Tensor = ServingSignature['inputs'][number];

function tensors(list: unknown): Tensor[] {
  if (!Array.isArray(list)) return [];
  return list.flatMap((t: unknown) => {
    const parsed = ServingSignature.shape.inputs.element.safeParse(t);
    return parsed.success ? [{ name: parsed.data.name, type: parsed.data.type, ...(parsed.data.shape ? { shape: parsed.data.shape } : {}) }] : [];
  });
}

/** A string list from an array, or from a JSON-encoded array (ONNX metadata values are strings); undefined otherwise. */
function stringList(value: unknown): string[] | undefined {
  let v = value;
  if (typeof v === 'string') {
    try {
      v = JSON.parse(v) as unknown;
    } catch {
      return undefined;
    }
  }
  return Array.isArray(v) && v.length > 0 && v.every((s) => typeof s === 'string' && s.length > 0) ? (v as string[]) : undefined;
}

/**
 * The contract signature of a stored registry signature: tensors that have a contract `type`
 * (OIP-only datatypes stay in the registry), plus `featureNames` / `featureRefs` from the
 * signature's own lists or its ONNX `metadata` (`strata.feature_names`, `strata.feature_refs`),
 * and `requestFields` when the registration recorded them. Lists that are malformed, or refs
 * whose count differs from the names, are left out.
 */
export function servingSignatureOf(stored: Record<string, unknown>): ServingSignature {
  const metadata = (stored['metadata'] ?? {}) as Record<string, unknown>;
  const featureNames = stringList(stored['featureNames']) ?? stringList(metadata[FEATURE_NAMES_KEY]);
  const featureRefs = stringList(stored['featureRefs']) ?? stringList(metadata[FEATURE_REFS_KEY]);
  const requestFields = RequestFieldSpec.array().min(1).safeParse(stored['requestFields']);
  const signature: ServingSignature = { inputs: tensors(stored['inputs']), outputs: tensors(stored['outputs']) };
  if (featureNames) signature.featureNames = featureNames;
  if (featureRefs && (!featureNames || featureRefs.length === featureNames.length) && ServingSignature.shape.featureRefs.safeParse(featureRefs).success) {
    signature.featureRefs = featureRefs;
  }
  if (requestFields.success) signature.requestFields = requestFields.data;
  return signature;
}

/** Finite metrics only (the contract carries numbers; `NaN`/`Infinity` stay in the registry). */
export function finiteMetrics(metrics: Record<string, unknown>): Record<string, number> {
  return Object.fromEntries(Object.entries(metrics).filter((e): e is [string, number] => typeof e[1] === 'number' && Number.isFinite(e[1])));
}

/** The facts of a stored version, or undefined when they do not fit the contract (e.g. a signature with no contract-typed tensor). */
export function factsOf(mv: ModelVersion): ModelVersionFacts | undefined {
  const hasProfile = mv.referenceProfileUri !== null && mv.referenceProfileSha256 !== null;
  const parsed = ModelVersionFacts.safeParse({
    version: mv.version,
    artifactUri: mv.artifactUri,
    artifactSha256: mv.artifactSha256,
    artifactFormat: 'onnx',
    signature: servingSignatureOf(mv.signature),
    metrics: finiteMetrics(mv.metrics),
    referenceProfileUri: hasProfile ? mv.referenceProfileUri : null,
    referenceProfileSha256: hasProfile ? mv.referenceProfileSha256 : null,
  });
  return parsed.success ? parsed.data : undefined;
}

/** Whether a payload fits the inline limit the publisher enforces (64 KiB of JSON). */
const fits = (value: unknown): boolean => Buffer.byteLength(JSON.stringify(value), 'utf8') <= MAX_INLINE_PAYLOAD_BYTES;

/** Reads versions (the publishing transaction's manager). */
export type VersionReader = Pick<RegistryStore, 'getVersion'>;

/**
 * `payload` plus `toVersionFacts` (the facts of `payload.toVersion`); unchanged when the alias
 * was deleted, the version cannot be read or described, or the facts would not fit.
 */
export async function withAliasFacts(m: EntityManager, store: VersionReader, payload: ModelAliasChangedV1): Promise<ModelAliasChangedV1> {
  if (payload.toVersion === null) return payload;
  const mv = await store.getVersion(m, payload.modelName, payload.toVersion);
  const facts = mv ? factsOf(mv) : undefined;
  const enriched = facts ? { ...payload, toVersionFacts: facts } : payload;
  return fits(enriched) ? enriched : payload;
}

/**
 * `payload` plus `routeVersionFacts` (the facts of the route's champion and challenger);
 * unchanged when the route is null, a version cannot be read or described, or the facts would not fit.
 */
export async function withRouteFacts(m: EntityManager, store: VersionReader, payload: ModelRolloutChangedV1): Promise<ModelRolloutChangedV1> {
  if (payload.route === null) return payload;
  const facts: ModelVersionFacts[] = [];
  for (const version of [payload.route.championVersion, payload.route.challengerVersion]) {
    const mv = await store.getVersion(m, payload.modelName, version);
    const f = mv ? factsOf(mv) : undefined;
    if (!f) return payload;
    facts.push(f);
  }
  const enriched = { ...payload, routeVersionFacts: facts };
  return fits(enriched) ? enriched : payload;
}

/**
 * The `model-version-registered` payload of a version just inserted (`mv`) from its registration
 * `input`: artifact, finite metrics, the contract signature with feature names/refs and request
 * fields when recorded, lineage, tags and the reference profile. When the signature's lists would
 * push the payload over the inline limit they are left out (tensors stay).
 */
/** What {@link versionRegisteredPayload} reads of a registration: the native body, or the MLflow API's verified artifact (no lineage). */
export type RegisteredVersionFacts = Pick<RegisterModelVersionInput, 'artifactSha256' | 'signature' | 'tags'> & {
  metrics: Record<string, unknown>;
  lineage: Pick<RegisterModelVersionInput['lineage'], 'datasetVersions' | 'featureViews'>;
};

export function versionRegisteredPayload(mv: ModelVersion, input: RegisteredVersionFacts, registeredBy: string, registeredAt: Date): ModelVersionRegisteredV1 {
  const hasProfile = mv.referenceProfileUri !== null && mv.referenceProfileSha256 !== null;
  const payload: ModelVersionRegisteredV1 = {
    modelName: mv.name,
    version: mv.version,
    runId: mv.runId || `mlflow-${mv.name}-${mv.version}`, // an MLflow version may have no run; the contract needs an id
    artifactUri: mv.artifactUri,
    artifactSha256: mv.artifactSha256 ?? input.artifactSha256,
    artifactFormat: 'onnx',
    metrics: finiteMetrics(input.metrics),
    signature: servingSignatureOf(input.signature as Record<string, unknown>),
    datasetVersions: input.lineage.datasetVersions,
    featureViews: input.lineage.featureViews,
    tags: input.tags,
    registeredBy,
    registeredAt: registeredAt.toISOString(),
    referenceProfileUri: hasProfile ? mv.referenceProfileUri : null,
    referenceProfileSha256: hasProfile ? mv.referenceProfileSha256 : null,
  };
  if (fits(payload)) return payload;
  return { ...payload, signature: { inputs: payload.signature.inputs, outputs: payload.signature.outputs } };
}
