import { Client } from 'pg';

/** One query on a stack's database (a fresh connection, closed after): what a spec reads or ages by hand. */
export async function queryDatabase<T = any>(databaseUrl: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    return (await db.query(sql, params)).rows as T[];
  } finally {
    await db.end();
  }
}

/** The server the test stacks create their databases on (TEST_ADMIN_DATABASE_URL, e.g. through the fault run's proxy). */
export const adminDatabaseUrl = (): string => process.env.TEST_ADMIN_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function onAdmin(sql: string): Promise<void> {
  const admin = new Client({ connectionString: adminDatabaseUrl() });
  await admin.connect();
  try {
    await admin.query(sql);
  } finally {
    await admin.end();
  }
}

/** A new, empty database `name` (a stack's or a service test's), its URL, and how to drop it. */
export async function createDatabase(name: string): Promise<{ databaseUrl: string; drop: () => Promise<void> }> {
  await onAdmin(`CREATE DATABASE "${name}"`);
  const url = new URL(adminDatabaseUrl());
  url.pathname = `/${name}`;
  return { databaseUrl: url.toString(), drop: () => onAdmin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}
