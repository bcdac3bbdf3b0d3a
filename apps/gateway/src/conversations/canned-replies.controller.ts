import { Body, Param, Query } from '@nestjs/common';
import { NatsBus } from '@widget/common';
import {
  AuditContext,
  CannedRepliesQuery,
  cannedRepliesQuery,
  CannedReply,
  CannedReplyBody,
  cannedReplyBody,
  CannedReplyPatchBody,
  cannedReplyPatchBody,
  CannedReplyRpc,
  IdempotencyRequest,
  Page,
  ROUTES,
} from '@widget/contracts';
import { Access, Audit } from '../auth/access';
import { IdParam } from '../http/id-param.pipe';
import { IdempotencyKey } from '../http/idempotency-key';
import { AdminController, Route } from '../http/route-decorators';
import { ZodPipe } from '../http/zod.pipe';

const workspaceParam = new IdParam('workspace');
const replyParam = new IdParam('cannedReply');

/** Issue 21: a workspace's canned replies; agents read them (the inbox's `/`), owners and admins manage them. */
@AdminController()
export class CannedRepliesController {
  constructor(private readonly bus: NatsBus) {}

  @Route(ROUTES.admin.listCannedReplies)
  @Access.inWorkspace('agent')
  list(@Param('ws', workspaceParam) workspaceId: string, @Query(new ZodPipe(cannedRepliesQuery)) query: CannedRepliesQuery): Promise<Page<CannedReply>> {
    return this.bus.send(CannedReplyRpc.list, { workspaceId, ...query });
  }

  @Route(ROUTES.admin.createCannedReply)
  @Access.inWorkspace('admin')
  create(
    @Param('ws', workspaceParam) workspaceId: string,
    @Body(new ZodPipe(cannedReplyBody)) body: CannedReplyBody,
    @Audit() audit: AuditContext,
    @IdempotencyKey() idempotency?: IdempotencyRequest,
  ): Promise<CannedReply> {
    return this.bus.send(CannedReplyRpc.create, { workspaceId, ...body, audit, idempotency });
  }

  @Route(ROUTES.admin.patchCannedReply)
  @Access.inWorkspace('admin')
  patch(
    @Param('ws', workspaceParam) workspaceId: string,
    @Param('id', replyParam) cannedReplyId: string,
    @Body(new ZodPipe(cannedReplyPatchBody)) body: CannedReplyPatchBody,
    @Audit() audit: AuditContext,
  ): Promise<CannedReply> {
    return this.bus.send(CannedReplyRpc.update, { workspaceId, cannedReplyId, ...body, audit });
  }

  @Route(ROUTES.admin.deleteCannedReply)
  @Access.inWorkspace('admin')
  async remove(@Param('ws', workspaceParam) workspaceId: string, @Param('id', replyParam) cannedReplyId: string, @Audit() audit: AuditContext): Promise<void> {
    await this.bus.send(CannedReplyRpc.remove, { workspaceId, cannedReplyId, audit });
  }
}
