import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  parseFeatureRepoDocuments,
  type Entity,
  type FeatureService,
  type PushSource,
  type FeatureRepo,
  type FeatureView,
  type OnDemandFeatureView,
  type TrainingSetSpec,
} from '@strata/features/data-access-offline-store';
import { FeatureViewWatermarkEntity, RegistryObjectEntity, RegistryObjectKind, tableName } from '@strata/features/data-access';
import { DatabaseService } from '@strata/shared/nest-platform';
import { NotFoundError } from '@strata/shared/util-errors';
import type { EntityManager } from 'typeorm';
import type { RepoChange as ContractRepoChange } from '@strata/contracts/api';
import { contentHash } from './canonical';
import { toAppError } from './errors';
import { ONLINE_STORE, type OnlineStore } from './online/online-store';

/** One YAML file of a feature repo, as sent to `/feature-repo/plan|apply`. */
export interface RepoDocument {
  readonly file: string;
  readonly content: string;
}

/** What apply did (or plan would do) to one object (the contract's `RepoChange`, whose `kind` is a registry object kind here). */
export type RepoChange = ContractRepoChange & { kind: RegistryObjectKind };

/** The registry as loaded from PostgreSQL. */
export interface Registry {
  entities: Entity[];
  featureViews: FeatureView[];
  onDemandFeatureViews: OnDemandFeatureView[];
  trainingSets: TrainingSetSpec[];
  featureServices: FeatureService[];
  pushSources: PushSource[];
}

/** Result of plan / apply: the definitions in the documents (as in a {@link Registry}) and the changes. */
export interface RepoPlan extends Registry {
  changes: RepoChange[];
}

/** Max age (ms) of the registry cached for online reads and pushes ({@link FeatureRegistryService.loadCached}). */
export const REGISTRY_CACHE_MS = 1000;

type AnyDef = Entity | FeatureView | OnDemandFeatureView | TrainingSetSpec | FeatureService | PushSource;

/**
 * The feature registry (Feast `apply` / `plan`): stores parsed definitions as JSON with a
 * content hash in `registry_object`. Apply is idempotent (same documents → all `unchanged`)
 * and deletes objects missing from the documents only with `allowDeletes`. Changing or deleting a
 * feature view clears its online rows and its watermark (computed by the old definition).
 */
@Injectable()
export class FeatureRegistryService {
  private readonly logger = new Logger(FeatureRegistryService.name);
  private cache: { at: number; reg: Promise<Registry> } | undefined;

  constructor(
    private readonly database: DatabaseService,
    @Inject(ONLINE_STORE) private readonly online: OnlineStore,
  ) {}

  /** Computes the changes apply would make. @throws InvalidArgumentError (400) naming file, document and field. */
  async plan(documents: readonly RepoDocument[], allowDeletes = false): Promise<RepoPlan> {
    const repo = this.parse(documents);
    const current = await this.database.getDataSource().getRepository(RegistryObjectEntity).find();
    return { ...stripRepo(repo), changes: diff(repo, current, allowDeletes) };
  }

