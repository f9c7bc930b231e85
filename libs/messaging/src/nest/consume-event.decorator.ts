import type { EventContract } from '@strata/contracts';
import type { ConsumeOptions } from '../core/consumer';
import { CONSUME_EVENT_METADATA } from './messaging.constants';

/** What `@ConsumeEvent` records on a method. */
export interface ConsumeEventMetadata {
  contract: EventContract;
  options: ConsumeOptions;
  /** Set by `@ConsumeEventBatch`: the method is a `BatchEventHandler`. */
  batch?: boolean;
}

/**
 * Marks a provider method as the handler of a contract's topic. `MessagingModule` discovers it at
 * module init and registers it with the {@link EventConsumerRunner}: the method receives the
 * validated value and an `EventContext` (`manager` of the transaction that also records the
 * inbox row, `eventId`, `traceparent`, …), and runs at most once per event and consumer group.
 *
 * ```ts
 * @Injectable()
 * export class ModelVersionsConsumer {
 *   @ConsumeEvent(TrainingRunCompletedV1)
 *   async onRunCompleted(run: TrainingRunCompletedV1, ctx: EventContext): Promise<void> {
 *     await this.registry.registerFromRun(ctx.manager, run);
 *   }
 * }
 * ```
 */
export function ConsumeEvent(contract: EventContract, options: ConsumeOptions = {}): MethodDecorator {
  return mark({ contract, options });
}

/**
 * Like {@link ConsumeEvent}, for a method that handles a whole run of new events of one
 * partition at once (`EventConsumerRunner.registerBatch`), to write their effects in bulk:
 * `(events: ReadonlyArray<{ value, context }>, manager: EntityManager) => Promise<void>`. When it
 * throws, the run rolls back and each event is handed to it alone, with the usual retries.
 *
 * ```ts
 * @ConsumeEventBatch(PredictionLoggedV1)
 * async onPredictions(events: ReadonlyArray<BatchEvent<typeof PredictionLoggedV1>>, manager: EntityManager): Promise<void> {
 *   await this.store.insertMany(manager, events.map((e) => e.value));
 * }
 * ```
 */
export function ConsumeEventBatch(contract: EventContract, options: ConsumeOptions = {}): MethodDecorator {
  return mark({ contract, options, batch: true });
}

function mark(meta: ConsumeEventMetadata): MethodDecorator {
  return (_target, _key, descriptor) => {
    const fn = descriptor.value as unknown as object;
    const list: ConsumeEventMetadata[] = Reflect.getMetadata(CONSUME_EVENT_METADATA, fn) ?? [];
    Reflect.defineMetadata(CONSUME_EVENT_METADATA, [...list, meta], fn);
    return descriptor;
  };
}
