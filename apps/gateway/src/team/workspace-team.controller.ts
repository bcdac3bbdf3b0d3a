import { Body, Param, Query } from '@nestjs/common';
import { Errors, NatsBus } from '@widget/common';
import {
  ApiKeyCreateBody,
  apiKeyCreateBody,
  ApiKeyView,
  AuditContext,
  AuditEntry,
  Caller,
  IdempotencyRequest,
  Member,
  MemberCreateBody,
  memberCreateBody,
  memberPatchBody,
  NotificationsBody,
  notificationsBody,
  NotificationSettings,
  Page,
  PageQuery,
  pageQuery,
  Presence,
  PresenceBody,
  presenceBody,
  Role,
  ROUTES,
  Team,
  TeamCreateBody,
  teamCreateBody,
  TeamRpc,
} from '@widget/contracts';
import { z } from 'zod';
import { Access, Audit, CallerRole, CurrentCaller } from '../auth/access';
import { IdParam } from '../http/id-param.pipe';
import { IdempotencyKey } from '../http/idempotency-key';
import { AdminController, Route } from '../http/route-decorators';
import { ZodPipe } from '../http/zod.pipe';
import { AuditTrail } from './audit-trail';
import { OperatorCallers } from '../auth/operator-callers';

const workspaceParam = new IdParam('workspace');
const memberParam = new IdParam('operator');
const keyParam = new IdParam('apiKey');
const whole = <T>(data: T[]): Page<T> => ({ data, nextCursor: null });

/** SPEC §14: a workspace's members, API keys, teams and audit log. */
@AdminController()
export class WorkspaceTeamController {
  constructor(
    private readonly bus: NatsBus,
    private readonly trail: AuditTrail,
    private readonly callers: OperatorCallers,
  ) {}

  @Route(ROUTES.admin.inviteMember)
  @Access.inWorkspace('admin')
  invite(
    @Param('ws', workspaceParam) workspaceId: string,
    @Body(new ZodPipe(memberCreateBody)) body: MemberCreateBody,
    @CallerRole() callerRole: Role | 'root',
    @Audit() audit: AuditContext,
    @IdempotencyKey() idempotency?: IdempotencyRequest,
  ): Promise<{ member: Member; inviteToken: string }> {
    return this.bus.send(TeamRpc.inviteMember, { workspaceId, ...body, callerRole, audit, idempotency });
  }

  @Route(ROUTES.admin.listMembers)
  @Access.inWorkspace('agent')
  async members(@Param('ws', workspaceParam) workspaceId: string): Promise<Page<Member>> {
    return whole(await this.bus.send(TeamRpc.listMembers, { workspaceId }));
  }

  @Route(ROUTES.admin.patchMember)
  @Access.inWorkspace('admin')
  async patchMember(
    @Param('ws', workspaceParam) workspaceId: string,
    @Param('id', memberParam) memberId: string,
    @Body(new ZodPipe(memberPatchBody)) body: z.infer<typeof memberPatchBody>,
    @CallerRole() callerRole: Role | 'root',
    @Audit() audit: AuditContext,
  ): Promise<Member> {
    const member = await this.bus.send(TeamRpc.patchMember, { workspaceId, memberId, role: body.role, callerRole, audit });
    // At once on this replica too: team.access.changed comes on another NATS connection and may be read after the reply.
    this.callers.forget({ operatorId: memberId });
    return member;
  }

  @Route(ROUTES.admin.removeMember)
  @Access.inWorkspace('admin')
  async removeMember(
    @Param('ws', workspaceParam) workspaceId: string,
    @Param('id', memberParam) memberId: string,
    @CallerRole() callerRole: Role | 'root',
    @Audit() audit: AuditContext,
  ): Promise<void> {
    await this.bus.send(TeamRpc.removeMember, { workspaceId, memberId, callerRole, audit });
    this.callers.forget({ operatorId: memberId });
  }

  @Route(ROUTES.admin.createApiKey)
  @Access.inWorkspace('admin')
  createKey(
    @Param('ws', workspaceParam) workspaceId: string,
    @Body(new ZodPipe(apiKeyCreateBody)) body: ApiKeyCreateBody,
    @Audit() audit: AuditContext,
    @IdempotencyKey() idempotency?: IdempotencyRequest,
  ): Promise<{ key: ApiKeyView; secret: string }> {
    return this.bus.send(TeamRpc.createApiKey, { workspaceId, ...body, audit, idempotency });
  }

  @Route(ROUTES.admin.listApiKeys)
  @Access.inWorkspace('admin')
  async keys(@Param('ws', workspaceParam) workspaceId: string): Promise<Page<ApiKeyView>> {
    return whole(await this.bus.send(TeamRpc.listApiKeys, { workspaceId }));
  }

  @Route(ROUTES.admin.revokeApiKey)
  @Access.inWorkspace('admin')
  async revokeKey(@Param('ws', workspaceParam) workspaceId: string, @Param('id', keyParam) keyId: string, @Audit() audit: AuditContext): Promise<void> {
    await this.bus.send(TeamRpc.revokeApiKey, { workspaceId, keyId, audit });
    this.callers.forget({ apiKeyId: keyId });
  }

  @Route(ROUTES.admin.createTeam)
  @Access.inWorkspace('admin')
  createTeam(
    @Param('ws', workspaceParam) workspaceId: string,
    @Body(new ZodPipe(teamCreateBody)) body: TeamCreateBody,
    @Audit() audit: AuditContext,
    @IdempotencyKey() idempotency?: IdempotencyRequest,
  ): Promise<Team> {
    return this.bus.send(TeamRpc.createTeam, { workspaceId, ...body, audit, idempotency });
  }

  @Route(ROUTES.admin.listTeams)
  @Access.inWorkspace('agent')
  async teams(@Param('ws', workspaceParam) workspaceId: string): Promise<Page<Team>> {
    return whole(await this.bus.send(TeamRpc.listTeams, { workspaceId }));
  }

  /** The caller's own presence (SPEC §14): an account sets itself online or away; keys and the root key have none. */
  @Route(ROUTES.admin.setPresence)
  @Access.inWorkspace('agent')
  setPresence(
    @Param('ws', workspaceParam) workspaceId: string,
    @Body(new ZodPipe(presenceBody)) body: PresenceBody,
    @CurrentCaller() caller?: Caller,
  ): Promise<Presence> {
    if (caller?.kind !== 'operator') throw Errors.operatorRequired();
    return this.bus.send(TeamRpc.setPresence, { workspaceId, operatorId: caller.id, status: body.status });
  }

  /** Issue 22: the caller's own email notifications (a new conversation while nobody is present); operator accounts only. */
  @Route(ROUTES.admin.setNotifications)
  @Access.inWorkspace('agent')
  setNotifications(
    @Param('ws', workspaceParam) workspaceId: string,
    @Body(new ZodPipe(notificationsBody)) body: NotificationsBody,
    @CurrentCaller() caller?: Caller,
  ): Promise<NotificationSettings> {
    if (caller?.kind !== 'operator') throw Errors.operatorRequired();
    return this.bus.send(TeamRpc.setNotifications, { workspaceId, operatorId: caller.id, newConversationEmail: body.newConversationEmail });
  }

  @Route(ROUTES.admin.getAuditLog)
  @Access.inWorkspace('admin')
  auditLog(@Param('ws', workspaceParam) workspaceId: string, @Query(new ZodPipe(pageQuery)) query: PageQuery): Promise<Page<AuditEntry>> {
    return this.trail.page(workspaceId, query);
  }
}
