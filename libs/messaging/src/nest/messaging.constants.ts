/** DI token of the resolved {@link MessagingModuleOptions}. */
export const MESSAGING_OPTIONS = Symbol('STRATA_MESSAGING_OPTIONS');
/** DI token of the kafkajs `Kafka` client shared by the module's producers and consumers. */
export const KAFKA_CLIENT = Symbol('STRATA_KAFKA_CLIENT');
/** Reflect-metadata key written by `@ConsumeEvent`. */
export const CONSUME_EVENT_METADATA = 'strata:messaging:consume-event';
/**
 * Optional DI token: a function the module awaits before starting the outbox relay and the
 * consumers (e.g. "the database is connected and migrated"). The Strata platform provides it
 * globally; without it both start at application bootstrap.
 */
export const MESSAGING_READY_GATE = Symbol('STRATA_MESSAGING_READY_GATE');
/** Shape of the {@link MESSAGING_READY_GATE} provider. */
export type MessagingReadyGate = () => Promise<void>;
