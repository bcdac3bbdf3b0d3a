import { Injectable, OnModuleInit } from '@nestjs/common';
import { AppError, Errors, InjectConfig, InjectLogger, Tx, UnitOfWork } from '@widget/common';
import type { Logger } from 'pino';
import {
  Attachment,
  ATTACHMENT_CHUNK_BYTES,
  ATTACHMENT_TYPE_NAMES,
  ATTACHMENT_UNAVAILABLE_REASON,
  AttachmentActor,
  AttachmentContent,
  INLINE_ATTACHMENT_TYPES,
  sanitizeAttachmentName,
  StoredAttachment,
} from '@widget/contracts';
import type { ConversationConfig } from '../config';
import { conversationNotFound } from '../domain/errors';
import { ownerOf } from '../domain/views';
import { ConversationRepository } from '../persistence/conversation.repository';
import { AttachmentRepository, AttachmentRow, DeletedAttachments, storedAttachment } from './attachment.repository';
import { BlobStores } from './blob-store';
import { AttachmentLinks, attachmentLinks, useAttachmentLinks, withUrl } from './links';

/** 10 GB in 512 KiB chunks: far above any ATTACHMENT_MAX_BYTES the gateway allows. */
const MAX_CHUNKS = 20_000;
const KNOWN_TYPES: readonly string[] = Object.values(ATTACHMENT_TYPE_NAMES);
/** A replica working off a purge holds it this long; after a failure it is tried again then. */
const PURGE_LEASE_MS = 60_000;
/** The late pass of a purge: past any chunk write that began before its row was deleted. */
const PURGE_LATE_MS = 5 * 60_000;
const PURGE_BATCH = 100;

export const attachmentNotFound = () => Errors.notFound('attachment');

/** Who may send an attachment: its uploader (a visitor's session, or the operators). */
export type Sender = { kind: 'visitor'; sessionId: string } | { kind: 'operator' };

/** A message's attachments as the sender named them: the ids, in order, each one available. */
export function attachmentUnavailable(ids: string[]): AppError {
  return new AppError('validation_error', 'An attachment cannot be sent: unknown, not finished, sent already, or not yours.', {
    reason: ATTACHMENT_UNAVAILABLE_REASON,
    details: ids.map((id, i) => ({ field: `attachmentIds.${i}`, reason: `${id} cannot be sent` })),
  });
}

/**
 * Uploads in chunks (the gateway streams them over NATS), the links that read
 * them back, the once-only hand-over to a message, and the hourly sweep.
 */
@Injectable()
export class AttachmentsService implements OnModuleInit {
  private readonly logger: Logger;
  private purging: Promise<void> | null = null;
  private purgeAgain = false;

  constructor(
    private readonly repo: AttachmentRepository,
    private readonly conversations: ConversationRepository,
    private readonly stores: BlobStores,
    private readonly uow: UnitOfWork,
    @InjectConfig() private readonly config: ConversationConfig,
    @InjectLogger() logger: Logger,
  ) {
    this.logger = logger.child({ component: 'Attachments' });
  }

  onModuleInit(): void {
    useAttachmentLinks(new AttachmentLinks(this.config.SECRET_ENCRYPTION_KEY, this.config.ATTACHMENT_URL_TTL));
  }

  async begin(actor: AttachmentActor, conversationId: string, name: string, contentType: string): Promise<{ attachmentId: string }> {
    const conversation =
      'session' in actor ? await this.conversations.findOwned(conversationId, ownerOf(actor.session)) : await this.conversations.findById(conversationId);
    if (!conversation) throw conversationNotFound();
    if (!KNOWN_TYPES.includes(contentType)) throw new AppError('unsupported_file_type', 'This type of file is not accepted.', { reason: 'type_not_allowed' });
    const id = this.uow.newId('attachment');
    await this.repo.insert({
      id,
      workspaceId: conversation.workspaceId,
      conversationId,
      uploaderKind: 'session' in actor ? 'visitor' : 'operator',
      uploaderSessionId: 'session' in actor ? actor.session.sessionId : null,
      name: sanitizeAttachmentName(name),
      contentType,
      storage: this.stores.current.kind,
      createdAt: this.uow.now(),
    });
    return { attachmentId: id };
  }

  async chunk(attachmentId: string, seq: number, data: string): Promise<{ stored: true }> {
    const row = await this.uploading(attachmentId);
    const bytes = Buffer.from(data, 'base64');
    if (!Number.isInteger(seq) || seq < 0 || seq >= MAX_CHUNKS || bytes.length === 0 || bytes.length > ATTACHMENT_CHUNK_BYTES) {
      throw Errors.validation([{ field: 'seq', reason: `chunks are 1..${ATTACHMENT_CHUNK_BYTES} bytes, numbered from 0` }]);
    }
    if (!(await this.stores.of(row.storage).putChunk(attachmentId, seq, bytes))) throw attachmentNotFound();
    return { stored: true };
  }

  async finish(attachmentId: string, size: number, chunks: number, inline: boolean): Promise<Attachment> {
    const row = await this.uploading(attachmentId);
    if (chunks !== Math.ceil(size / ATTACHMENT_CHUNK_BYTES) || chunks < 1) throw Errors.validation([{ field: 'chunks', reason: 'does not match the size' }]);
    const done = await this.repo.finish(attachmentId, size, chunks, inline && INLINE_ATTACHMENT_TYPES.includes(row.contentType));
    if (!done) throw attachmentNotFound();
    return withUrl(storedAttachment(done), new Date());
  }

