import { Injectable } from '@nestjs/common';
import type { StoredAttachment } from '@widget/contracts';
import { deleteCounted, Queryable } from '@widget/common';
import { DataSource } from 'typeorm';
import { rowsOf } from '../persistence/conversation.repository';
import type { StorageKind } from './blob-store';

export interface AttachmentRow {
  id: string;
  workspaceId: string;
  conversationId: string;
  uploaderKind: 'visitor' | 'operator';
  uploaderSessionId: string | null;
  name: string;
  contentType: string;
  size: number | null;
  chunks: number | null;
  inline: boolean;
  status: 'uploading' | 'ready';
  storage: StorageKind;
  messageId: string | null;
  createdAt: Date;
}

export const ATTACHMENT_COLUMNS = `a.id, a.workspace_id AS "workspaceId", a.conversation_id AS "conversationId", a.uploader_kind AS "uploaderKind",
  a.uploader_session_id AS "uploaderSessionId", a.name, a.content_type AS "contentType", a.size::int AS size, a.chunks, a.inline,
  a.status, a.storage, a.message_id AS "messageId", a.created_at AS "createdAt"`;

/** What deleteWithBytes removed: the rows (with the message each was sent on) and PostgreSQL chunks. */
export interface DeletedAttachments {
  rows: { id: string; storage: StorageKind; messageId: string | null }[];
  chunks: number;
}

export const storedAttachment = (row: AttachmentRow): StoredAttachment => ({ id: row.id, name: row.name, contentType: row.contentType, size: row.size ?? 0 });

/** conversation.attachments: one row per upload (its bytes are the BlobStore's). */
@Injectable()
export class AttachmentRepository {
  constructor(private readonly dataSource: DataSource) {}

  private run<T>(sql: string, params: unknown[], manager?: Queryable): Promise<T[]> {
    return (manager ?? this.dataSource.manager).query(sql, params).then((r: unknown) => rowsOf<T>(r));
  }

  async insert(row: Omit<AttachmentRow, 'size' | 'chunks' | 'inline' | 'status' | 'messageId'>): Promise<void> {
    await this.run(
      `INSERT INTO conversation.attachments
         (id, workspace_id, conversation_id, uploader_kind, uploader_session_id, name, content_type, status, storage, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'uploading', $8, $9)`,
      [row.id, row.workspaceId, row.conversationId, row.uploaderKind, row.uploaderSessionId, row.name, row.contentType, row.storage, row.createdAt],
    );
  }

  async find(id: string, manager?: Queryable, lock = false): Promise<AttachmentRow | null> {
    const rows = await this.run<AttachmentRow>(`SELECT ${ATTACHMENT_COLUMNS} FROM conversation.attachments a WHERE a.id = $1${lock ? ' FOR UPDATE' : ''}`, [id], manager);
    return rows[0] ?? null;
  }

  /** Ready → finished: the size, chunk count and disposition are final. Null when it was not uploading. */
  async finish(id: string, size: number, chunks: number, inline: boolean): Promise<AttachmentRow | null> {
    const rows = await this.run<AttachmentRow>(
      `UPDATE conversation.attachments a SET status = 'ready', size = $2, chunks = $3, inline = $4
        WHERE a.id = $1 AND a.status = 'uploading' RETURNING ${ATTACHMENT_COLUMNS}`,
      [id, size, chunks, inline],
    );
    return rows[0] ?? null;
  }

  /**
   * In the caller's transaction: deletes the attachments `where` picks (on alias `a`) and their PostgreSQL chunks,
   * and queues the S3 ones in `attachment_purges`, whose objects go after commit (`claimPurges`): a crash in
   * between leaves the queue row, never bytes nobody will delete. The chunks are deleted by a statement after the
   * rows', so a chunk being written (PostgresBlobStore.putChunk share-locks its row) is either in by then or refused.
   */
  async deleteWithBytes(where: string, params: unknown[], manager: Queryable): Promise<DeletedAttachments> {
    const rows = await this.run<{ id: string; storage: StorageKind; messageId: string | null }>(
      `DELETE FROM conversation.attachments a WHERE ${where} RETURNING a.id, a.storage, a.message_id AS "messageId"`,
      params,
      manager,
    );
    if (rows.length === 0) return { rows, chunks: 0 };
    const chunks = await deleteCounted(manager, `DELETE FROM conversation.attachment_chunks WHERE attachment_id = ANY($1::text[])`, [
      rows.filter((r) => r.storage === 'postgres').map((r) => r.id),
    ]);
    const inS3 = rows.filter((r) => r.storage === 's3').map((r) => r.id);
    if (inS3.length > 0) {
      await manager.query(`INSERT INTO conversation.attachment_purges (attachment_id, storage) SELECT unnest($1::text[]), 's3' ON CONFLICT DO NOTHING`, [inS3]);
    }
    return { rows, chunks };
  }

  /**
   * Takes up to `limit` purges that are due, for `leaseMs` (another replica takes them only after that: a crash
   * mid-purge delays it, never loses it). `late`: queued at least `lateMs` ago, so no chunk write that began
   * before the row was deleted can still be on its way; a purge is done only after such a pass.
   */
  claimPurges(limit: number, leaseMs: number, lateMs: number): Promise<{ id: string; storage: StorageKind; late: boolean }[]> {
    return this.run(
      `UPDATE conversation.attachment_purges p SET next_at = now() + make_interval(secs => $2::double precision / 1000), attempts = p.attempts + 1
        WHERE p.attachment_id IN (
          SELECT attachment_id FROM conversation.attachment_purges WHERE next_at <= now() ORDER BY next_at LIMIT $1 FOR UPDATE SKIP LOCKED)
        RETURNING p.attachment_id AS id, p.storage, p.created_at < now() - make_interval(secs => $3::double precision / 1000) AS late`,
      [limit, leaseMs, lateMs],
    );
  }

  /** After a pass that deleted the bytes: done when it was the late pass, else the late pass is due `lateMs` after queueing. */
  async purged(id: string, late: boolean, lateMs: number): Promise<void> {
    if (late) await this.run(`DELETE FROM conversation.attachment_purges WHERE attachment_id = $1`, [id]);
    else
      await this.run(
        `UPDATE conversation.attachment_purges SET next_at = created_at + make_interval(secs => $2::double precision / 1000) WHERE attachment_id = $1`,
        [id, lateMs],
      );
  }

  /**
   * The attachments a sender may put on a message, locked until its transaction
   * ends: finished, of this conversation and this uploader, not sent yet.
   */
  async lockSendable(
    ids: string[],
    conversationId: string,
    uploader: { kind: 'visitor' | 'operator'; sessionId: string | null },
    manager: Queryable,
  ): Promise<AttachmentRow[]> {
    return this.run<AttachmentRow>(
      `SELECT ${ATTACHMENT_COLUMNS} FROM conversation.attachments a
        WHERE a.id = ANY($1::text[]) AND a.conversation_id = $2 AND a.status = 'ready' AND a.message_id IS NULL
          AND a.uploader_kind = $3 AND a.uploader_session_id IS NOT DISTINCT FROM $4
        FOR UPDATE`,
      [ids, conversationId, uploader.kind, uploader.sessionId],
      manager,
    );
  }

  async markSent(ids: string[], messageId: string, at: Date, manager: Queryable): Promise<void> {
    await this.run(`UPDATE conversation.attachments SET message_id = $2, sent_at = $3 WHERE id = ANY($1::text[])`, [ids, messageId, at], manager);
  }
}
