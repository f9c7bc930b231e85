import type { z } from 'zod';

/**
 * A Kafka topic bound to its payload schema: the single source of truth for one event type.
 *
 * - `topic`: `strata.<domain>.<event>.v<N>`. A breaking change adds a new `.v<N+1>` contract
 *   beside this one; an existing contract is never edited incompatibly.
 * - `type`: the CloudEvents `type` attribute (`dev.strata.<domain>.<event>.v<N>`).
 * - `schema`: the zod schema of the record value (the CloudEvents `data`), JSON encoded.
 * - `key`: derives the partition key (the aggregate id) from a value. All events of one
 *   aggregate share a partition, so consumers see them in order.
 * - `partitions`: how many partitions the topic is created with by tools/stack.
 */
export interface EventContract<TSchema extends z.ZodType = z.ZodType, TDomain extends string = string> {
  readonly topic: string;
  readonly type: string;
  readonly domain: TDomain;
  readonly event: string;
  readonly version: number;
  readonly description: string;
  readonly schema: TSchema;
  readonly key: (value: z.infer<TSchema>) => string;
  /** Human description of the partition key (e.g. `modelName`), for docs/events.md. */
  readonly keyDescription: string;
  readonly partitions: number;
  /** Services that publish this event (documentation, docs/events.md). */
  readonly producers: readonly string[];
  /** Services that consume this event (documentation, docs/events.md). */
  readonly consumers: readonly string[];
}

/** The payload type of a contract. */
export type EventValue<C extends EventContract> = z.infer<C['schema']>;

/** The names of the string-valued fields of a payload (the candidates for a partition key). */
export type StringFieldOf<T> = { [K in keyof T]-?: T[K] extends string ? K : never }[keyof T] & string;

interface DefineEventCommon<TSchema extends z.ZodType, TDomain extends string> {
  domain: TDomain;
  /** kebab-case event name, e.g. `model-version-registered`. */
  event: string;
  version: number;
  description: string;
  schema: TSchema;
  partitions?: number;
  producers: readonly string[];
  consumers: readonly string[];
}

/**
 * Options of {@link defineEvent}. The partition key is either one string field of the payload
 * (`keyField: 'modelName'`: the key and its description can never disagree) or, for a derived
 * key, a function with its description in words.
 */
export type DefineEventOptions<TSchema extends z.ZodType, TDomain extends string> = DefineEventCommon<TSchema, TDomain> &
  (
    | { keyField: StringFieldOf<z.infer<TSchema>>; key?: never; keyDescription?: never }
    | {
        keyField?: never;
        key: (value: z.infer<TSchema>) => string;
        /** What the key is, in words. Defaults to `'(derived)'`. */
        keyDescription?: string;
      }
  );

const KEBAB = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/**
 * Declares an event contract. Topic and CloudEvents type are derived from domain, event and
 * version so they can never disagree.
 *
 * @throws Error when domain or event is not kebab-case or version is not a positive integer
 *   (a programming error caught at import time, by the contract spec).
 */
export function defineEvent<TSchema extends z.ZodType, TDomain extends string>(
  options: DefineEventOptions<TSchema, TDomain>,
): EventContract<TSchema, TDomain> {
  if (!KEBAB.test(options.domain) || !KEBAB.test(options.event)) {
    throw new Error(`defineEvent: domain '${options.domain}' and event '${options.event}' must be kebab-case`);
  }
  if (!Number.isInteger(options.version) || options.version < 1) {
    throw new Error(`defineEvent: version of '${options.event}' must be a positive integer`);
  }
  return Object.freeze({
    topic: `strata.${options.domain}.${options.event}.v${options.version}`,
    type: `dev.strata.${options.domain}.${options.event}.v${options.version}`,
    domain: options.domain,
    event: options.event,
    version: options.version,
    description: options.description,
    schema: options.schema,
    ...keyOf(options),
    partitions: options.partitions ?? 3,
    producers: options.producers,
    consumers: options.consumers,
  });
}

function keyOf<TSchema extends z.ZodType>(
  options: DefineEventOptions<TSchema, string>,
): { key: (value: z.infer<TSchema>) => string; keyDescription: string } {
  if (options.keyField !== undefined) {
    const field = options.keyField;
    return { key: (value) => (value as Record<string, string>)[field] as string, keyDescription: field };
  }
  return { key: options.key as (value: z.infer<TSchema>) => string, keyDescription: options.keyDescription ?? '(derived)' };
}
