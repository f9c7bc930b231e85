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

/** What {@link useMigratedSchema} gives the tests of a spec (`ds` valid once its beforeAll ran). */
export interface MigratedSchemaFixture {
  /** The schema name: `uniqueName(prefix)`. */
  readonly schema: string;
  /** The DataSource on the migrated schema; throws before the beforeAll hook has run. */
  readonly ds: DataSource;
}

/**
 * Registers the jest hooks of a spec on a {@link migratedSchema}: beforeAll creates and migrates
 * it, afterAll drops it. Call it inside the `describe` (or at the top of the file) it serves.
 *
 * @returns the schema name and an accessor of the DataSource to read inside tests.
 */
export function useMigratedSchema(prefix: string, entities: DataSourceOptions['entities'], migrations: DataSourceOptions['migrations']): MigratedSchemaFixture {
  const db = migratedSchema(prefix, entities, migrations);
  let ds: DataSource | undefined;
  beforeAll(async () => {
    ds = await db.open();
  });
  afterAll(() => db.drop());
  return {
    schema: db.schema,
    get ds() {
      if (!ds) throw new Error(`schema ${db.schema} is not migrated yet (useMigratedSchema's beforeAll has not run)`);
      return ds;
    },
  };
}
