/** DI token of the resolved {@link MessagingModuleOptions}. */
export const MESSAGING_OPTIONS = Symbol('STRATA_MESSAGING_OPTIONS');
/** DI token of the kafkajs `Kafka` client shared by the module's producers and consumers. */
export const KAFKA_CLIENT = Symbol('STRATA_KAFKA_CLIENT');
/** Reflect-metadata key written by `@ConsumeEvent`. */
export const CONSUME_EVENT_METADATA = 'strata:messaging:consume-event';
