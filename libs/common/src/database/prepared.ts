import type { Pool } from 'pg';
import { DataSource } from 'typeorm';

/**
 * A hot read as a named prepared statement: PostgreSQL parses it once per
 * connection (and, for a query whose plan does not depend on its values,
 * plans it once), where TypeORM's `query()` sends an unnamed statement that
 * is parsed and planned on every call — about 0.8 ms of a search's ~5 ms of
 * SQL (docs/benchmarks.md). Only for statements whose generic plan is as
 * good as a custom one: fixed index lookups, not ranked scans whose plan
 * depends on the values.
 */
export async function preparedQuery<T>(dataSource: DataSource, name: string, text: string, values: unknown[]): Promise<T[]> {
  const pool = (dataSource.driver as unknown as { master: Pool }).master;
  const result = await pool.query({ name, text, values });
  return result.rows as T[];
}
