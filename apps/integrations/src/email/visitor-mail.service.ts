import { Injectable } from '@nestjs/common';
import { InjectConfig, NatsBus, Queryable, UnitOfWork } from '@widget/common';
import { ConversationOwner, Message, SessionRpc } from '@widget/contracts';
import type { IntegrationsConfig } from '../config';
import { EmailRepository, VisitorKeys } from './email.repository';
import { MailKind, MailQueueRepository } from './mail-queue.repository';
import { hashEmailToken, newEmailToken, replyAddress } from './reply-address';
import { MailLine, RenderedMail } from './templates';

const DATE = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });

/** A thread as the visitor reads it: their own words as "You", agents and bots by name; system lines and notes left out. */
export function visitorLines(messages: Message[]): MailLine[] {
  return messages
    .filter((m) => m.author.type === 'user' || m.author.type === 'agent' || m.author.type === 'bot')
    .map((m) => ({
      author: m.author.type === 'user' ? 'You' : (m.author.name ?? (m.author.type === 'bot' ? 'Assistant' : 'Support')),
      text: m.text || (m.attachments.length > 0 ? `(${m.attachments.map((a) => a.name).join(', ')})` : ''),
      at: `${DATE.format(new Date(m.createdAt))} UTC`,
    }));
}

export interface VisitorMail {
  kind: Extract<MailKind, 'unread' | 'transcript'>;
  conversationId: string;
  owner: ConversationOwner;
  dedupeKey: string;
  /** Automatic mail (unread replies, transcript on resolve) stops once the visitor unsubscribed; a transcript they ask for does not. */
  automatic: boolean;
  render: (ctx: { workspaceName: string; canReply: boolean; unsubscribeUrl: string }) => RenderedMail;
}

export type QueueOutcome = 'queued' | 'no_email' | 'unsubscribed' | 'duplicate';

/** What the other services say a visitor mail goes to: their email and the workspace's name. */
interface Recipient {
  email: string;
  workspaceName: string;
}

/**
 * Mail to a conversation's visitor, at the email their session or user holds
 * (the SDK's update() or identify, or the widget's offline prompt): a fresh
 * reply token (Reply-To) and unsubscribe token with every mail, only their
 * hashes stored.
 */
@Injectable()
export class VisitorMailService {
  constructor(
    private readonly bus: NatsBus,
    private readonly repo: EmailRepository,
    private readonly queue: MailQueueRepository,
    private readonly uow: UnitOfWork,
    @InjectConfig() private readonly config: IntegrationsConfig,
  ) {}

  /** The visitor's known email, or null. */
  async visitorEmail(owner: ConversationOwner): Promise<string | null> {
    const visitor = await this.bus.send(SessionRpc.adminVisitor, { workspaceId: owner.workspaceId, sessionId: owner.sessionId, userId: owner.userId });
    return visitor.user?.email ?? visitor.profile?.email ?? null;
  }

  /**
   * In a transaction the caller holds (the domain-event consumer's, an unread burst's claim): the checks, then the
   * session service is asked, then the mail is written.
   */
  async queueMail(m: Queryable, mail: VisitorMail): Promise<QueueOutcome> {
    const skipped = await this.skipped(m, mail);
    if (skipped) return skipped;
    const recipient = await this.recipient(mail.owner);
    if (!recipient) return 'no_email';
    return this.write(m, mail, recipient);
  }

  /** From a request (no transaction held): the session service is asked first, then one unit of work checks and writes. */
  async queueMailNow(mail: VisitorMail): Promise<QueueOutcome> {
    const recipient = await this.recipient(mail.owner);
    if (!recipient) return 'no_email';
    return this.uow.run({}, async (tx) => (await this.skipped(tx, mail)) ?? this.write(tx, mail, recipient, tx.newId('mail')));
  }

  private async skipped(m: Queryable, mail: VisitorMail): Promise<QueueOutcome | null> {
    if (await this.repo.isQueued(m, mail.dedupeKey)) return 'duplicate';
    if (mail.automatic && (await this.repo.isUnsubscribed(m, mail.conversationId))) return 'unsubscribed';
    return null;
  }

  private async recipient(owner: ConversationOwner): Promise<Recipient | null> {
    const email = await this.visitorEmail(owner);
    if (!email) return null;
    const workspace = await this.bus.send(SessionRpc.getWorkspace, { workspaceId: owner.workspaceId });
    return { email, workspaceName: workspace.name };
  }

  private async write(m: Queryable, mail: VisitorMail, { email, workspaceName }: Recipient, id?: string): Promise<QueueOutcome> {
    const keys: VisitorKeys = { conversationId: mail.conversationId, workspaceId: mail.owner.workspaceId, sessionId: mail.owner.sessionId, userId: mail.owner.userId };

    const unsubscribe = newEmailToken();
    await this.repo.saveToken(m, hashEmailToken(unsubscribe), 'unsubscribe', keys, email);
    const unsubscribeUrl = `${this.config.EMAIL_LINK_ORIGIN}/widget/v1/email/unsubscribe?token=${unsubscribe}`;
    let replyTo: string | undefined;
    if (this.config.EMAIL_INBOUND_DOMAIN) {
      const reply = newEmailToken();
      await this.repo.saveToken(m, hashEmailToken(reply), 'reply', keys, email);
      replyTo = replyAddress(reply, this.config.EMAIL_INBOUND_DOMAIN);
    }
    const rendered = mail.render({ workspaceName, canReply: replyTo !== undefined, unsubscribeUrl });
    await this.queue.enqueue(
      m,
      {
        kind: mail.kind,
        workspaceId: keys.workspaceId,
        conversationId: keys.conversationId,
        sessionId: keys.sessionId,
        userId: keys.userId,
        recipient: email,
        dedupeKey: mail.dedupeKey,
        content: { ...rendered, replyTo, headers: { 'List-Unsubscribe': `<${unsubscribeUrl}>`, 'Auto-Submitted': 'auto-generated' } },
      },
      id,
    );
    return 'queued';
  }
}
