import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { AuditLog } from '@widget/common';
import { RpcReply, RpcRequest, TeamRpc } from '@widget/contracts';
import { AccountsService } from '../domain/accounts.service';
import { ApiKeysService } from '../domain/api-keys.service';
import { MembersService } from '../domain/members.service';
import { NotificationsService } from '../domain/notifications.service';
import { PresenceService } from '../domain/presence.service';
import { TeamsService } from '../domain/teams.service';

type Req<K extends keyof typeof TeamRpc> = RpcRequest<(typeof TeamRpc)[K]>;
type Res<K extends keyof typeof TeamRpc> = Promise<RpcReply<(typeof TeamRpc)[K]>>;

/** Team subjects: NATS in, domain service out, nothing else. */
@Controller()
export class TeamHandler {
  constructor(
    private readonly accounts: AccountsService,
    private readonly members: MembersService,
    private readonly keys: ApiKeysService,
    private readonly teams: TeamsService,
    private readonly presence: PresenceService,
    private readonly audit: AuditLog,
    private readonly notifications: NotificationsService,
  ) {}

  @MessagePattern(TeamRpc.login.subject)
  login(@Payload() req: Req<'login'>): Res<'login'> {
    return this.accounts.login(req);
  }

  @MessagePattern(TeamRpc.acceptInvite.subject)
  acceptInvite(@Payload() req: Req<'acceptInvite'>): Res<'acceptInvite'> {
    return this.accounts.acceptInvite(req);
  }

  @MessagePattern(TeamRpc.ssoLogin.subject)
  ssoLogin(@Payload() req: Req<'ssoLogin'>): Res<'ssoLogin'> {
    return this.accounts.ssoLogin(req.email);
  }

  @MessagePattern(TeamRpc.logout.subject)
  logout(@Payload() req: Req<'logout'>): Res<'logout'> {
    return this.accounts.logout(req.token);
  }

  @MessagePattern(TeamRpc.authenticate.subject)
  authenticate(@Payload() req: Req<'authenticate'>): Res<'authenticate'> {
    return this.accounts.authenticate(req.token);
  }

  @MessagePattern(TeamRpc.me.subject)
  me(@Payload() req: Req<'me'>): Res<'me'> {
    return this.accounts.me(req.operatorId);
  }

  @MessagePattern(TeamRpc.inviteMember.subject)
  inviteMember(@Payload() req: Req<'inviteMember'>): Res<'inviteMember'> {
    return this.members.invite(req);
  }

  @MessagePattern(TeamRpc.listMembers.subject)
  async listMembers(@Payload() req: Req<'listMembers'>): Res<'listMembers'> {
    return this.presence.withPresence(req.workspaceId, await this.members.list(req.workspaceId));
  }

  @MessagePattern(TeamRpc.patchMember.subject)
  patchMember(@Payload() req: Req<'patchMember'>): Res<'patchMember'> {
    return this.members.patch(req);
  }

  @MessagePattern(TeamRpc.removeMember.subject)
  removeMember(@Payload() req: Req<'removeMember'>): Res<'removeMember'> {
    return this.members.remove(req);
  }

  @MessagePattern(TeamRpc.createApiKey.subject)
  createApiKey(@Payload() req: Req<'createApiKey'>): Res<'createApiKey'> {
    return this.keys.create(req);
  }

  @MessagePattern(TeamRpc.listApiKeys.subject)
  listApiKeys(@Payload() req: Req<'listApiKeys'>): Res<'listApiKeys'> {
    return this.keys.list(req.workspaceId);
  }

  @MessagePattern(TeamRpc.revokeApiKey.subject)
  revokeApiKey(@Payload() req: Req<'revokeApiKey'>): Res<'revokeApiKey'> {
    return this.keys.revoke(req);
  }

  @MessagePattern(TeamRpc.createTeam.subject)
  createTeam(@Payload() req: Req<'createTeam'>): Res<'createTeam'> {
    return this.teams.create(req);
  }

  @MessagePattern(TeamRpc.listTeams.subject)
  listTeams(@Payload() req: Req<'listTeams'>): Res<'listTeams'> {
    return this.teams.list(req.workspaceId);
  }

  @MessagePattern(TeamRpc.setPresence.subject)
  setPresence(@Payload() req: Req<'setPresence'>): Res<'setPresence'> {
    return this.presence.set(req.workspaceId, req.operatorId, req.status);
  }

  @MessagePattern(TeamRpc.reportPresence.subject)
  reportPresence(@Payload() req: Req<'reportPresence'>): Res<'reportPresence'> {
    return this.presence.report(req);
  }

  @MessagePattern(TeamRpc.presentMembers.subject)
  presentMembers(@Payload() req: Req<'presentMembers'>): Res<'presentMembers'> {
    return this.presence.presentMembers(req.workspaceId, req.teamId);
  }

  @MessagePattern(TeamRpc.workspacePresent.subject)
  workspacePresent(@Payload() req: Req<'workspacePresent'>): Res<'workspacePresent'> {
    return this.presence.workspacePresent(req.workspaceId);
  }

  @MessagePattern(TeamRpc.setNotifications.subject)
  setNotifications(@Payload() req: Req<'setNotifications'>): Res<'setNotifications'> {
    return this.notifications.set(req.workspaceId, req.operatorId, req.newConversationEmail);
  }

  @MessagePattern(TeamRpc.notificationRecipients.subject)
  notificationRecipients(@Payload() req: Req<'notificationRecipients'>): Res<'notificationRecipients'> {
    return this.notifications.recipients(req.workspaceId);
  }

  @MessagePattern(TeamRpc.auditLog.subject)
  auditLog(@Payload() req: Req<'auditLog'>): Res<'auditLog'> {
    return this.audit.page(req.workspaceId, req.cursor, req.limit);
  }
}
