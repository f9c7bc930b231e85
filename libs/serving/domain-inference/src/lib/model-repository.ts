import { Inject, Injectable, Logger, Optional, type OnApplicationShutdown } from '@nestjs/common';
import { OBJECT_STORE, type ObjectStore } from '@strata/shared/data-access-object-store';
import { IntegrityError, NotFoundError } from '@strata/shared/util-errors';
import { ArtifactIntegrityAlerts } from './artifact-integrity-alerts';
import { DEFAULT_ALIAS, SERVING_OPTIONS, type ServingOptions } from './serving.constants';
import { servingMetrics } from './serving.metrics';
import { LoadedModel, type ModelVersionDescriptor, type ModelVersionState, type ModelVersionStatus, openVerifiedModel } from './loaded-model';

export * from './loaded-model';

interface ModelEntry {
  /** Loaded (addressable) versions. */
  versions: Map<number, LoadedModel>;
  /** alias → version. */
  aliases: Map<string, number>;
  statuses: Map<number, ModelVersionStatus>;
  /** Serializes loads of one model (events and startup loading may race). */
  chain: Promise<unknown>;
  /** The rollout route in force (canary/shadow), if any. */
  route?: ServingRoute;
}

/**
 * The routing of a model during a rollout, applied as a whole (the `route` of
 * `ModelRolloutChangedV1` plus its rollout id). Versions are numbers, loaded before the route is set.
 */
export interface ServingRoute {
  rolloutId: string;
  mode: 'canary' | 'shadow';
  championVersion: number;
  challengerVersion: number;
  /** Canary: share of requests the challenger answers, in [0, 1]. */
  challengerWeight: number;
  /** Request parameter / header whose value pins a caller to one version, or null. */
  stickyKey: string | null;
}

/** Options of {@link ModelRepository.load}. */
export interface LoadOptions {
  /** Alias to point at the version once loaded (default `champion`); `null` loads without an alias. */
  alias?: string | null;
  /** Skip (and keep the current version) when the alias is already set, e.g. for startup loading. */
  onlyIfAliasUnset?: boolean;
}

/**
 * The in-memory model repository (Triton/KServe "model repository"): several models per
 * process, each with loaded versions and aliases (`champion`, `challenger`, …).
 *
 * Loading reads the artifact from the object store, verifies its sha256 against the
 * registry's `artifactSha256` (a mismatch is refused, logged, counted and reported in the
 * version's status, and raised as the alert event `strata.platform.artifact-integrity-failed.v1`
 * through the outbox when {@link ArtifactIntegrityAlerts} is provided), decodes the ONNX signature and builds the onnxruntime session with
 * `intraOpNumThreads = SERVING_ORT_THREADS`. Only then is the alias switched, in one
 * synchronous map update: requests resolved before the switch finish on the old session (which
 * is released when its last in-flight run ends), requests after it use the new one; none fails
 * or mixes versions. A version no alias points at any more is unloaded.
 */
@Injectable()
export class ModelRepository implements OnApplicationShutdown {
  private readonly logger = new Logger('ModelRepository');
  private readonly models = new Map<string, ModelEntry>();

  constructor(
    @Inject(OBJECT_STORE) private readonly store: ObjectStore,
    @Inject(SERVING_OPTIONS) private readonly options: Pick<ServingOptions, 'ortThreads' | 'ortInterOpThreads' | 'batching'>,
    @Optional() private readonly alerts?: ArtifactIntegrityAlerts,
  ) {}

  /**
   * Loads `descriptor` (reusing the session if that version is already loaded) and points
   * `alias` at it. Loads of one model run one at a time, in call order.
   *
   * @returns the loaded model, or `null` when skipped by `onlyIfAliasUnset`.
   * @throws IntegrityError when the artifact's sha256 differs from `artifactSha256` (refused).
   * @throws InvalidArgumentError when the artifact is not a usable ONNX model.
   * @throws UnavailableError when the artifact cannot be read.
   */
  load(descriptor: ModelVersionDescriptor, options: LoadOptions = {}): Promise<LoadedModel | null> {
    const entry = this.entry(descriptor.name);
    const run = entry.chain.then(
      () => this.loadNow(entry, descriptor, options),
      () => this.loadNow(entry, descriptor, options),
    );
    entry.chain = run.catch(() => undefined);
    return run;
  }

