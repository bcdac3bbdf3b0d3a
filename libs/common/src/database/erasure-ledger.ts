import { DataSource, EntityManager, MigrationInterface, QueryRunner } from 'typeorm';
import type { Queryable } from './unit-of-work';

/**
 * SPEC §17: each service records, in its own schema, the erasures whose part
 * it has done. An erasure request for a part already done answers what was
 * recorded then and touches nothing (idempotent: the coordinator may ask
 * again after a time-out whose reply was lost). The record holds counts by
 * table, never the erased data.
 */
export const erasureLedgerSql = {
  up: (schema: string) => `
    CREATE TABLE ${schema}.erasures_done (
      erasure_id text PRIMARY KEY,
      workspace_id text NOT NULL,
      erased jsonb NOT NULL,
      done_at timestamptz NOT NULL DEFAULT now()
    );`,
  down: (schema: string) => `DROP TABLE ${schema}.erasures_done;`,
};

/** The migration creating a service's ledger: `erasureLedgerMigration('forms', 1796800000000)`. */
export function erasureLedgerMigration(schema: string, timestamp: number): new () => MigrationInterface {
  const name = `${schema[0].toUpperCase()}${schema.slice(1)}ErasureLedger${timestamp}`;
  return class implements MigrationInterface {
    name = name;

    async up(q: QueryRunner): Promise<void> {
      await q.query(erasureLedgerSql.up(schema));
    }

    async down(q: QueryRunner): Promise<void> {
      await q.query(erasureLedgerSql.down(schema));
    }
  };
}

export class ErasureLedger {
  constructor(
    private readonly dataSource: DataSource,
    private readonly schema: string,
  ) {}

  /**
   * Runs `erase` once per erasure: in one transaction with the ledger row, so
   * a crash leaves either nothing done or the part done and recorded. Two
   * concurrent requests for the same erasure: the second waits on the first's
   * row, then answers its record.
   */
  async run(erasureId: string, workspaceId: string, erase: (manager: EntityManager) => Promise<Record<string, number>>): Promise<{ erased: Record<string, number> }> {
    return this.dataSource.transaction(async (m) => {
      const claimed: unknown[] = await m.query(
        `INSERT INTO ${this.schema}.erasures_done (erasure_id, workspace_id, erased) VALUES ($1, $2, '{}'::jsonb)
         ON CONFLICT (erasure_id) DO NOTHING RETURNING erasure_id`,
        [erasureId, workspaceId],
      );
      if (claimed.length === 0) {
        const rows: { erased: Record<string, number> }[] = await m.query(`SELECT erased FROM ${this.schema}.erasures_done WHERE erasure_id = $1`, [erasureId]);
        return { erased: rows[0].erased };
      }
      const erased = await erase(m);
      await m.query(`UPDATE ${this.schema}.erasures_done SET erased = $2::jsonb, done_at = now() WHERE erasure_id = $1`, [erasureId, JSON.stringify(erased)]);
      return { erased };
    });
  }
}

export function erasureLedgerProvider(schema: string) {
  return {
    provide: ErasureLedger,
    useFactory: (dataSource: DataSource) => new ErasureLedger(dataSource, schema),
    inject: [DataSource],
  };
}

/** Deletes with a `RETURNING 1` and counts the rows (TypeORM's query() shapes DELETE results differently by driver). */
export async function deleteCounted(manager: Queryable, sql: string, params: unknown[]): Promise<number> {
  const result: unknown = await manager.query(`${sql} RETURNING 1`, params);
  if (Array.isArray(result) && Array.isArray(result[0])) return (result[0] as unknown[]).length;
  return Array.isArray(result) ? result.length : 0;
}
