import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Queryable } from '@widget/common';
import { DataSource, EntityManager } from 'typeorm';

/** A conversation's visitor as this service files it: the person's keys (SPEC §17). */
export interface VisitorKeys {
  conversationId: string;
  workspaceId: string;
  sessionId: string;
  userId: string | null;
}

export interface Burst {
  conversationId: string;
  lastMailedMessageId: string | null;
}

export interface StoredToken extends VisitorKeys {
  email: string;
}

/** A reply or unsubscribe token is good for this long after the mail that carried it. */
export const EMAIL_TOKEN_TTL_MS = 90 * 86_400_000;

/** Unread bursts, reply and unsubscribe tokens, unsubscribed conversations (docs/email.md). */
@Injectable()
export class EmailRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  transaction<T>(work: (m: EntityManager) => Promise<T>): Promise<T> {
    return this.db.transaction(work);
  }

  /** An agent message opens a burst due at `dueAt`; a burst already open keeps its first due time (one mail per burst). */
  async openBurst(m: EntityManager, b: { conversationId: string; workspaceId: string; sessionId: string | null; userId: string | null; dueAt: Date }): Promise<void> {
    await m.query(
      `INSERT INTO integrations.email_bursts (conversation_id, workspace_id, session_id, user_id, due_at)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (conversation_id) DO UPDATE
         SET due_at = coalesce(email_bursts.due_at, EXCLUDED.due_at), session_id = EXCLUDED.session_id, user_id = EXCLUDED.user_id, updated_at = now()`,
      [b.conversationId, b.workspaceId, b.sessionId, b.userId, b.dueAt],
    );
  }

  /** One due burst, locked for this transaction (another replica skips it). */
  async claimDueBurst(m: EntityManager): Promise<Burst | null> {
    const rows: { conversation_id: string; last_mailed_message_id: string | null }[] = await m.query(
      `SELECT conversation_id, last_mailed_message_id FROM integrations.email_bursts
        WHERE due_at <= now() ORDER BY due_at LIMIT 1 FOR UPDATE SKIP LOCKED`,
    );
    return rows[0] ? { conversationId: rows[0].conversation_id, lastMailedMessageId: rows[0].last_mailed_message_id } : null;
  }

  /** The burst is over: mailed up to `lastMailed` (or nothing to mail). */
  async closeBurst(m: EntityManager, conversationId: string, lastMailed: string | null): Promise<void> {
    await m.query(
      `UPDATE integrations.email_bursts SET due_at = NULL, last_mailed_message_id = coalesce($2, last_mailed_message_id), updated_at = now() WHERE conversation_id = $1`,
      [conversationId, lastMailed],
    );
  }

  async postponeBurst(m: EntityManager, conversationId: string, delayMs: number): Promise<void> {
    await m.query(`UPDATE integrations.email_bursts SET due_at = now() + $2 * interval '1 millisecond' WHERE conversation_id = $1`, [conversationId, delayMs]);
  }

  async dropBurst(m: EntityManager, conversationId: string): Promise<void> {
    await m.query(`DELETE FROM integrations.email_bursts WHERE conversation_id = $1`, [conversationId]);
  }

  async saveToken(m: Queryable, tokenHash: string, purpose: 'reply' | 'unsubscribe', keys: VisitorKeys, email: string): Promise<void> {
    await m.query(
      `INSERT INTO integrations.email_tokens (token_hash, purpose, conversation_id, workspace_id, session_id, user_id, email, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, now() + $8 * interval '1 millisecond')`,
      [tokenHash, purpose, keys.conversationId, keys.workspaceId, keys.sessionId, keys.userId, email, EMAIL_TOKEN_TTL_MS],
    );
  }

  /** A token that is neither unknown nor expired. */
  async findToken(tokenHash: string, purpose: 'reply' | 'unsubscribe'): Promise<StoredToken | null> {
    const rows: { conversation_id: string; workspace_id: string; session_id: string; user_id: string | null; email: string }[] = await this.db.query(
      `SELECT conversation_id, workspace_id, session_id, user_id, email FROM integrations.email_tokens
        WHERE token_hash = $1 AND purpose = $2 AND expires_at > now()`,
      [tokenHash, purpose],
    );
    const r = rows[0];
    return r ? { conversationId: r.conversation_id, workspaceId: r.workspace_id, sessionId: r.session_id, userId: r.user_id, email: r.email } : null;
  }

  /** No more automatic mail about this conversation; the mail still waiting for it is dropped (in `tx`, one unit of work). */
  async unsubscribe(keys: VisitorKeys, tx: Queryable): Promise<void> {
    await tx.query(
      `INSERT INTO integrations.email_unsubscribes (conversation_id, workspace_id, session_id, user_id) VALUES ($1, $2, $3, $4) ON CONFLICT (conversation_id) DO NOTHING`,
      [keys.conversationId, keys.workspaceId, keys.sessionId, keys.userId],
    );
    await tx.query(`DELETE FROM integrations.email_bursts WHERE conversation_id = $1`, [keys.conversationId]);
    await tx.query(
      `UPDATE integrations.mail_queue SET status = 'failed', last_error = 'unsubscribed', locked_until = NULL
        WHERE conversation_id = $1 AND status = 'pending' AND kind IN ('unread', 'transcript')`,
      [keys.conversationId],
    );
  }

  async isUnsubscribed(m: Queryable, conversationId: string): Promise<boolean> {
    const rows: unknown[] = await m.query(`SELECT 1 FROM integrations.email_unsubscribes WHERE conversation_id = $1`, [conversationId]);
    return rows.length > 0;
  }

  async isQueued(m: Queryable, dedupeKey: string): Promise<boolean> {
    const rows: unknown[] = await m.query(`SELECT 1 FROM integrations.mail_queue WHERE dedupe_key = $1`, [dedupeKey]);
    return rows.length > 0;
  }
}
