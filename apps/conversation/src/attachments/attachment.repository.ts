import { Injectable } from '@nestjs/common';
import type { StoredAttachment } from '@widget/contracts';
import { DataSource, EntityManager } from 'typeorm';
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

const COLUMNS = `a.id, a.workspace_id AS "workspaceId", a.conversation_id AS "conversationId", a.uploader_kind AS "uploaderKind",
  a.uploader_session_id AS "uploaderSessionId", a.name, a.content_type AS "contentType", a.size::int AS size, a.chunks, a.inline,
  a.status, a.storage, a.message_id AS "messageId", a.created_at AS "createdAt"`;

export const storedAttachment = (row: AttachmentRow): StoredAttachment => ({ id: row.id, name: row.name, contentType: row.contentType, size: row.size ?? 0 });

/** conversation.attachments: one row per upload (its bytes are the BlobStore's). */
@Injectable()
export class AttachmentRepository {
  constructor(private readonly dataSource: DataSource) {}

  private run<T>(sql: string, params: unknown[], manager?: EntityManager): Promise<T[]> {
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

  async find(id: string, manager?: EntityManager, lock = false): Promise<AttachmentRow | null> {
    const rows = await this.run<AttachmentRow>(`SELECT ${COLUMNS} FROM conversation.attachments a WHERE a.id = $1${lock ? ' FOR UPDATE' : ''}`, [id], manager);
    return rows[0] ?? null;
  }

  /** Ready → finished: the size, chunk count and disposition are final. Null when it was not uploading. */
  async finish(id: string, size: number, chunks: number, inline: boolean): Promise<AttachmentRow | null> {
    const rows = await this.run<AttachmentRow>(
      `UPDATE conversation.attachments a SET status = 'ready', size = $2, chunks = $3, inline = $4
        WHERE a.id = $1 AND a.status = 'uploading' RETURNING ${COLUMNS}`,
      [id, size, chunks, inline],
    );
    return rows[0] ?? null;
  }

  async delete(id: string, manager?: EntityManager): Promise<void> {
    await this.run(`DELETE FROM conversation.attachments WHERE id = $1`, [id], manager);
  }

  /**
   * The attachments a sender may put on a message, locked until its transaction
   * ends: finished, of this conversation and this uploader, not sent yet.
   */
  async lockSendable(
    ids: string[],
    conversationId: string,
    uploader: { kind: 'visitor' | 'operator'; sessionId: string | null },
    manager: EntityManager,
  ): Promise<AttachmentRow[]> {
    return this.run<AttachmentRow>(
      `SELECT ${COLUMNS} FROM conversation.attachments a
        WHERE a.id = ANY($1::text[]) AND a.conversation_id = $2 AND a.status = 'ready' AND a.message_id IS NULL
          AND a.uploader_kind = $3 AND a.uploader_session_id IS NOT DISTINCT FROM $4
        FOR UPDATE`,
      [ids, conversationId, uploader.kind, uploader.sessionId],
      manager,
    );
  }

  async markSent(ids: string[], messageId: string, at: Date, manager: EntityManager): Promise<void> {
    await this.run(`UPDATE conversation.attachments SET message_id = $2, sent_at = $3 WHERE id = ANY($1::text[])`, [ids, messageId, at], manager);
  }

  /** Unsent attachments (finished or not) created before `before`, oldest first. */
  async unsentBefore(before: Date, limit: number): Promise<AttachmentRow[]> {
    return this.run<AttachmentRow>(
      `SELECT ${COLUMNS} FROM conversation.attachments a WHERE a.message_id IS NULL AND a.created_at < $1 ORDER BY a.created_at LIMIT $2`,
      [before, limit],
    );
  }
}
