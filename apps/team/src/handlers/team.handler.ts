import { Controller } from '@nestjs/common';
import { AuditLog, Handles } from '@widget/common';
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

  @Handles(TeamRpc.login)
  login(req: Req<'login'>): Res<'login'> {
    return this.accounts.login(req);
  }

  @Handles(TeamRpc.acceptInvite)
  acceptInvite(req: Req<'acceptInvite'>): Res<'acceptInvite'> {
    return this.accounts.acceptInvite(req);
  }

  @Handles(TeamRpc.ssoLogin)
  ssoLogin(req: Req<'ssoLogin'>): Res<'ssoLogin'> {
    return this.accounts.ssoLogin(req.email);
  }

  @Handles(TeamRpc.logout)
  logout(req: Req<'logout'>): Res<'logout'> {
    return this.accounts.logout(req.token);
  }

  @Handles(TeamRpc.authenticate)
  authenticate(req: Req<'authenticate'>): Res<'authenticate'> {
    return this.accounts.authenticate(req.token);
  }

  @Handles(TeamRpc.me)
  me(req: Req<'me'>): Res<'me'> {
    return this.accounts.me(req.operatorId);
  }

  @Handles(TeamRpc.inviteMember)
  inviteMember(req: Req<'inviteMember'>): Res<'inviteMember'> {
    return this.members.invite(req);
  }

  @Handles(TeamRpc.listMembers)
  async listMembers(req: Req<'listMembers'>): Res<'listMembers'> {
    return this.presence.withPresence(req.workspaceId, await this.members.list(req.workspaceId));
  }

  @Handles(TeamRpc.patchMember)
  patchMember(req: Req<'patchMember'>): Res<'patchMember'> {
    return this.members.patch(req);
  }

  @Handles(TeamRpc.removeMember)
  removeMember(req: Req<'removeMember'>): Res<'removeMember'> {
    return this.members.remove(req);
  }

  @Handles(TeamRpc.createApiKey)
  createApiKey(req: Req<'createApiKey'>): Res<'createApiKey'> {
    return this.keys.create(req);
  }

  @Handles(TeamRpc.listApiKeys)
  listApiKeys(req: Req<'listApiKeys'>): Res<'listApiKeys'> {
    return this.keys.list(req.workspaceId);
  }

  @Handles(TeamRpc.revokeApiKey)
  revokeApiKey(req: Req<'revokeApiKey'>): Res<'revokeApiKey'> {
    return this.keys.revoke(req);
  }

  @Handles(TeamRpc.createTeam)
  createTeam(req: Req<'createTeam'>): Res<'createTeam'> {
    return this.teams.create(req);
  }

  @Handles(TeamRpc.listTeams)
  listTeams(req: Req<'listTeams'>): Res<'listTeams'> {
    return this.teams.list(req.workspaceId);
  }

  @Handles(TeamRpc.setPresence)
  setPresence(req: Req<'setPresence'>): Res<'setPresence'> {
    return this.presence.set(req.workspaceId, req.operatorId, req.status);
  }

  @Handles(TeamRpc.reportPresence)
  reportPresence(req: Req<'reportPresence'>): Res<'reportPresence'> {
    return this.presence.report(req);
  }

  @Handles(TeamRpc.presentMembers)
  presentMembers(req: Req<'presentMembers'>): Res<'presentMembers'> {
    return this.presence.presentMembers(req.workspaceId, req.teamId);
  }

  @Handles(TeamRpc.workspacePresent)
  workspacePresent(req: Req<'workspacePresent'>): Res<'workspacePresent'> {
    return this.presence.workspacePresent(req.workspaceId);
  }

  @Handles(TeamRpc.setNotifications)
  setNotifications(req: Req<'setNotifications'>): Res<'setNotifications'> {
    return this.notifications.set(req.workspaceId, req.operatorId, req.newConversationEmail);
  }

  @Handles(TeamRpc.notificationRecipients)
  notificationRecipients(req: Req<'notificationRecipients'>): Res<'notificationRecipients'> {
    return this.notifications.recipients(req.workspaceId);
  }

  @Handles(TeamRpc.auditLog)
  auditLog(req: Req<'auditLog'>): Res<'auditLog'> {
    return this.audit.page(req.workspaceId, req.cursor, req.limit);
  }
}
