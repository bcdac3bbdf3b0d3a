import { Injectable } from '@nestjs/common';
import { checkErasure, checkPersonKeys, ErasureLedger, EXPORT_PAGE_ROWS, exportPage } from '@widget/common';
import type { ErasePersonReply, ErasePersonRequest, ExportChunk, ExportPersonRequest } from '@widget/contracts';
import { AnswerRecordRepository } from '../persistence/answer-record.repository';

/**
 * The knowledge service's part of erasing and exporting a person (SPEC §17).
 * Of its tables only `answer_records` holds a visitor's data (the questions a
 * session asked and what it was answered); articles, collections, synonyms,
 * vocabulary, embeddings and the audit log are the workspace's and its
 * operators' (docs/knowledge.md, "Personal data").
 */
@Injectable()
export class KnowledgePrivacyService {
  constructor(
    private readonly ledger: ErasureLedger,
    private readonly records: AnswerRecordRepository,
  ) {}

  /** Once per erasure: a repeat answers the counts recorded the first time. */
  async erase(req: ErasePersonRequest): Promise<ErasePersonReply> {
    const { erasureId, person } = checkErasure(req);
    return this.ledger.run(erasureId, person.workspaceId, async (m) => ({ answer_records: await this.records.eraseFor(m, person) }));
  }

  async export({ person: keys, cursor }: ExportPersonRequest): Promise<ExportChunk> {
    const person = checkPersonKeys(keys);
    const rows = await this.records.exportFor(person, cursor ?? null, EXPORT_PAGE_ROWS + 1);
    return exportPage('answer_records', rows, EXPORT_PAGE_ROWS, (r) => r.id);
  }
}
