import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { AuditLog } from '@widget/common';
import { ConversationRpc, RpcReply, RpcRequest } from '@widget/contracts';
import { OperatorService } from '../domain/operator.service';

type Req<K extends keyof typeof ConversationRpc> = RpcRequest<(typeof ConversationRpc)[K]>;
type Res<K extends keyof typeof ConversationRpc> = Promise<RpcReply<(typeof ConversationRpc)[K]>>;

/** Operator subjects, reached only through the gateway's /admin/v1 routes. */
@Controller()
export class AdminHandler {
  constructor(
    private readonly operator: OperatorService,
    private readonly audit: AuditLog,
  ) {}

  @MessagePattern(ConversationRpc.adminList.subject)
  list(@Payload() req: Req<'adminList'>): Res<'adminList'> {
    return this.operator.list(req.workspaceId, req.status, req.filter ?? { view: 'all' }, req.cursor, req.limit);
  }

  @MessagePattern(ConversationRpc.adminCounts.subject)
  counts(@Payload() req: Req<'adminCounts'>): Res<'adminCounts'> {
    return this.operator.counts(req.workspaceId, req.status, req.assigneeId);
  }

  @MessagePattern(ConversationRpc.adminGet.subject)
  get(@Payload() req: Req<'adminGet'>): Res<'adminGet'> {
    return this.operator.get(req.conversationId);
  }

  @MessagePattern(ConversationRpc.adminListMessages.subject)
  listMessages(@Payload() req: Req<'adminListMessages'>): Res<'adminListMessages'> {
    return this.operator.listMessages(req.conversationId, { cursor: req.cursor, after: req.after, limit: req.limit });
  }

  @MessagePattern(ConversationRpc.adminPostMessage.subject)
  postMessage(@Payload() req: Req<'adminPostMessage'>): Res<'adminPostMessage'> {
    return this.operator.postMessage(req.conversationId, req.text, req.author, req.type, req.idempotency, req.attachmentIds, req.clientMessageId ?? null);
  }

  @MessagePattern(ConversationRpc.adminPatch.subject)
  patch(@Payload() req: Req<'adminPatch'>): Res<'adminPatch'> {
    return this.operator.patch(req.conversationId, { status: req.status, assignee: req.assignee }, req.audit);
  }

  @MessagePattern(ConversationRpc.adminTyping.subject)
  typing(@Payload() req: Req<'adminTyping'>): Res<'adminTyping'> {
    return this.operator.typing(req.conversationId, req.typing, req.author, req.workspaceId);
  }

  @MessagePattern(ConversationRpc.adminReplay.subject)
  replay(@Payload() req: Req<'adminReplay'>): Res<'adminReplay'> {
    return this.operator.replay(req.workspaceId, req.afterMessageId, req.limit);
  }

  @MessagePattern(ConversationRpc.auditLog.subject)
  auditLog(@Payload() req: Req<'auditLog'>): Res<'auditLog'> {
    return this.audit.page(req.workspaceId, req.cursor, req.limit);
  }
}
