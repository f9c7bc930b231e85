import { type DynamicModule, Global, Module } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** Pass as `MessagingModule.forRoot({ dataSourceName })` together with {@link MessagingDataSourceModule}. */
export const MESSAGING_DATA_SOURCE_NAME = 'strataMessaging';

/**
 * Workaround (until @strata/messaging resolves its tables lazily): `OutboxRelay` and
 * `EventConsumerRunner` read the outbox/inbox entity metadata in their constructors, but the
 * platform's DataSource connects in the background (DatabaseService), so at construction
 * time its metadata is not built yet and messaging throws CONFIGURATION_INVALID. This global
 * module exposes the platform DataSource under messaging's named token
 * (`strataMessagingDataSource`) after building its entity metadata (no connection needed);
 * it is the same instance, later initialized by DatabaseService.
 */
@Global()
@Module({})
export class MessagingDataSourceModule {
  static forRoot(): DynamicModule {
    const token = `${MESSAGING_DATA_SOURCE_NAME}DataSource`;
    return {
      module: MessagingDataSourceModule,
      providers: [
        {
          provide: token,
          inject: [DataSource],
          useFactory: async (dataSource: DataSource): Promise<DataSource> => {
            if (!dataSource.isInitialized) await (dataSource as unknown as { buildMetadatas(): Promise<void> }).buildMetadatas();
            return dataSource;
          },
        },
      ],
      exports: [token],
    };
  }
}