  /**
   * Applies the documents in one transaction (serialised by an advisory lock).
   * @returns the plan that was applied; `changedFeatureViews` lists created/updated views.
   */
  async apply(documents: readonly RepoDocument[], allowDeletes = false): Promise<RepoPlan & { changedFeatureViews: FeatureView[] }> {
    const repo = this.parse(documents);
    const cleared: string[] = [];
    const result = await this.database.getDataSource().transaction(async (m) => {
      await m.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`strata-feature-repo:${tableName(m, RegistryObjectEntity)}`]);
      const current = await m.getRepository(RegistryObjectEntity).find();
      const changes = diff(repo, current, allowDeletes);
      const desired = desiredObjects(repo);
      for (const c of changes) {
        if (c.action === 'create' || c.action === 'update') {
          const d = desired.get(`${c.kind}/${c.name}`)!;
          await m
            .getRepository(RegistryObjectEntity)
            .createQueryBuilder()
            .insert()
            .values({ kind: c.kind, name: c.name, definition: d.def as unknown as Record<string, unknown>, contentHash: d.hash } as never)
            .orUpdate(['definition', 'content_hash', 'updated_at'], ['kind', 'name'])
            .execute();
        } else if (c.action === 'delete') {
          await m.getRepository(RegistryObjectEntity).delete({ kind: c.kind, name: c.name });
        }
        if (c.kind === RegistryObjectKind.FEATURE_VIEW && (c.action === 'update' || c.action === 'delete')) {
          // Rows and watermark computed by the old definition no longer hold.
          await m.getRepository(FeatureViewWatermarkEntity).delete({ featureView: c.name });
          if (this.online.kind === 'postgres') await this.online.deleteView(c.name, { manager: m });
          else cleared.push(c.name);
        }
      }
      const changed = changes.filter((c) => c.kind === RegistryObjectKind.FEATURE_VIEW && (c.action === 'create' || c.action === 'update')).map((c) => c.name);
      this.logger.log({ changes: changes.filter((c) => c.action !== 'unchanged') }, `feature repo applied: ${changes.filter((c) => c.action !== 'unchanged').length} change(s)`);
      return { ...stripRepo(repo), changes, changedFeatureViews: repo.featureViews.filter((v) => changed.includes(v.name)) };
    });
    this.cache = undefined;
    // Stores outside PostgreSQL are cleared once the registry change is committed.
    for (const v of cleared) await this.online.deleteView(v);
    return result;
  }

  /**
   * The registry as of at most `maxAgeMs` ago (Feast's registry cache), for the online read path:
   * an apply through this process invalidates it at once; other replicas see it within `maxAgeMs`.
   */
  async loadCached(maxAgeMs = REGISTRY_CACHE_MS): Promise<Registry> {
    const now = Date.now();
    if (!this.cache || now - this.cache.at > maxAgeMs) {
      const reg = this.load();
      this.cache = { at: now, reg };
      reg.catch(() => (this.cache = undefined));
    }
    return this.cache.reg;
  }

  /** Every applied definition, by name. */
  async load(manager?: EntityManager): Promise<Registry> {
    const rows = await (manager ?? this.database.getDataSource().manager).getRepository(RegistryObjectEntity).find({ order: { name: 'ASC' } });
    const of = <T>(kind: RegistryObjectKind) => rows.filter((r) => r.kind === kind).map((r) => r.definition as unknown as T);
    return {
      entities: of<Entity>(RegistryObjectKind.ENTITY),
      featureViews: of<FeatureView>(RegistryObjectKind.FEATURE_VIEW),
      onDemandFeatureViews: of<OnDemandFeatureView>(RegistryObjectKind.ON_DEMAND_FEATURE_VIEW),
      trainingSets: of<TrainingSetSpec>(RegistryObjectKind.TRAINING_SET),
      featureServices: of<FeatureService>(RegistryObjectKind.FEATURE_SERVICE),
      pushSources: of<PushSource>(RegistryObjectKind.PUSH_SOURCE),
    };
  }

  /**
   * Feature refs of a feature service; for compatibility, a training-set definition name is
   * accepted too (its feature list). @throws NotFoundError (404) naming the service.
   */
  async featureServiceRefs(name: string, reg?: Registry): Promise<string[]> {
    const r = reg ?? (await this.load());
    const fs = r.featureServices.find((f) => f.name === name);
    if (fs) return [...fs.features];
    const ts = r.trainingSets.find((t) => t.name === name);
    if (ts) return this.trainingSetRefs(ts, r);
    throw new NotFoundError(`Feature service '${name}' not found (known: ${r.featureServices.map((f) => f.name).join(', ') || 'none'})`);
  }

  /** Feature refs of a training-set definition: its `features`, or its feature service's. @throws NotFoundError */
  async trainingSetRefs(def: TrainingSetSpec, reg?: Registry): Promise<string[]> {
    if (!def.featureService) return [...def.features];
    const r = reg ?? (await this.load());
    const fs = r.featureServices.find((f) => f.name === def.featureService);
    if (!fs) throw new NotFoundError(`Feature service '${def.featureService}' of training set '${def.name}' not found`);
    return [...fs.features];
  }

  /** @throws NotFoundError (404) `Feature view '<name>' not found`. */
  async getFeatureView(name: string): Promise<FeatureView | OnDemandFeatureView> {
    const repo = this.database.getDataSource().getRepository(RegistryObjectEntity);
    const row =
      (await repo.findOne({ where: { kind: RegistryObjectKind.FEATURE_VIEW, name } })) ??
      (await repo.findOne({ where: { kind: RegistryObjectKind.ON_DEMAND_FEATURE_VIEW, name } }));
    if (!row) throw new NotFoundError(`Feature view '${name}' not found`);
    return row.definition as unknown as FeatureView | OnDemandFeatureView;
  }

  /** @throws NotFoundError (404) `Training set '<name>' not found`. */
  async getTrainingSet(name: string): Promise<TrainingSetSpec> {
    const row = await this.database.getDataSource().getRepository(RegistryObjectEntity).findOne({ where: { kind: RegistryObjectKind.TRAINING_SET, name } });
    if (!row) throw new NotFoundError(`Training set '${name}' not found`);
    return row.definition as unknown as TrainingSetSpec;
  }

  private parse(documents: readonly RepoDocument[]): FeatureRepo {
    try {
      return parseFeatureRepoDocuments(documents.map((d) => ({ file: d.file, text: d.content })), '<request>');
    } catch (e) {
      throw toAppError(e);
    }
  }
}

