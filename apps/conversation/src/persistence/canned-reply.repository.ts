import type { Queryable } from '@widget/common';
import { Injectable } from '@nestjs/common';
import type { CannedReply } from '@widget/contracts';
import { DataSource } from 'typeorm';
import { rowsOf } from './conversation.repository';

const COLUMNS = `id, shortcut, text, created_at AS "createdAt", updated_at AS "updatedAt"`;
type Row = Omit<CannedReply, 'createdAt' | 'updatedAt'> & { createdAt: Date; updatedAt: Date };

const toReply = (row: Row): CannedReply => ({ ...row, createdAt: row.createdAt.toISOString(), updatedAt: row.updatedAt.toISOString() });

/** Escapes LIKE's wildcards, so a search for `50%` finds that text. */
const literal = (q: string) => q.replace(/[\\%_]/g, (c) => `\\${c}`);

/** A workspace's canned replies (issue 21), in the conversation schema. Writes take the caller's transaction. */
@Injectable()
export class CannedReplyRepository {
  constructor(private readonly dataSource: DataSource) {}

  private async run(sql: string, params: unknown[], manager?: Queryable): Promise<CannedReply[]> {
    return rowsOf<Row>(await (manager ?? this.dataSource.manager).query(sql, params)).map(toReply);
  }

  /** By shortcut, after `afterShortcut`; `q` matches a shortcut's start or any part of the text, ignoring case. */
  list(workspaceId: string, q: string | undefined, afterShortcut: string | undefined, limit: number): Promise<CannedReply[]> {
    return this.run(
      `SELECT ${COLUMNS} FROM conversation.canned_replies
        WHERE workspace_id = $1 AND ($2::text IS NULL OR shortcut LIKE lower($2) || '%' OR text ILIKE '%' || $2 || '%')
          AND ($3::text IS NULL OR shortcut > $3)
        ORDER BY shortcut LIMIT $4`,
      [workspaceId, q ? literal(q) : null, afterShortcut ?? null, limit],
    );
  }

  /** Null when the workspace has this shortcut already (nothing written). */
  async insert(workspaceId: string, reply: CannedReply, manager: Queryable): Promise<CannedReply | null> {
    const rows = await this.run(
      `INSERT INTO conversation.canned_replies (id, workspace_id, shortcut, text, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)
       ON CONFLICT (workspace_id, shortcut) DO NOTHING RETURNING ${COLUMNS}`,
      [reply.id, workspaceId, reply.shortcut, reply.text, reply.createdAt],
      manager,
    );
    return rows[0] ?? null;
  }

  async find(workspaceId: string, id: string, manager: Queryable): Promise<CannedReply | null> {
    const rows = await this.run(`SELECT ${COLUMNS} FROM conversation.canned_replies WHERE workspace_id = $1 AND id = $2 FOR UPDATE`, [workspaceId, id], manager);
    return rows[0] ?? null;
  }

  async shortcutTaken(workspaceId: string, shortcut: string, exceptId: string, manager: Queryable): Promise<boolean> {
    const rows = await this.run(
      `SELECT ${COLUMNS} FROM conversation.canned_replies WHERE workspace_id = $1 AND shortcut = $2 AND id <> $3`,
      [workspaceId, shortcut, exceptId],
      manager,
    );
    return rows.length > 0;
  }

  /**
   * Null when the workspace has this shortcut already: a concurrent change took it
   * after the caller's check (the unique constraint says so; the caller's transaction
   * is then aborted and must end).
   */
  async update(workspaceId: string, id: string, change: { shortcut: string; text: string }, manager: Queryable): Promise<CannedReply | null> {
    try {
      const rows = await this.run(
        `UPDATE conversation.canned_replies SET shortcut = $3, text = $4, updated_at = now() WHERE workspace_id = $1 AND id = $2 RETURNING ${COLUMNS}`,
        [workspaceId, id, change.shortcut, change.text],
        manager,
      );
      return rows[0];
    } catch (err) {
      const driverError = (err as { driverError?: { code?: string; constraint?: string } }).driverError;
      if (driverError?.code === '23505' && driverError.constraint === 'canned_replies_shortcut_uq') return null;
      throw err;
    }
  }

  async remove(workspaceId: string, id: string, manager: Queryable): Promise<boolean> {
    const rows = await this.run(`DELETE FROM conversation.canned_replies WHERE workspace_id = $1 AND id = $2 RETURNING ${COLUMNS}`, [workspaceId, id], manager);
    return rows.length > 0;
  }
}
