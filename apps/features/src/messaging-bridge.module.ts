import { Global, Injectable, Logger, Module, type OnApplicationBootstrap } from '@nestjs/common';
import { EventConsumerRunner, OutboxRelay } from '@strata/messaging';
import { DatabaseService } from '@strata/shared/nest-platform';
import { DataSource } from 'typeorm';

/** `dataSourceName` to pass to `MessagingModule.forRoot` so it receives {@link MESSAGING_DATA_SOURCE}. */
export const MESSAGING_DATA_SOURCE_NAME = 'messaging';
/** Token `@nestjs/typeorm`'s `getDataSourceToken('messaging')` resolves to. */
export const MESSAGING_DATA_SOURCE = `${MESSAGING_DATA_SOURCE_NAME}DataSource`;

/**
 * Starts the outbox relay and the consumers only once PostgreSQL is connected and migrated
 * (the platform connects in the background; messaging would otherwise consume before the
 * inbox table exists). Used with `relay.enabled: false, consumer.enabled: false`.
 */
@Injectable()
export class MessagingStarter implements OnApplicationBootstrap {
  private readonly logger = new Logger('Messaging');
  constructor(
    private readonly database: DatabaseService,
    private readonly relay: OutboxRelay,
    private readonly runner: EventConsumerRunner,
  ) {}

  onApplicationBootstrap(): void {
    void this.database.whenReady().then(async () => {
      this.relay.start();
      await this.runner.start().catch((e: unknown) => this.logger.error(`consumers failed to start: ${e instanceof Error ? e.message : String(e)}`));
    });
  }
}

/**
 * Workaround (see report): `@strata/messaging` resolves its table names from the DataSource's
 * entity metadata when its providers are constructed, but the platform's DataSource is only
 * initialized later, in the background. This module gives messaging the same DataSource with
 * its metadata built up front (no connection needed).
 */
@Global()
@Module({
  providers: [
    {
      provide: MESSAGING_DATA_SOURCE,
      inject: [DataSource],
      useFactory: async (ds: DataSource): Promise<DataSource> => {
        if (!ds.isInitialized) await (ds as unknown as { buildMetadatas(): Promise<void> }).buildMetadatas();
        return ds;
      },
    },
  ],
  exports: [MESSAGING_DATA_SOURCE],
})
export class MessagingBridgeModule {}
