import { Global, Module } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

/** Name under which the platform's DataSource is handed to MessagingModule (see below). */
export const MESSAGING_DATA_SOURCE_NAME = 'registry-messaging';

/**
 * Wiring shim: MessagingModule's OutboxRelay/EventConsumerRunner resolve the outbox table names
 * from entity metadata in their constructors, but PlatformModule's DataSource is initialised
 * later, in the background (DatabaseService). This provides the same DataSource under a named
 * token after building its entity metadata (no connection needed; `initialize()` rebuilds it
 * identically). Remove once @strata/messaging resolves table names lazily.
 */
@Global()
@Module({
  providers: [
    {
      provide: getDataSourceToken(MESSAGING_DATA_SOURCE_NAME),
      inject: [DataSource],
      useFactory: async (dataSource: DataSource): Promise<DataSource> => {
        if (!dataSource.isInitialized) await (dataSource as unknown as { buildMetadatas(): Promise<void> }).buildMetadatas();
        return dataSource;
      },
    },
  ],
  exports: [getDataSourceToken(MESSAGING_DATA_SOURCE_NAME)],
})
export class MessagingDataSourceModule {}