  /** Removes `alias` of `name` (registry deleted it); the version unloads if no alias is left. */
  unsetAlias(name: string, alias: string): void {
    const entry = this.models.get(name);
    const version = entry?.aliases.get(alias);
    if (!entry || version === undefined) return;
    entry.aliases.delete(alias);
    this.retireIfUnreferenced(entry, version);
    this.logger.log({ model: name, alias, version }, 'alias removed');
  }

  /**
   * Resolves a model by name and version reference, and acquires it for one run: call
   * `release()` on the result when done. `ref` is a version number (`"3"`), an alias
   * (`"challenger"`), or undefined for `champion`.
   *
   * @throws NotFoundError when the model, version or alias is not loaded.
   */
  acquire(name: string, ref?: string): LoadedModel {
    const model = this.resolve(name, ref);
    model.acquire();
    return model;
  }

  /**
   * The loaded model addressed by `name` and `ref` (see {@link acquire}) without acquiring it.
   * @throws NotFoundError
   */
  resolve(name: string, ref?: string): LoadedModel {
    const entry = this.models.get(name);
    if (!entry || (entry.versions.size === 0 && entry.statuses.size === 0)) throw new NotFoundError(`Model '${name}' not found`);
    let version: number | undefined;
    if (ref === undefined || ref === '') {
      version = entry.aliases.get(DEFAULT_ALIAS);
      if (version === undefined) throw new NotFoundError(`Model '${name}' has no loaded '${DEFAULT_ALIAS}' version`);
    } else if (/^[0-9]+$/.test(ref)) {
      version = Number(ref);
    } else {
      version = entry.aliases.get(ref);
      if (version === undefined) throw new NotFoundError(`Model '${name}' has no loaded alias '${ref}'`);
    }
    const model = entry.versions.get(version);
    if (!model) throw new NotFoundError(`Model version '${name}@${ref ?? DEFAULT_ALIAS}' not found (not loaded)`);
    return model;
  }

  /**
   * Replaces the rollout route of `name` as a whole (`null` = no rollout: the champion alias
   * answers everything). Both route versions must be loaded (see {@link load} with
   * `alias: null`). Versions the old route kept loaded and nothing references any more are unloaded.
   * @throws NotFoundError when a route version is not loaded
   */
  setRoute(name: string, route: ServingRoute | null): void {
    const entry = this.entry(name);
    if (route) {
      for (const v of [route.championVersion, route.challengerVersion]) {
        if (!entry.versions.has(v)) throw new NotFoundError(`Model version '${name}@${v}' of rollout '${route.rolloutId}' is not loaded`);
      }
    }
    const previous = entry.route;
    entry.route = route ?? undefined;
    if (previous) for (const v of [previous.championVersion, previous.challengerVersion]) this.retireIfUnreferenced(entry, v);
    this.logger.log({ model: name, route }, route ? 'rollout route applied' : 'rollout route cleared: champion answers everything');
  }

  /** The rollout route of `name` in force, if any. */
  routeOf(name: string): ServingRoute | undefined {
    return this.models.get(name)?.route;
  }

  /** Status of every known version of `name` (loaded, loading or failed), by version. */
  statuses(name?: string): ModelVersionStatus[] {
    const out: ModelVersionStatus[] = [];
    for (const [modelName, entry] of this.models) {
      if (name !== undefined && modelName !== name) continue;
      for (const s of entry.statuses.values()) out.push({ ...s, aliases: this.aliasesOf(entry, s.version) });
    }
    return out.sort((a, b) => a.name.localeCompare(b.name) || a.version - b.version);
  }

  /** Status of one version, or undefined. */
  status(name: string, version: number): ModelVersionStatus | undefined {
    return this.statuses(name).find((s) => s.version === version);
  }

  /** Loaded version numbers of `name` (ascending). */
  loadedVersions(name: string): number[] {
    return [...(this.models.get(name)?.versions.keys() ?? [])].sort((a, b) => a - b);
  }

  /** Names of models with at least one known version. */
  modelNames(): string[] {
    return [...this.models.keys()].sort();
  }

