import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { InjectConfig, newId, Queryable, SecretBox } from '@widget/common';
import { DataSource } from 'typeorm';
import type { IntegrationsConfig } from '../config';
import type { RenderedMail } from './templates';

export type MailKind = 'unread' | 'transcript' | 'invitation' | 'new_conversation' | 'webhook_disabled';

/** What a queued mail says, sealed at rest as one JSON document. */
export interface MailContent extends RenderedMail {
  /** Reply-To, List-Unsubscribe and the like. */
  headers: Record<string, string>;
  replyTo?: string;
}

export interface NewMail {
  kind: MailKind;
  workspaceId: string;
  conversationId: string | null;
  /** The visitor it is about (their keys, for erasure and export); null for mail to members. */
  sessionId: string | null;
  userId: string | null;
  recipient: string;
  /** The same key twice queues one mail (a burst, a resolve, an invitation token, a member and conversation). */
  dedupeKey: string;
  content: MailContent;
}

export interface ClaimedMail {
  id: string;
  kind: MailKind;
  recipient: string;
  attempts: number;
  content: MailContent;
}

/** A sending replica holds a claimed mail this long; past it (the replica died mid-send) another replica may send it. */
export const MAIL_LEASE_MS = 120_000;

/**
 * The mail queue (docs/email.md): mail waits in PostgreSQL until the SMTP
 * server took it. Replicas claim due rows with FOR UPDATE SKIP LOCKED and a
 * lease, so two replicas never send the same mail at once.
 */
@Injectable()
export class MailQueueRepository {
  private readonly box: SecretBox;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @InjectConfig() config: IntegrationsConfig,
  ) {
    this.box = new SecretBox(config.SECRET_ENCRYPTION_KEY);
  }

  /**
   * Queues a mail in the caller's transaction (a unit of work's, which passes its `tx.newId('mail')`, or the
   * domain-event consumer's); false when its dedupe key was queued before. It is due on the database's clock,
   * as the workers compare with `now()`.
   */
  async enqueue(manager: Queryable, mail: NewMail, id: string = newId('mail')): Promise<boolean> {
    const rows: unknown[] = await manager.query(
      `INSERT INTO integrations.mail_queue (id, kind, workspace_id, conversation_id, session_id, user_id, recipient, dedupe_key, content_sealed, next_attempt_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, now())
       ON CONFLICT (dedupe_key) DO NOTHING RETURNING id`,
      [id, mail.kind, mail.workspaceId, mail.conversationId, mail.sessionId, mail.userId, mail.recipient, mail.dedupeKey, this.box.seal(JSON.stringify(mail.content))],
    );
    return rows.length === 1;
  }

  async claimDue(limit: number): Promise<ClaimedMail[]> {
    // An UPDATE … RETURNING answers [rows, count] through TypeORM's pg driver.
    const [rows]: [{ id: string; kind: MailKind; recipient: string; attempts: number; content_sealed: string }[], number] = await this.db.query(
      `UPDATE integrations.mail_queue m SET locked_until = now() + $2 * interval '1 millisecond', attempts = m.attempts + 1
        WHERE m.id IN (
          SELECT id FROM integrations.mail_queue
           WHERE status = 'pending' AND next_attempt_at <= now() AND (locked_until IS NULL OR locked_until < now())
           ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED)
        RETURNING m.id, m.kind, m.recipient, m.attempts, m.content_sealed`,
      [limit, MAIL_LEASE_MS],
    );
    return rows.map((r) => ({ id: r.id, kind: r.kind, recipient: r.recipient, attempts: r.attempts, content: JSON.parse(this.box.open(r.content_sealed)) as MailContent }));
  }

  async markSent(id: string): Promise<void> {
    await this.db.query(`UPDATE integrations.mail_queue SET status = 'sent', sent_at = now(), locked_until = NULL, last_error = NULL WHERE id = $1`, [id]);
  }

  /** Another attempt after `delayMs`, or none (`failed`: the server refused the recipient for good). */
  async markFailed(id: string, error: string, delayMs: number | null): Promise<void> {
    await this.db.query(
      `UPDATE integrations.mail_queue
          SET locked_until = NULL, last_error = $2,
              status = CASE WHEN $3::bigint IS NULL THEN 'failed' ELSE status END,
              next_attempt_at = now() + coalesce($3::bigint, 0) * interval '1 millisecond'
        WHERE id = $1`,
      [id, error.slice(0, 500), delayMs],
    );
  }

  /** Mail waiting for the SMTP server, and how long the oldest due one has waited (the /metrics gauges). */
  async backlog(): Promise<{ pending: number; oldestDueSeconds: number }> {
    const [row]: { pending: string; age: number | null }[] = await this.db.query(
      `SELECT count(*) AS pending, extract(epoch FROM now() - min(next_attempt_at) FILTER (WHERE next_attempt_at <= now()))::float8 AS age
         FROM integrations.mail_queue WHERE status = 'pending'`,
    );
    return { pending: Number(row.pending), oldestDueSeconds: Math.max(0, row.age ?? 0) };
  }

  /** Opens a sealed content (a person's export). */
  open(sealed: string): MailContent {
    return JSON.parse(this.box.open(sealed)) as MailContent;
  }
}
