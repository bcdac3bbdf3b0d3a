import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { PersonKeys } from '@widget/contracts';
import { DataSource, EntityManager } from 'typeorm';
import { PersonData, PersonDataTable } from '../domain/person-data';
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
    this.personData.register(this.keyed('email_tokens', 'token_hash', `purpose, conversation_id AS "conversationId", email, created_at AS "createdAt", expires_at AS "expiresAt"`));
    this.personData.register(this.keyed('email_bursts', 'conversation_id', `due_at AS "dueAt", last_mailed_message_id AS "lastMailedMessageId"`));
    this.personData.register(this.keyed('email_unsubscribes', 'conversation_id', `created_at AS "createdAt"`));
  }

  /** A table exported as it is (`columns`), its rows in `key` order (the export's `id`). */
  private keyed(table: string, key: string, columns: string): PersonDataTable {
    return {
      table,
      erase: (m, p) => this.erase(m, table, p),
      exportRows: (p, afterId, limit) =>
        this.db.query(`SELECT ${key} AS id, ${columns} FROM integrations.${table} WHERE ${OF_PERSON} AND ${key} > $4 ORDER BY ${key} LIMIT $5`, [
          ...keys(p),
          afterId ?? '',
          limit,
        ]),
    };
  }

  private async erase(m: EntityManager, table: string, p: PersonKeys): Promise<number> {
    const [, count]: [unknown, number] = await m.query(`DELETE FROM integrations.${table} WHERE ${OF_PERSON}`, keys(p));
    return count;
  }
}
