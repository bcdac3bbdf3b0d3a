import { Injectable } from '@nestjs/common';
import { checkErasure, checkPersonKeys, ErasureLedger } from '@widget/common';
import type { ErasePersonReply, ErasePersonRequest, ExportChunk, PersonKeys } from '@widget/contracts';
import { AttachmentRow, storedAttachment } from '../attachments/attachment.repository';
import { AttachmentsService } from '../attachments/attachments.service';
import { decodeExportCursor, encodeExportCursor, EXPORT_PHASES, ExportPosition } from '../domain/cursor';
import { storedMessage } from '../domain/views';
import { ConversationEntity, MessageEntity } from '../persistence/entities';
import { Erased, PrivacyRepository } from './privacy.repository';

/** Rows per export page, all tables together (SPEC §17: large exports stream page by page). */
export const EXPORT_PAGE_MAX_ROWS = 500;

/**
 * The conversation service's part of SPEC §17: erase and export one person, and retention batches. Nothing here
 * publishes an event: an erasure announces nothing that carried the erased data (an operator's open inbox shows an
 * erased conversation until it reloads its list; opening it then answers conversation_not_found).
 */
@Injectable()
export class PrivacyService {
  constructor(
    private readonly repo: PrivacyRepository,
    private readonly ledger: ErasureLedger,
    private readonly attachments: AttachmentsService,
  ) {}

  /**
   * Once per erasure (the ledger's row and the deletes commit together; a repeat answers the first counts and
   * touches nothing). S3 objects go right after commit, or from the purge queue written in the same transaction.
   */
  async erase(req: Partial<ErasePersonRequest>): Promise<ErasePersonReply> {
    const { erasureId, person } = checkErasure(req);
    const result = await this.ledger.run(erasureId, person.workspaceId, (manager) => this.repo.erase(person, manager));
    this.attachments.purgeSoon();
    return result;
  }

  /**
   * One page: the person's conversations, then their messages, then their attachments' metadata (name, type,
   * size, dates; never bytes or links), each walked by (conversation id, id), at most EXPORT_PAGE_MAX_ROWS rows.
   */
  async export(person: unknown, cursor?: string): Promise<ExportChunk> {
    const keys = checkPersonKeys(person);
    let position: ExportPosition = cursor ? decodeExportCursor(cursor) : { phase: 'conversations', conversationId: '', id: '' };
    const data = { conversations: [] as unknown[], messages: [] as unknown[], attachments: [] as unknown[] };
    let budget = EXPORT_PAGE_MAX_ROWS;
    for (;;) {
      const rows = await this.fetch(keys, position, budget + 1);
      const page = rows.slice(0, budget);
      data[position.phase].push(...page.map((row) => exportView(position.phase, row)));
      budget -= page.length;
      if (rows.length > page.length) {
        const last = page[page.length - 1];
        position = { phase: position.phase, conversationId: 'conversationId' in last ? last.conversationId : last.id, id: last.id };
        return { data, nextCursor: encodeExportCursor(position) };
      }
      const next = EXPORT_PHASES[EXPORT_PHASES.indexOf(position.phase) + 1];
      if (!next) return { data, nextCursor: null };
      position = { phase: next, conversationId: '', id: '' };
      if (budget === 0) return { data, nextCursor: encodeExportCursor(position) };
    }
  }

  private fetch(keys: PersonKeys, position: ExportPosition, limit: number): Promise<(ConversationEntity | MessageEntity | AttachmentRow)[]> {
    if (position.phase === 'conversations') return this.repo.exportConversations(keys, position.id, limit);
    if (position.phase === 'messages') return this.repo.exportMessages(keys, position, limit);
    return this.repo.exportAttachments(keys, position, limit);
  }

  /** One retention batch of conversations (a transaction of its own); S3 objects after commit. */
  async expireConversations(workspaceId: string, days: number, limit: number): Promise<Erased> {
    return this.afterCommit(await this.repo.transaction((manager) => this.repo.expireConversations(workspaceId, days, limit, manager)));
  }

  /** One retention batch of attachments (a transaction of its own); S3 objects after commit. */
  async expireAttachments(workspaceId: string, days: number, limit: number): Promise<Erased> {
    return this.afterCommit(await this.repo.transaction((manager) => this.repo.expireAttachments(workspaceId, days, limit, manager)));
  }

  private afterCommit(erased: Erased): Erased {
    if (erased.attachments > 0) this.attachments.purgeSoon();
    return erased;
  }
}

/** Export rows: what the person's data is, in the API's words; attachments as metadata only. */
function exportView(phase: ExportPosition['phase'], row: ConversationEntity | MessageEntity | AttachmentRow): unknown {
  if (phase === 'conversations') {
    const c = row as ConversationEntity;
    return {
      id: c.id,
      widgetId: c.widgetId,
      sessionId: c.sessionId,
      userId: c.userId,
      subject: c.subject,
      status: c.status,
      tags: c.tags,
      customFields: c.customFields,
      metadata: c.metadata,
      assignee: c.assigneeId ? { id: c.assigneeId, name: c.assigneeName } : null,
      lastReadMessageId: c.lastReadMessageId,
      createdAt: c.createdAt.toISOString(),
      updatedAt: c.updatedAt.toISOString(),
    };
  }
  if (phase === 'messages') return storedMessage(row as MessageEntity);
  const a = row as AttachmentRow;
  return { ...storedAttachment(a), conversationId: a.conversationId, messageId: a.messageId, createdAt: a.createdAt.toISOString() };
}
