import { Injectable } from '@nestjs/common';
import { AppError, NatsBus } from '@widget/common';
import { ConversationEvents, ConversationOwner, ConversationRpc, EventPayload, Message, SessionContext, SessionRpc, TranscriptReply } from '@widget/contracts';
import type { EntityManager } from 'typeorm';
import { DomainEventContext, OnDomainEvent } from '../consumer/on-domain-event';
import { PersonData } from '../domain/person-data';
import { MailSender } from './mail-sender';
import { newEmailToken } from './reply-address';
import { transcriptMail } from './templates';
import { VisitorMail, visitorLines, VisitorMailService } from './visitor-mail.service';

/** A transcript carries at most this many messages (the newest). */
const TRANSCRIPT_MAX = 500;
const PAGE = 100;

const emailUnknown = () =>
  new AppError('validation_error', 'No email is known for this visitor: set one with PATCH /sessions/current first.', {
    reason: 'email_unknown',
    details: [{ field: 'email', reason: 'no email is known for this visitor' }],
  });

/** SPEC §15: the conversation by email, when the visitor asks (POST …/transcript) and, per the widget's `email.transcriptOnResolve`, on resolve. */
@Injectable()
export class TranscriptsService {
  constructor(
    private readonly bus: NatsBus,
    private readonly visitorMail: VisitorMailService,
    private readonly sender: MailSender,
    private readonly personData: PersonData,
  ) {}

  async request(session: SessionContext, conversationId: string): Promise<TranscriptReply> {
    // The session's own conversation, or conversation_not_found.
    await this.bus.send(ConversationRpc.get, { session, conversationId });
    if (!this.sender.enabled) return { status: 'queued' };
    const { owner } = await this.bus.send(ConversationRpc.adminGet, { conversationId });
    if (!(await this.visitorMail.visitorEmail(owner))) throw emailUnknown();
    // Each request is its own mail (the gateway limits how many a session asks for). The thread and the visitor's
    // email are asked first; only then one unit of work writes the mail (no transaction held across a request).
    const messages = await this.thread(conversationId);
    await this.visitorMail.queueMailNow(this.transcript(conversationId, owner, `transcript:${conversationId}:${newEmailToken()}`, false, messages));
    return { status: 'queued' };
  }

  @OnDomainEvent(ConversationEvents.conversationUpdated, { wants: (self: TranscriptsService, e) => self.sender.enabled && e.payload.conversation.status === 'resolved' })
  async onUpdated(event: EventPayload<typeof ConversationEvents.conversationUpdated>, ctx: DomainEventContext): Promise<void> {
    const { conversation } = event.payload;
    if (!this.sender.enabled || conversation.status !== 'resolved') return;
    if (await this.personData.erased(ctx.manager, [event.audience.sessionId, event.audience.userId])) return;
    const { owner } = await this.bus.send(ConversationRpc.adminGet, { conversationId: conversation.id });
    const widget = await this.bus.send(SessionRpc.getWidget, { widgetId: owner.widgetId });
    if (!widget.email?.transcriptOnResolve) return;
    // Once per resolved state: a later update while resolved (an assignment) sends nothing more; a reopened, answered and resolved again conversation does.
    await this.queue(ctx.manager, conversation.id, owner, `resolved:${conversation.id}:${conversation.lastMessage?.id ?? 'empty'}`, true);
  }

  /** In the consumer's transaction (a transcript on resolve). */
  private async queue(m: EntityManager, conversationId: string, owner: ConversationOwner, dedupeKey: string, automatic: boolean): Promise<void> {
    const messages = await this.thread(conversationId);
    await this.visitorMail.queueMail(m, this.transcript(conversationId, owner, dedupeKey, automatic, messages));
  }

  private transcript(conversationId: string, owner: ConversationOwner, dedupeKey: string, automatic: boolean, messages: Message[]): VisitorMail {
    return { kind: 'transcript', conversationId, owner, dedupeKey, automatic, render: (ctx) => transcriptMail({ ...ctx, lines: visitorLines(messages) }) };
  }

  /** The thread, oldest first (its newest TRANSCRIPT_MAX messages). */
  private async thread(conversationId: string): Promise<Message[]> {
    const newestFirst: Message[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.bus.send(ConversationRpc.adminListMessages, { conversationId, limit: PAGE, cursor });
      newestFirst.push(...page.data);
      cursor = page.nextCursor ?? undefined;
    } while (cursor && newestFirst.length < TRANSCRIPT_MAX);
    return newestFirst.slice(0, TRANSCRIPT_MAX).reverse();
  }
}
