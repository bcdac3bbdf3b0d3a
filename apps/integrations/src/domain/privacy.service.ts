import { Injectable } from '@nestjs/common';
import { checkErasure, checkPersonKeys, ErasureLedger, EXPORT_PAGE_ROWS, exportPage } from '@widget/common';
import type { ErasePersonReply, ErasePersonRequest, ExportChunk, ExportPersonRequest } from '@widget/contracts';
import { PersonData } from './person-data';

/** An export cursor: which registered table, and the last id given of it (`<index>.<id>`). */
const parseCursor = (cursor: string | undefined): { index: number; afterId: string | null } => {
  if (!cursor) return { index: 0, afterId: null };
  const dot = cursor.indexOf('.');
  return { index: Number(cursor.slice(0, dot)) || 0, afterId: cursor.slice(dot + 1) || null };
};

/**
 * The integrations service's part of erasing and exporting a person (SPEC §17):
 * every table registered with PersonData (webhook delivery payloads, mail).
 * The webhooks themselves and the audit log are the workspace's. The person's
 * keys are kept (`erased_people`), so an event about them consumed after the
 * erasure writes nothing of theirs again.
 */
@Injectable()
export class IntegrationsPrivacyService {
  constructor(
    private readonly ledger: ErasureLedger,
    private readonly personData: PersonData,
  ) {}

  /** Once per erasure: a repeat answers the counts recorded the first time. */
  async erase(req: ErasePersonRequest): Promise<ErasePersonReply> {
    const { erasureId, person } = checkErasure(req);
    return this.ledger.run(erasureId, person.workspaceId, async (m) => {
      await this.personData.markErased(m, erasureId, person);
      const erased: Record<string, number> = {};
      for (const table of this.personData.all()) erased[table.table] = await table.erase(m, person);
      return erased;
    });
  }

  /** One table at a time, in pages; the cursor names the table and the last row given. */
  async export({ person: keys, cursor }: ExportPersonRequest): Promise<ExportChunk> {
    const person = checkPersonKeys(keys);
    const tables = this.personData.all();
    const { index, afterId } = parseCursor(cursor);
    const table = tables[index];
    if (!table) return { data: {}, nextCursor: null };
    const rows = await table.exportRows(person, afterId, EXPORT_PAGE_ROWS + 1);
    const page = exportPage(table.table, rows, EXPORT_PAGE_ROWS, (r) => `${index}.${r.id}`);
    if (page.nextCursor === null && index + 1 < tables.length) page.nextCursor = `${index + 1}.`;
    return page;
  }
}
