import { Controller } from '@nestjs/common';
import { AuditLog, Handles } from '@widget/common';
import { RpcReply, RpcRequest, SessionRpc } from '@widget/contracts';
import { SessionsService } from '../domain/sessions.service';
import { WidgetsService } from '../domain/widgets.service';

type Req<K extends keyof typeof SessionRpc> = RpcRequest<(typeof SessionRpc)[K]>;
type Res<K extends keyof typeof SessionRpc> = Promise<RpcReply<(typeof SessionRpc)[K]>>;

/** Operator subjects for workspaces, widgets and the visitors behind conversations. */
@Controller()
export class AdminHandler {
  constructor(
    private readonly widgets: WidgetsService,
    private readonly sessions: SessionsService,
    private readonly audit: AuditLog,
  ) {}

  @Handles(SessionRpc.createWorkspace)
  createWorkspace(req: Req<'createWorkspace'>): Res<'createWorkspace'> {
    return this.widgets.createWorkspace(req.name, req.audit, req.idempotency);
  }

  @Handles(SessionRpc.getWorkspace)
  getWorkspace(req: Req<'getWorkspace'>): Res<'getWorkspace'> {
    return this.widgets.getWorkspace(req.workspaceId);
  }

  @Handles(SessionRpc.createWidget)
  async createWidget(req: Req<'createWidget'>): Res<'createWidget'> {
    // The Idempotency-Key is claimed in the create's unit of work; its stored reply keeps the secret sealed.
    return this.widgets.createWidget(req.workspaceId, req.config, req.audit, req.idempotency);
  }

  @Handles(SessionRpc.getWidget)
  getWidget(req: Req<'getWidget'>): Res<'getWidget'> {
    return this.widgets.get(req.widgetId);
  }

  @Handles(SessionRpc.listWidgets)
  listWidgets(req: Req<'listWidgets'>): Res<'listWidgets'> {
    return this.widgets.list(req.workspaceId);
  }

  @Handles(SessionRpc.patchWidget)
  patchWidget(req: Req<'patchWidget'>): Res<'patchWidget'> {
    return this.widgets.patch(req.widgetId, req.patch, req.audit);
  }

  @Handles(SessionRpc.rotateSecret)
  rotateSecret(req: Req<'rotateSecret'>): Res<'rotateSecret'> {
    return this.widgets.rotateSecret(req.widgetId, req.audit);
  }

  @Handles(SessionRpc.auditLog)
  auditLog(req: Req<'auditLog'>): Res<'auditLog'> {
    return this.audit.page(req.workspaceId, req.cursor, req.limit);
  }

  @Handles(SessionRpc.adminVisitor)
  visitor(req: Req<'adminVisitor'>): Res<'adminVisitor'> {
    return this.sessions.visitor(req.workspaceId, req.sessionId, req.userId);
  }
}
