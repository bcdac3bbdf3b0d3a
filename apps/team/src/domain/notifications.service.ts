import { Injectable } from '@nestjs/common';
import { Errors, UnitOfWork } from '@widget/common';
import { NotificationSettings, NotifiedMember } from '@widget/contracts';
import { MembershipRepository } from '../persistence/membership.repository';

/** Issue 22: a member's email notifications in a workspace (one so far: a new conversation while nobody is present). */
@Injectable()
export class NotificationsService {
  constructor(
    private readonly memberships: MembershipRepository,
    private readonly uow: UnitOfWork,
  ) {}

  async set(workspaceId: string, operatorId: string, newConversationEmail: boolean): Promise<NotificationSettings> {
    const stored = await this.uow.run({}, (tx) => this.memberships.setNotifyNewConversation(workspaceId, operatorId, newConversationEmail, tx));
    if (!stored) throw Errors.notFound('operator');
    return { workspaceId, newConversationEmail };
  }

  /** The active members who asked for it. */
  recipients(workspaceId: string): Promise<NotifiedMember[]> {
    return this.memberships.notifiedOfNewConversations(workspaceId);
  }
}
