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

  register(table: PersonDataTable): void {
    if (this.tables.some((t) => t.table === table.table)) throw new Error(`person data table ${table.table} registered twice`);
    this.tables.push(table);
  }

  all(): readonly PersonDataTable[] {
    return this.tables;
  }
}
