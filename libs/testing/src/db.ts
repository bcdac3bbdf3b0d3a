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
