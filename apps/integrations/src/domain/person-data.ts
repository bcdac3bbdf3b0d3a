import { Injectable } from '@nestjs/common';
import type { PersonKeys } from '@widget/contracts';
import type { EntityManager } from 'typeorm';

/**
 * One table of this service that holds a visitor's personal data (SPEC §17):
 * webhook delivery payloads here, mail (issue 22 B) through the same hook.
 * A feature registers its tables in `onModuleInit` (`personData.register(…)`).
 */
export interface PersonDataTable {
  /** The key of its rows in the export. */
  table: string;
  /** Deletes the person's rows in the erasure's transaction; returns how many. */
  erase(manager: EntityManager, person: PersonKeys): Promise<number>;
  /** The person's rows with an id above `afterId` in id order, at most `limit`. */
  exportRows(person: PersonKeys, afterId: string | null, limit: number): Promise<{ id: string }[]>;
}

@Injectable()
export class PersonData {
  private readonly tables: PersonDataTable[] = [];

  /**
   * Whether one of these keys (session or end-user ids) belongs to a person this service erased: a handler of an
   * event that was still in the stream when the erasure ran checks it (in its transaction) before writing their data.
   */
  async erased(manager: EntityManager, keys: (string | null)[]): Promise<boolean> {
    const known = keys.filter((k): k is string => typeof k === 'string');
    if (known.length === 0) return false;
    const rows: unknown[] = await manager.query(`SELECT 1 FROM integrations.erased_people WHERE person_key = ANY($1::text[]) LIMIT 1`, [known]);
    return rows.length > 0;
  }

  /** Records the erased person's keys (the erasure's transaction). */
  async markErased(manager: EntityManager, erasureId: string, person: PersonKeys): Promise<void> {
    await manager.query(
      `INSERT INTO integrations.erased_people (person_key, erasure_id) SELECT k, $1 FROM unnest($2::text[]) AS k ON CONFLICT (person_key) DO NOTHING`,
      [erasureId, [...person.sessionIds, ...person.userIds]],
    );
  }

  register(table: PersonDataTable): void {
    if (this.tables.some((t) => t.table === table.table)) throw new Error(`person data table ${table.table} registered twice`);
    this.tables.push(table);
  }

  all(): readonly PersonDataTable[] {
    return this.tables;
  }
}
