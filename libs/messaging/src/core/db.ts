import type { DataSource } from 'typeorm';
import { InboxEventEntity, OutboxEventEntity } from './entities';
import { MessagingError, MessagingErrorCode } from './errors';

/** Quotes a PostgreSQL identifier. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** The schema of a DataSource (`options.schema`, else `public`). */
export function schemaOf(dataSource: DataSource): string {
  return (dataSource.options as { schema?: string }).schema ?? 'public';
}

/** Fully qualified, quoted names of the outbox and inbox tables of a DataSource. */
export interface MessagingTables {
  schema: string;
  outbox: string;
  inbox: string;
  /** LISTEN/NOTIFY channel the publisher notifies on commit (one per schema). */
  channel: string;
}

/**
 * Resolves table names from the DataSource's entity metadata (so they follow its `schema`).
 *
 * @throws MessagingError `CONFIGURATION_INVALID` when the DataSource is not PostgreSQL or does not
 *   include MESSAGING_ENTITIES.
 */
export function messagingTables(dataSource: DataSource): MessagingTables {
  if (dataSource.options.type !== 'postgres') {
    throw new MessagingError(MessagingErrorCode.CONFIGURATION_INVALID, `@strata/messaging needs a PostgreSQL DataSource, got '${dataSource.options.type}'`);
  }
  const name = (entity: typeof OutboxEventEntity | typeof InboxEventEntity): string => {
    if (!dataSource.hasMetadata(entity)) {
      throw new MessagingError(
        MessagingErrorCode.CONFIGURATION_INVALID,
        `the DataSource does not include ${entity.name}: add MESSAGING_ENTITIES to its entities and MESSAGING_MIGRATIONS to its migrations`,
      );
    }
    const m = dataSource.getMetadata(entity);
    return m.schema ? `${quoteIdent(m.schema)}.${quoteIdent(m.tableName)}` : quoteIdent(m.tableName);
  };
  const schema = schemaOf(dataSource);
  return {
    schema,
    outbox: name(OutboxEventEntity),
    inbox: name(InboxEventEntity),
    channel: `strata_outbox_${schema}`.toLowerCase().slice(0, 63),
  };
}
