import { Injectable } from '@nestjs/common';
import { InjectConfig, NatsBus, UnitOfWork } from '@widget/common';
import { ConversationEvents, EventPayload, InvitationMailRequest, SessionRpc, TeamRpc } from '@widget/contracts';
import type { IntegrationsConfig } from '../config';
import { DomainEventContext, OnDomainEvent } from '../consumer/on-domain-event';
import { PersonData } from '../domain/person-data';
import { MailQueueRepository } from './mail-queue.repository';
import { MailSender } from './mail-sender';
import { hashEmailToken } from './reply-address';
import { invitationMail, newConversationMail } from './templates';

/** Mail to members (SPEC §15): their invitation, and a new conversation while nobody is present to those who asked. */
@Injectable()
export class MemberMailService {
  constructor(
    private readonly bus: NatsBus,
    private readonly queue: MailQueueRepository,
    private readonly sender: MailSender,
    private readonly personData: PersonData,
    private readonly uow: UnitOfWork,
    @InjectConfig() private readonly config: IntegrationsConfig,
  ) {}

  /**
   * The link carries the token in its fragment (`/inbox/#invite=…`): browsers never send a fragment, so no
   * server or proxy log sees it. The mail is sealed at rest like all queued mail; one per token.
   */
  async invitation(req: InvitationMailRequest): Promise<{ queued: boolean }> {
    if (!this.sender.enabled) return { queued: false };
    const workspace = await this.bus.send(SessionRpc.getWorkspace, { workspaceId: req.workspaceId });
    const acceptUrl = `${this.config.EMAIL_LINK_ORIGIN}/inbox/#invite=${encodeURIComponent(req.inviteToken)}`;
    const content = { ...invitationMail({ workspaceName: workspace.name, role: req.role, acceptUrl, expiresAt: req.expiresAt }), headers: { 'Auto-Submitted': 'auto-generated' } };
    // The workspace was asked above, outside the unit of work.
    const queued = await this.uow.run({}, (tx) =>
      this.queue.enqueue(tx, {
        kind: 'invitation',
        workspaceId: req.workspaceId,
        conversationId: null,
        sessionId: null,
        userId: null,
        recipient: req.email,
        dedupeKey: `invitation:${hashEmailToken(req.inviteToken)}`,
        content,
      }, tx.newId('mail')),
    );
    return { queued };
  }

  @OnDomainEvent(ConversationEvents.conversationCreated, { wants: (self: MemberMailService) => self.sender.enabled })
  async onCreated(event: EventPayload<typeof ConversationEvents.conversationCreated>, ctx: DomainEventContext): Promise<void> {
    if (!this.sender.enabled) return;
    const { conversation } = event.payload;
    const workspaceId = event.audience.workspaceId;
    if (await this.personData.erased(ctx.manager, [event.audience.sessionId, event.audience.userId])) return;
    const { present } = await this.bus.send(TeamRpc.workspacePresent, { workspaceId });
    if (present) return;
    const members = await this.bus.send(TeamRpc.notificationRecipients, { workspaceId });
    if (members.length === 0) return;
    const workspace = await this.bus.send(SessionRpc.getWorkspace, { workspaceId });
    const rendered = newConversationMail({
      workspaceName: workspace.name,
      subject: conversation.subject,
      firstMessage: conversation.lastMessage?.text ?? null,
      openUrl: `${this.config.EMAIL_LINK_ORIGIN}/inbox/`,
    });
    for (const member of members) {
      await this.queue.enqueue(ctx.manager, {
        kind: 'new_conversation',
        workspaceId,
        conversationId: conversation.id,
        // About the visitor (their first words): erased with them, never in their export (it is a member's mail).
        sessionId: event.audience.sessionId,
        userId: event.audience.userId,
        recipient: member.email,
        dedupeKey: `new-conversation:${conversation.id}:${member.id}`,
        content: { ...rendered, headers: { 'Auto-Submitted': 'auto-generated' } },
      });
    }
  }
}
