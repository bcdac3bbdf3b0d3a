import { Injectable } from '@nestjs/common';
import { AppError, InjectConfig, InjectLogger, NatsBus } from '@widget/common';
import type { Logger } from 'pino';
import { ConversationEvents, ConversationRpc, EventPayload, Message } from '@widget/contracts';
import type { EntityManager } from 'typeorm';
import type { IntegrationsConfig } from '../config';
import { DomainEventContext, OnDomainEvent } from '../consumer/on-domain-event';
import { PersonData } from '../domain/person-data';
import { Burst, EmailRepository } from './email.repository';
import { MailSender } from './mail-sender';
import { unreadRepliesMail } from './templates';
import { visitorLines, VisitorMailService } from './visitor-mail.service';

/** The newest messages read back to find the unread ones (a burst longer than this mails its newest). */
const THREAD_TAIL = 50;
/** A burst whose look-up failed (a service away) is looked at again this much later. */
const RETRY_MS = 30_000;

/**
 * SPEC §15: an agent message the visitor has not read EMAIL_UNREAD_DELAY after
 * it was sent is mailed, with the other unread agent messages of the burst.
 * The first agent message of a burst sets the time; when it comes, the
 * conversation service's read state decides (the conversation's `unreadCount`:
 * agent and bot messages after the visitor's read position), so a reply read
 * on the site in the meantime is never mailed. The next agent message after a
 * mail opens the next burst.
 */
@Injectable()
export class UnreadRepliesService {
  private readonly logger: Logger;

  constructor(
    private readonly bus: NatsBus,
    private readonly repo: EmailRepository,
    private readonly visitorMail: VisitorMailService,
    private readonly sender: MailSender,
    private readonly personData: PersonData,
    @InjectConfig() private readonly config: IntegrationsConfig,
    @InjectLogger() logger: Logger,
  ) {
    this.logger = logger.child({ component: 'UnreadReplies' });
  }

  // Only an agent's reply can start a burst: the visitor's own messages (most of them) cost no transaction.
  @OnDomainEvent(ConversationEvents.messageCreated, { wants: (self: UnreadRepliesService, e) => self.sender.enabled && e.payload.message.author.type === 'agent' })
  async onMessage(event: EventPayload<typeof ConversationEvents.messageCreated>, ctx: DomainEventContext): Promise<void> {
    const { message, conversation } = event.payload;
    if (!this.sender.enabled || message.author.type !== 'agent') return;
    // An event still in the stream when its visitor was erased writes nothing of theirs again.
    if (await this.personData.erased(ctx.manager, [event.audience.sessionId, event.audience.userId])) return;
    await this.repo.openBurst(ctx.manager, {
      conversationId: conversation.id,
      workspaceId: event.audience.workspaceId,
      sessionId: event.audience.sessionId,
      userId: event.audience.userId,
      dueAt: new Date(Date.parse(message.createdAt) + this.config.EMAIL_UNREAD_DELAY),
    });
  }

  /** Works off every due burst, one transaction each (another replica takes others); returns how many. */
  async processDue(): Promise<number> {
    let done = 0;
    for (;;) {
      const handled = await this.repo.transaction(async (m) => {
        const burst = await this.repo.claimDueBurst(m);
        if (!burst) return false;
        try {
          await this.process(m, burst);
        } catch (err) {
          this.logger.warn(`burst of ${burst.conversationId} postponed: ${(err as Error).message}`);
          await this.repo.postponeBurst(m, burst.conversationId, RETRY_MS);
        }
        return true;
      });
      if (!handled) return done;
      done++;
    }
  }

  private async process(m: EntityManager, burst: Burst): Promise<void> {
    let found;
    try {
      found = await this.bus.send(ConversationRpc.adminGet, { conversationId: burst.conversationId });
    } catch (err) {
      // Erased or deleted by retention meanwhile: nothing left to tell anyone.
      if (err instanceof AppError && err.status === 404) return this.repo.dropBurst(m, burst.conversationId);
      throw err;
    }
    const { conversation, owner } = found;
    const unread = await this.unreadAgentMessages(burst, conversation.unreadCount);
    if (unread.length === 0) return this.repo.closeBurst(m, burst.conversationId, null);
    const newest = unread[unread.length - 1];
    await this.visitorMail.queueMail(m, {
      kind: 'unread',
      conversationId: conversation.id,
      owner,
      dedupeKey: `unread:${conversation.id}:${newest.id}`,
      automatic: true,
      render: (ctx) => unreadRepliesMail({ ...ctx, lines: visitorLines(unread) }),
    });
    await this.repo.closeBurst(m, burst.conversationId, newest.id);
  }

  /** The agent messages after the visitor's read position that no mail carried yet, oldest first. */
  private async unreadAgentMessages(burst: Burst, unreadCount: number): Promise<Message[]> {
    if (unreadCount === 0) return [];
    const tail = await this.bus.send(ConversationRpc.adminListMessages, { conversationId: burst.conversationId, limit: THREAD_TAIL });
    // Newest first: the last `unreadCount` agent and bot messages are the unread ones.
    const unread = tail.data.filter((msg) => msg.author.type === 'agent' || msg.author.type === 'bot').slice(0, unreadCount);
    return unread
      .filter((msg) => msg.author.type === 'agent' && (burst.lastMailedMessageId === null || msg.id > burst.lastMailedMessageId))
      .reverse();
  }
}
