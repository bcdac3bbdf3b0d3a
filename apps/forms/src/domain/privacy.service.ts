import { Injectable } from '@nestjs/common';
import { checkErasure, checkPersonKeys, ErasureLedger, EXPORT_PAGE_ROWS, exportPage } from '@widget/common';
import type { ErasePersonReply, ErasePersonRequest, ExportChunk, ExportPersonRequest } from '@widget/contracts';
import { FormsRepository } from '../persistence/forms.repository';

/**
 * The forms service's part of erasing and exporting a person (SPEC §17): their
 * submissions, values included (pending reservations too). Form definitions,
 * the audit log and the Idempotency-Key replies are the workspace's and its
 * operators' (docs/forms-events.md, "Personal data").
 */
@Injectable()
export class FormsPrivacyService {
  constructor(
    private readonly ledger: ErasureLedger,
    private readonly repo: FormsRepository,
  ) {}

  /** Once per erasure: a repeat answers the counts recorded the first time. */
  async erase(req: ErasePersonRequest): Promise<ErasePersonReply> {
    const { erasureId, person } = checkErasure(req);
    return this.ledger.run(erasureId, person.workspaceId, async (m) => ({ submissions: await this.repo.eraseSubmissionsOf(m, person) }));
  }

  async export({ person: keys, cursor }: ExportPersonRequest): Promise<ExportChunk> {
    const person = checkPersonKeys(keys);
    const rows = await this.repo.exportSubmissionsOf(person, cursor ?? null, EXPORT_PAGE_ROWS + 1);
    return exportPage('submissions', rows, EXPORT_PAGE_ROWS, (r) => r.id);
  }
}
