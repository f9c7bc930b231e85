import { DataSource, type DataSourceOptions } from 'typeorm';
import { infraEnv, uniqueName } from './infra-env';

/** A fresh PostgreSQL schema for one spec file, migrated like a service does it at boot. */
export interface MigratedSchema {
  /** The schema name: `uniqueName(prefix)`, known before {@link open}. */
  readonly schema: string;
  /** Creates the schema, connects and runs every migration; resolves with the DataSource. */
  open(): Promise<DataSource>;
  /** Drops the schema (CASCADE) and closes the DataSource; does nothing if {@link open} never connected. */
  drop(): Promise<void>;
}

/**
 * A fresh schema on the test stack's PostgreSQL (`infraEnv().databaseUrl` unless `databaseUrl`
 * is given) with `entities` and `migrations`, migrated with the service settings
 * (`typeorm_migrations` table, one transaction per migration, as createDataSourceOptions in
 * nest-platform does). Call {@link MigratedSchema.open} in `beforeAll` and
 * {@link MigratedSchema.drop} in `afterAll`.
 */
export function migratedSchema(prefix: string, entities: DataSourceOptions['entities'], migrations: DataSourceOptions['migrations'], databaseUrl?: string): MigratedSchema {
  const schema = uniqueName(prefix);
  let ds: DataSource | undefined;
  return {
    schema,
    async open() {
      const url = databaseUrl ?? infraEnv().databaseUrl;
      const admin = new DataSource({ type: 'postgres', url });
      await admin.initialize();
      try {
        await admin.query(`CREATE SCHEMA "${schema}"`);
      } finally {
        await admin.destroy();
      }
      ds = new DataSource({ type: 'postgres', url, schema, entities, migrations, migrationsTableName: 'typeorm_migrations', synchronize: false, logging: ['error'] });
      await ds.initialize();
      await ds.runMigrations({ transaction: 'each' });
      return ds;
    },
    async drop() {
      if (!ds?.isInitialized) return;
      await ds.query(`DROP SCHEMA "${schema}" CASCADE`);
      await ds.destroy();
    },
  };
}