  /** Idempotent: an upload that is gone already answers aborted false. A finished one is left to the sweep. */
  async abort(attachmentId: string): Promise<{ aborted: boolean }> {
    const deleted = await this.deleteWithBytes(`a.id = $1 AND a.status = 'uploading'`, [attachmentId]);
    return { aborted: deleted.rows.length > 0 };
  }

  /** A signed link, checked for its reader. */
  async open(actor: AttachmentActor, attachmentId: string, expires: number, sig: string): Promise<AttachmentContent> {
    const link = attachmentLinks().check(attachmentId, expires, sig, new Date());
    if (link === 'invalid') throw Errors.invalidToken('link_invalid');
    if (link === 'expired') throw new AppError('auth_expired', 'This attachment link has expired; read the message again for a fresh one.', { reason: 'link_expired' });
    const row = await this.repo.find(attachmentId);
    if (!row || row.status !== 'ready' || !(await this.mayRead(actor, row))) throw attachmentNotFound();
    return { id: row.id, name: row.name, contentType: row.contentType, size: row.size ?? 0, inline: row.inline, chunks: row.chunks ?? 0 };
  }

  async read(attachmentId: string, seq: number): Promise<{ data: string }> {
    const row = await this.repo.find(attachmentId);
    if (!row || row.status !== 'ready' || !Number.isInteger(seq) || seq < 0 || seq >= (row.chunks ?? 0)) throw attachmentNotFound();
    const bytes = await this.stores.of(row.storage).getChunk(attachmentId, seq);
    if (!bytes) throw new AppError('internal_error', 'An attachment chunk is missing from storage.', { reason: 'storage_inconsistent' });
    return { data: bytes.toString('base64') };
  }

  /**
   * Inside a message's transaction: the named attachments, locked, each finished,
   * of this conversation and sender and unsent (attachment_unavailable otherwise).
   */
  async sendable(ids: string[], conversationId: string, sender: Sender, manager: Tx): Promise<StoredAttachment[]> {
    if (ids.length === 0) return [];
    const unique = [...new Set(ids)];
    const rows = await this.repo.lockSendable(unique, conversationId, { kind: sender.kind, sessionId: sender.kind === 'visitor' ? sender.sessionId : null }, manager);
    if (unique.length !== ids.length || rows.length !== ids.length) throw attachmentUnavailable(ids);
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => storedAttachment(byId.get(id)!));
  }

  markSent(ids: string[], messageId: string, at: Date, manager: Tx): Promise<void> {
    return this.repo.markSent(ids, messageId, at, manager);
  }

  /** Deletes what was not sent within the hour (finished or not) with its bytes; returns how many. Replicas take different rows. */
  async sweep(now: Date, olderThanMs: number, batch = 100): Promise<number> {
    const deleted = await this.deleteWithBytes(
      `a.id IN (SELECT id FROM conversation.attachments WHERE message_id IS NULL AND created_at < $1 ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED)`,
      [new Date(now.getTime() - olderThanMs), batch],
    );
    return deleted.rows.length;
  }

  /** Attachments deleted with their bytes in a transaction of their own (AttachmentRepository.deleteWithBytes), S3 objects right after. */
  private async deleteWithBytes(where: string, params: unknown[]): Promise<DeletedAttachments> {
    const deleted = await this.uow.run({}, (tx) => this.repo.deleteWithBytes(where, params, tx));
    if (deleted.rows.some((r) => r.storage === 's3')) this.purgeSoon();
    return deleted;
  }

  /**
   * Works off the queued S3 deletions now, in the background (after an erasure or retention commit). One run per
   * replica at a time; a call during a run makes it go round once more.
   */
  purgeSoon(): void {
    if (this.purging) {
      this.purgeAgain = true;
      return;
    }
    this.purging = (async () => {
      do {
        this.purgeAgain = false;
        await this.purgeDue();
      } while (this.purgeAgain);
    })().finally(() => (this.purging = null));
  }

  /**
   * Deletes the bytes of every purge that is due (attachment_purges): each is deleted once right away and once
   * more on its late pass, then forgotten; a failure (S3 down) is logged and tried again a lease later, on any
   * replica. Never throws. Answers how many purges it took.
   */
  async purgeDue(): Promise<number> {
    let taken = 0;
    try {
      for (;;) {
        const due = await this.repo.claimPurges(PURGE_BATCH, PURGE_LEASE_MS, PURGE_LATE_MS);
        for (const purge of due) {
          try {
            await this.stores.of(purge.storage).deleteAll(purge.id);
            await this.repo.purged(purge.id, purge.late, PURGE_LATE_MS);
          } catch (err) {
            this.logger.warn(`attachment purge of ${purge.id} failed, tried again in ${PURGE_LEASE_MS / 1000} s: ${(err as Error).message}`);
          }
        }
        taken += due.length;
        if (due.length < PURGE_BATCH) return taken;
      }
    } catch (err) {
      this.logger.error(`attachment purges could not be read: ${(err as Error).message}`);
      return taken;
    }
  }

  private async uploading(attachmentId: string): Promise<AttachmentRow> {
    const row = await this.repo.find(attachmentId);
    if (!row || row.status !== 'uploading') throw attachmentNotFound();
    return row;
  }

  /** The conversation's owner (an unsent file: its uploading session only), or an operator of its workspace. */
  private async mayRead(actor: AttachmentActor, row: AttachmentRow): Promise<boolean> {
    if ('operator' in actor) {
      if (actor.operator.workspaceId !== undefined && actor.operator.workspaceId !== row.workspaceId) return false;
      return row.messageId !== null || row.uploaderKind === 'operator';
    }
    if (row.messageId === null && row.uploaderSessionId !== actor.session.sessionId) return false;
    return (await this.conversations.findOwned(row.conversationId, ownerOf(actor.session))) !== null;
  }
}
