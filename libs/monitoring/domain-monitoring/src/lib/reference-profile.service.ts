import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { ReferenceProfileEntity } from '@strata/monitoring/data-access';
import type { ReferenceProfile } from '@strata/shared/util-drift';
import { OBJECT_STORE, type ObjectStore } from '@strata/shared/data-access-object-store';
import { DataSource } from 'typeorm';
import { MonitoringRegistryClient, type RegistryVersionInfo } from './registry.client';

/** A stored reference profile and the sha256 of the file it came from. */
export interface StoredProfile {
  profile: ReferenceProfile;
  sha256: string;
}

/**
 * Reference profiles per model version: fetched ONCE from the version's `referenceProfileUri`
 * (the JSON written by training with util-drift's `buildReferenceProfile` over the train slice),
 * its sha256 verified against `referenceProfileSha256`, stored in `reference_profile` and reused;
 * never recomputed from raw training data. Also keeps the version's metrics (the performance
 * baseline).
 *
 * The URI, sha256 and metrics of a version come from the registry's events (the facts of
 * `model-version-registered`, `model-alias-changed`, `model-rollout-changed`, handed over by
 * {@link remember}); only a version no event described since this process started is asked of
 * the registry (`GET /registered-models/{m}/versions/{v}`), once.
 */
@Injectable()
export class ReferenceProfileService {
  private readonly logger = new Logger('ReferenceProfiles');
  private readonly cache = new Map<string, StoredProfile>();
  private readonly versions = new Map<string, RegistryVersionInfo>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly registry: MonitoringRegistryClient,
    @Inject(OBJECT_STORE) private readonly store: ObjectStore,
  ) {}

  /**
   * The profile of `name@version`, or null when the registry has none or cannot be reached now
   * (logged; retried on the next call). A sha256 mismatch is logged and nothing is stored.
   */
  async get(name: string, version: number): Promise<StoredProfile | null> {
    const key = `${name}@${version}`;
    const cached = this.cache.get(key);
    if (cached) return cached;
    const row = await this.dataSource.getRepository(ReferenceProfileEntity).findOneBy({ modelName: name, modelVersion: version });
    if (row) {
      const stored = { profile: row.profile as ReferenceProfile, sha256: row.sha256 };
      this.cache.set(key, stored);
      return stored;
    }
    try {
      const info = await this.versionInfo(name, version);
      if (!info?.referenceProfileUri) return null;
      const bytes = await this.store.getBuffer(this.store.resolve(info.referenceProfileUri));
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      if (info.referenceProfileSha256 && sha256 !== info.referenceProfileSha256) {
        this.logger.error({ model: name, version, expected: info.referenceProfileSha256, actual: sha256, uri: info.referenceProfileUri }, 'reference profile refused: sha256 mismatch');
        return null;
      }
      const profile = JSON.parse(bytes.toString('utf8')) as ReferenceProfile;
      if (profile?.formatVersion !== 1 || !Array.isArray(profile.features)) {
        this.logger.error({ model: name, version, uri: info.referenceProfileUri }, 'reference profile is not a util-drift ReferenceProfile (formatVersion 1)');
        return null;
      }
      await this.dataSource
        .createQueryBuilder()
        .insert()
        .into(ReferenceProfileEntity)
        .values({ modelName: name, modelVersion: version, profile, sha256, sourceUri: info.referenceProfileUri })
        .orIgnore()
        .execute();
      const stored = { profile, sha256 };
      this.cache.set(key, stored);
      this.logger.log({ model: name, version, sha256, features: profile.features.length }, 'reference profile stored');
      return stored;
    } catch (err) {
      this.logger.warn({ model: name, version, err: (err as Error).message }, 'reference profile not available yet');
      return null;
    }
  }

  /**
   * Records the facts of `name@version` an event carried (versions are immutable: the latest
   * word is the same as the first), so {@link get} and {@link baselineMetrics} need no registry call.
   */
  remember(name: string, info: RegistryVersionInfo): void {
    this.versions.set(`${name}@${info.version}`, info);
  }

  /** Registry metrics of `name@version` (cached once fetched), or null when unreachable. */
  async baselineMetrics(name: string, version: number): Promise<Record<string, number> | null> {
    try {
      return (await this.versionInfo(name, version))?.metrics ?? null;
    } catch {
      return null;
    }
  }

  private async versionInfo(name: string, version: number): Promise<RegistryVersionInfo | null> {
    const key = `${name}@${version}`;
    const known = this.versions.get(key);
    if (known) return known;
    const info = await this.registry.getVersion(name, version);
    this.versions.set(key, info);
    return info;
  }
}
