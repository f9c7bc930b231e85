import { Injectable } from '@nestjs/common';
import { RegistryStore, type RegisteredModel } from '@strata/registry/data-access';
import { MessagingError } from '@strata/messaging';
import { DatabaseService } from '@strata/shared/nest-platform';
import { InvalidArgumentError, NotFoundError } from '@strata/shared/util-errors';
import type { EntityManager } from 'typeorm';

/** Who asks, for the audit log and the events. */
export interface RequestContext {
  /** User or service name (`X-Strata-Actor` header / body `actor`), default `anonymous`. */
  actor: string;
  /** HTTP request id (`x-request-id`), when there is one. */
  requestId?: string;
}

/** A page of results; `nextPageToken` is absent on the last page. */
export interface Page<T> {
  items: T[];
  nextPageToken?: string;
}

/** `name@version`, the resource name of a model version in messages and the audit log. */
export const modelRef = (name: string, version: number): string => `${name}@${version}`;
/** `name#alias`, the resource name of an alias in the audit log. */
export const aliasRef = (name: string, alias: string): string => `${name}#${alias}`;

/** 404 of an unknown model; `details.mlflowMessage` is MLflow's wording for the MLflow API. */
export function modelNotFound(name: string): NotFoundError {
  return new NotFoundError(`Registered model '${name}' not found`, { details: { mlflowMessage: `Registered Model with name=${name} not found` } });
}

/** 404 of an unknown version; `details.mlflowMessage` is MLflow's wording for the MLflow API. */
export function versionNotFound(name: string, version: number): NotFoundError {
  return new NotFoundError(`Model version '${modelRef(name, version)}' not found`, { details: { mlflowMessage: `Model Version (name=${name}, version=${version}) not found` } });
}

/** The first `page.limit` of `rows` (fetched with `limit + 1`), with a token when there are more. */
export function paged<T>(rows: T[], page: { limit: number; offset: number }): Page<T> {
  const items = rows.slice(0, page.limit);
  return rows.length > page.limit ? { items, nextPageToken: String(page.offset + page.limit) } : { items };
}

/** Tag update of a model or version: `tags` replaces, `setTags` merges, `deleteTags` removes; undefined when none is given. */
export function mergeTags(
  current: Record<string, string>,
  p: { tags?: Record<string, string>; setTags?: Record<string, string>; deleteTags?: string[] },
): Record<string, string> | undefined {
  if (!p.tags && !p.setTags && !p.deleteTags) return undefined;
  const out = { ...(p.tags ?? current), ...(p.setTags ?? {}) };
  for (const k of p.deleteTags ?? []) delete out[k];
  return out;
}

/**
 * Transactions and model look-ups shared by the registry's services (models, versions, aliases,
 * promotion, live rollouts). Every change of a model runs in one READ COMMITTED transaction that
 * takes the model row's lock first ({@link requireLockedModel}), so the changes of one model are
 * serialised.
 */
@Injectable()
export class RegistryTx {
  constructor(
    private readonly database: DatabaseService,
    private readonly store: RegistryStore,
  ) {}

  /**
   * Runs `work` in one transaction.
   * @throws InvalidArgumentError (400) when an event payload breaks its contract (non-retryable MessagingError)
   */
  async run<T>(work: (m: EntityManager) => Promise<T>): Promise<T> {
    try {
      return await this.database.getDataSource().transaction('READ COMMITTED', work);
    } catch (err) {
      // A payload the contract refuses is a bad request, not a server fault.
      if (err instanceof MessagingError && !err.retryable) {
        throw new InvalidArgumentError(`Cannot announce the change: ${err.message}`, { cause: err, details: { ...err.details } });
      }
      throw err;
    }
  }

  /** Manager for reads outside a transaction. */
  get reader(): EntityManager {
    return this.database.getDataSource().manager;
  }

  /** Locks the model row (inside `m`'s transaction). @throws NotFoundError (404) */
  async requireLockedModel(m: EntityManager, name: string): Promise<RegisteredModel> {
    const model = await this.store.lockModel(m, name);
    if (!model) throw modelNotFound(name);
    return model;
  }

  /** @throws NotFoundError (404) when model `name` does not exist */
  async requireModel(name: string): Promise<void> {
    if (!(await this.store.getModel(this.reader, name))) throw modelNotFound(name);
  }
}