  /** Version an alias points to, if loaded. */
  aliasVersion(name: string, alias: string): number | undefined {
    return this.models.get(name)?.aliases.get(alias);
  }

  async onApplicationShutdown(): Promise<void> {
    for (const entry of this.models.values()) for (const m of entry.versions.values()) m.retire();
  }

  private entry(name: string): ModelEntry {
    let entry = this.models.get(name);
    if (!entry) {
      entry = { versions: new Map(), aliases: new Map(), statuses: new Map(), chain: Promise.resolve() };
      this.models.set(name, entry);
    }
    return entry;
  }

  private setStatus(entry: ModelEntry, d: ModelVersionDescriptor, state: ModelVersionState, error?: string): void {
    entry.statuses.set(d.version, {
      name: d.name, version: d.version, state, aliases: [], artifactUri: d.artifactUri, artifactSha256: d.artifactSha256,
      ...(error !== undefined ? { error } : {}), updatedAt: new Date().toISOString(),
    });
  }

  private async loadNow(entry: ModelEntry, d: ModelVersionDescriptor, options: LoadOptions): Promise<LoadedModel | null> {
    const alias = options.alias === undefined ? DEFAULT_ALIAS : options.alias;
    if (alias !== null && options.onlyIfAliasUnset && entry.aliases.has(alias)) return null;
    const ctx = { model: d.name, version: d.version, alias, artifactUri: d.artifactUri };
    let model = entry.versions.get(d.version);
    if (!model || model.sha256 !== d.artifactSha256.toLowerCase()) {
      const wasReady = model !== undefined;
      if (!wasReady) this.setStatus(entry, d, 'LOADING');
      try {
        model = await this.build(d);
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        const integrity = err instanceof IntegrityError;
        servingMetrics.modelLoads.inc({ model: d.name, outcome: integrity ? 'integrity_error' : 'error' });
        if (!wasReady) this.setStatus(entry, d, 'FAILED', message);
        this.logger.error({ ...ctx, err: message }, integrity ? 'model artifact refused: sha256 mismatch' : 'model load failed');
        if (integrity && this.alerts) {
          const details = (err.details ?? {}) as { actual?: string; sizeBytes?: number };
          await this.alerts.raise({
            name: d.name, version: d.version, artifactUri: d.artifactUri, expectedSha256: d.artifactSha256,
            actualSha256: details.actual ?? '', sizeBytes: details.sizeBytes ?? null,
          });
        }
        throw err;
      }
      const previous = entry.versions.get(d.version);
      entry.versions.set(d.version, model);
      if (previous) previous.retire();
      this.setStatus(entry, d, 'READY');
      servingMetrics.modelLoads.inc({ model: d.name, outcome: 'loaded' });
    }
    if (alias !== null) {
      // The switch: one synchronous update, so each request sees the old or the new version.
      const before = entry.aliases.get(alias);
      entry.aliases.set(alias, d.version);
      if (before !== undefined && before !== d.version) this.retireIfUnreferenced(entry, before);
      this.logger.log({ ...ctx, fromVersion: before ?? null }, 'model version serving');
    }
    return model;
  }

  private async build(d: ModelVersionDescriptor): Promise<LoadedModel> {
    const { sha256: actual, info, session } = await openVerifiedModel(this.store, d, { ortThreads: this.options.ortThreads, ortInterOpThreads: this.options.ortInterOpThreads });
    const batching = this.options.batching?.[d.name] ?? this.options.batching?.['*'];
    return new LoadedModel(d.name, d.version, actual, info, session, this.logger, batching);
  }

  private aliasesOf(entry: ModelEntry, version: number): string[] {
    return [...entry.aliases.entries()].filter(([, v]) => v === version).map(([a]) => a).sort();
  }

  private retireIfUnreferenced(entry: ModelEntry, version: number): void {
    if ([...entry.aliases.values()].includes(version)) return;
    if (entry.route && (entry.route.championVersion === version || entry.route.challengerVersion === version)) return;
    const model = entry.versions.get(version);
    if (!model) return;
    entry.versions.delete(version);
    const s = entry.statuses.get(version);
    if (s) entry.statuses.set(version, { ...s, state: 'UNLOADED', updatedAt: new Date().toISOString() });
    model.retire();
  }
}
