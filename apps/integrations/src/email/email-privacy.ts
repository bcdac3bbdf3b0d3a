import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { PersonKeys } from '@widget/contracts';
import { DataSource, EntityManager } from 'typeorm';
import { PersonData } from '../domain/person-data';
import { MailQueueRepository } from './mail-queue.repository';

/** Rows of the person: their sessions, or their end-user rows, in the workspace. */
const OF_PERSON = `workspace_id = $1 AND (session_id = ANY($2::text[]) OR user_id = ANY($3::text[]))`;
const keys = (p: PersonKeys) => [p.workspaceId, p.sessionIds, p.userIds];

/**
 * SPEC §17: what email holds about a visitor is theirs (docs/email.md): mail
 * sent or waiting for them (and notices to members quoting them: erased, not
 * exported, since they are the members' mail), the reply and unsubscribe
 * tokens of their conversations, the bursts and unsubscriptions.
 */
@Injectable()
export class EmailPrivacy implements OnModuleInit {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly personData: PersonData,
    private readonly queue: MailQueueRepository,
  ) {}

  onModuleInit(): void {
    this.personData.register({
      table: 'mail',
      erase: (m, p) => this.erase(m, 'mail_queue', p),
      exportRows: async (p, afterId, limit) => {
        const rows: { id: string; kind: string; conversation_id: string; recipient: string; status: string; content_sealed: string; created_at: Date; sent_at: Date | null }[] =
          await this.db.query(
            `SELECT id, kind, conversation_id, recipient, status, content_sealed, created_at, sent_at FROM integrations.mail_queue
              WHERE ${OF_PERSON} AND kind IN ('unread', 'transcript') AND id > $4 ORDER BY id LIMIT $5`,
            [...keys(p), afterId ?? '', limit],
          );
        return rows.map((r) => {
          const content = this.queue.open(r.content_sealed);
          return { id: r.id, kind: r.kind, conversationId: r.conversation_id, to: r.recipient, status: r.status, subject: content.subject, text: content.text, createdAt: r.created_at, sentAt: r.sent_at };
        });
      },
    });
    this.personData.register({
      table: 'email_tokens',
      erase: (m, p) => this.erase(m, 'email_tokens', p),
      exportRows: (p, afterId, limit) =>
        this.db.query(
          `SELECT token_hash AS id, purpose, conversation_id AS "conversationId", email, created_at AS "createdAt", expires_at AS "expiresAt"
             FROM integrations.email_tokens WHERE ${OF_PERSON} AND token_hash > $4 ORDER BY token_hash LIMIT $5`,
          [...keys(p), afterId ?? '', limit],
        ),
    });
    this.personData.register({
      table: 'email_bursts',
      erase: (m, p) => this.erase(m, 'email_bursts', p),
      exportRows: (p, afterId, limit) =>
        this.db.query(
          `SELECT conversation_id AS id, due_at AS "dueAt", last_mailed_message_id AS "lastMailedMessageId"
             FROM integrations.email_bursts WHERE ${OF_PERSON} AND conversation_id > $4 ORDER BY conversation_id LIMIT $5`,
          [...keys(p), afterId ?? '', limit],
        ),
    });
    this.personData.register({
      table: 'email_unsubscribes',
      erase: (m, p) => this.erase(m, 'email_unsubscribes', p),
      exportRows: (p, afterId, limit) =>
        this.db.query(
          `SELECT conversation_id AS id, created_at AS "createdAt" FROM integrations.email_unsubscribes
            WHERE ${OF_PERSON} AND conversation_id > $4 ORDER BY conversation_id LIMIT $5`,
          [...keys(p), afterId ?? '', limit],
        ),
    });
  }

  private async erase(m: EntityManager, table: string, p: PersonKeys): Promise<number> {
    const [, count]: [unknown, number] = await m.query(`DELETE FROM integrations.${table} WHERE ${OF_PERSON}`, keys(p));
    return count;
  }
}
