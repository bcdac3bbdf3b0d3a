import { DataSource, DataSourceOptions } from 'typeorm';
import { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';

export interface ServiceDatabase {
  url: string;
  /** The PostgreSQL schema this service owns; no other service reads it. */
  schema: string;
  entities: PostgresConnectionOptions['entities'];
  migrations: PostgresConnectionOptions['migrations'];
  poolSize?: number;
}

export function dataSourceOptions(db: ServiceDatabase): DataSourceOptions {
  return {
    type: 'postgres',
    url: db.url,
    schema: db.schema,
    entities: db.entities,
    migrations: db.migrations,
    migrationsTableName: 'migrations',
    migrationsRun: false,
    synchronize: false,
    logging: false,
    extra: { max: db.poolSize ?? 10, connectionTimeoutMillis: 5000 },
  };
}

/**
 * Applies the service's pending migrations. Replicas starting together take a
 * PostgreSQL advisory lock first, so exactly one of them migrates.
 */
export async function runMigrations(db: ServiceDatabase): Promise<string[]> {
  const dataSource = new DataSource(dataSourceOptions(db));
  await dataSource.initialize();
  const runner = dataSource.createQueryRunner();
  try {
    await runner.connect();
    await runner.query('SELECT pg_advisory_lock(hashtext($1))', [`migrate:${db.schema}`]);
    await runner.query(`CREATE SCHEMA IF NOT EXISTS "${db.schema}"`);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } finally {
    await runner.query('SELECT pg_advisory_unlock(hashtext($1))', [`migrate:${db.schema}`]).catch(() => undefined);
    await runner.release();
    await dataSource.destroy();
  }
}