function stripRepo(repo: FeatureRepo): Omit<RepoPlan, 'changes'> {
  return {
    entities: [...repo.entities],
    featureViews: [...repo.featureViews],
    onDemandFeatureViews: [...repo.onDemandFeatureViews],
    trainingSets: [...repo.trainingSets],
    featureServices: [...repo.featureServices],
    pushSources: [...repo.pushSources],
  };
}

function desiredObjects(repo: FeatureRepo): Map<string, { kind: RegistryObjectKind; name: string; def: AnyDef; hash: string }> {
  const out = new Map<string, { kind: RegistryObjectKind; name: string; def: AnyDef; hash: string }>();
  const add = (kind: RegistryObjectKind, defs: readonly AnyDef[]) => {
    for (const def of defs) out.set(`${kind}/${def.name}`, { kind, name: def.name, def, hash: contentHash(def) });
  };
  add(RegistryObjectKind.ENTITY, repo.entities);
  add(RegistryObjectKind.FEATURE_VIEW, repo.featureViews);
  add(RegistryObjectKind.ON_DEMAND_FEATURE_VIEW, repo.onDemandFeatureViews);
  add(RegistryObjectKind.TRAINING_SET, repo.trainingSets);
  add(RegistryObjectKind.FEATURE_SERVICE, repo.featureServices);
  add(RegistryObjectKind.PUSH_SOURCE, repo.pushSources);
  return out;
}

function diff(repo: FeatureRepo, current: readonly RegistryObjectEntity[], allowDeletes: boolean): RepoChange[] {
  const desired = desiredObjects(repo);
  const existing = new Map(current.map((r) => [`${r.kind}/${r.name}`, r]));
  const changes: RepoChange[] = [];
  for (const [k, d] of desired) {
    const e = existing.get(k);
    changes.push({ kind: d.kind, name: d.name, action: !e ? 'create' : e.contentHash !== d.hash ? 'update' : 'unchanged' });
  }
  for (const [k, e] of existing) {
    if (desired.has(k)) continue;
    changes.push(allowDeletes ? { kind: e.kind, name: e.name, action: 'delete' } : { kind: e.kind, name: e.name, action: 'unchanged', retained: true });
  }
  return changes.sort((a, b) => a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name));
}
