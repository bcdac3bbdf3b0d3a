import { Controller } from '@nestjs/common';
import { AuditLog, Handles } from '@widget/common';
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

  @Handles(ConversationRpc.adminList)
  list(req: Req<'adminList'>): Res<'adminList'> {
    return this.operator.list(req.workspaceId, req.status, req.filter ?? { view: 'all' }, req.cursor, req.limit);
  }

  @Handles(ConversationRpc.adminCounts)
  counts(req: Req<'adminCounts'>): Res<'adminCounts'> {
    return this.operator.counts(req.workspaceId, req.status, req.assigneeId);
  }

  @Handles(ConversationRpc.adminGet)
  get(req: Req<'adminGet'>): Res<'adminGet'> {
    return this.operator.get(req.conversationId);
  }

  @Handles(ConversationRpc.adminListMessages)
  listMessages(req: Req<'adminListMessages'>): Res<'adminListMessages'> {
    return this.operator.listMessages(req.conversationId, { cursor: req.cursor, after: req.after, limit: req.limit });
  }

  @Handles(ConversationRpc.adminPostMessage)
  postMessage(req: Req<'adminPostMessage'>): Res<'adminPostMessage'> {
    return this.operator.postMessage(req.conversationId, req.text, req.author, req.type, req.idempotency, req.attachmentIds, req.clientMessageId ?? null);
  }

  @Handles(ConversationRpc.adminPatch)
  patch(req: Req<'adminPatch'>): Res<'adminPatch'> {
    return this.operator.patch(req.conversationId, { status: req.status, assignee: req.assignee }, req.audit);
  }

  @Handles(ConversationRpc.adminTyping)
  typing(req: Req<'adminTyping'>): Res<'adminTyping'> {
    return this.operator.typing(req.conversationId, req.typing, req.author, req.workspaceId);
  }

  @Handles(ConversationRpc.adminReplay)
  replay(req: Req<'adminReplay'>): Res<'adminReplay'> {
    return this.operator.replay(req.workspaceId, req.afterMessageId, req.limit);
  }

  @Handles(ConversationRpc.auditLog)
  auditLog(req: Req<'auditLog'>): Res<'auditLog'> {
    return this.audit.page(req.workspaceId, req.cursor, req.limit);
  }
}
