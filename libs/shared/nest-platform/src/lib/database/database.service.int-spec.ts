import { type MigrationInterface, type QueryRunner, DataSource, Column, Entity, PrimaryColumn } from 'typeorm';
import { eventually, infraEnv, uniqueName } from '@strata/shared/testing';
import { DatabaseService, createDataSourceOptions } from './database.service';

@Entity({ name: 'widget' })
class WidgetEntity {
  @PrimaryColumn('text') id!: string;
  @Column('integer') size!: number;
}

class CreateWidget1700000000000 implements MigrationInterface {
  name = 'CreateWidget1700000000000';
  async up(q: QueryRunner): Promise<void> {
    const schema = q.connection.driver.schema ?? 'public';
    await q.query(`CREATE TABLE "${schema}"."widget" (id text PRIMARY KEY, size integer NOT NULL)`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "${q.connection.driver.schema ?? 'public'}"."widget"`);
  }
}

jest.setTimeout(60_000);

describe(`${DatabaseService.name} (real PostgreSQL)`, () => {
  const { databaseUrl } = infraEnv();

  it('creates its schema, runs migrations once, and writes and reads rows', async () => {
    const schema = uniqueName('t');
    const options = { url: databaseUrl, schema, entities: [WidgetEntity], migrations: [CreateWidget1700000000000], retryDelayMs: 200 };
    const sut = new DatabaseService(options, new DataSource(createDataSourceOptions(options)));
    const second = new DatabaseService(options, new DataSource(createDataSourceOptions(options)));
    // concurrent start of a second instance: migrations must not run twice
    await Promise.all([sut.onModuleInit(), second.onModuleInit()]);
    await Promise.all([sut.whenReady(), second.whenReady()]);
    try {
      await sut.getDataSource().getRepository(WidgetEntity).save({ id: 'w1', size: 3 });
      const read = await second.getDataSource().getRepository(WidgetEntity).findOneByOrFail({ id: 'w1' });
      expect(read).toEqual({ id: 'w1', size: 3 });
      const applied = await sut.getDataSource().query(`select name from "${schema}".typeorm_migrations`);
      expect(applied).toEqual([{ name: 'CreateWidget1700000000000' }]);
      await expect(sut.check()).resolves.toBeUndefined();
    } finally {
      await sut.getDataSource().query(`drop schema "${schema}" cascade`);
      await sut.onApplicationShutdown();
      await second.onApplicationShutdown();
    }
  });

  it('stays up and reports the cause while PostgreSQL is unreachable', async () => {
    const options = { url: 'postgres://strata:strata@127.0.0.1:1/strata', schema: 'unreachable', entities: [], migrations: [], retryDelayMs: 100, startupWaitMs: 300 };
    const sut = new DatabaseService(options, new DataSource(createDataSourceOptions(options)));
    const started = Date.now();
    await sut.onModuleInit(); // boots without the database after startupWaitMs
    expect(Date.now() - started).toBeLessThan(5_000);
    try {
      await eventually(async () => {
        await expect(sut.check()).rejects.toThrow(/ECONNREFUSED/);
      }, 20_000);
      expect(() => sut.getDataSource()).toThrow(/PostgreSQL is not available/);
    } finally {
      await sut.onApplicationShutdown();
    }
  });
});
