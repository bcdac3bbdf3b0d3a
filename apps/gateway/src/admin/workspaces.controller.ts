import { Body, Param, Req } from '@nestjs/common';
import { credentialRef, hashToken, NatsBus } from '@widget/common';
import {
  AuditContext,
  Caller,
  IdempotencyRequest,
  OperatorPrincipal,
  Retention,
  ROUTES,
  SessionRpc,
  Widget,
  WidgetCreateBody,
  widgetCreateSchema,
  workspaceBody,
  Workspace,
  WorkspacePatchBody,
  workspacePatchBody,
} from '@widget/contracts';
import { z } from 'zod';
import { ZodPipe } from '../http/zod.pipe';
import { IdParam } from '../http/id-param.pipe';
import { IdempotencyKey } from '../http/idempotency-key';
import { AdminController, Route } from '../http/route-decorators';
import { Access, AdminRequest, Audit, CurrentCaller } from '../auth/access';

@AdminController()
export class WorkspacesController {
  constructor(private readonly bus: NatsBus) {}

  @Route(ROUTES.admin.createWorkspace)
  @Access.root()
  create(
    @Body(new ZodPipe(workspaceBody)) body: z.infer<typeof workspaceBody>,
    @Audit() audit: AuditContext,
    @IdempotencyKey() idempotency?: IdempotencyRequest,
  ): Promise<Workspace> {
    return this.bus.send(SessionRpc.createWorkspace, { ...body, audit, idempotency });
  }

  /** The workspace's name and retention settings (SPEC §17). */
  @Route(ROUTES.admin.patchWorkspace)
  @Access.inWorkspace('admin')
  patch(
    @Param('ws', new IdParam('workspace')) workspaceId: string,
    @Body(new ZodPipe(workspacePatchBody)) body: WorkspacePatchBody,
    @Audit() audit: AuditContext,
  ): Promise<Workspace & { retention: Retention }> {
    return this.bus.send(SessionRpc.patchWorkspace, { workspaceId, ...body, audit });
  }

  @Route(ROUTES.admin.createWidget)
  @Access.inWorkspace('admin')
  createWidget(
    @Param('ws', new IdParam('workspace')) workspaceId: string,
    @Body(new ZodPipe(widgetCreateSchema)) config: WidgetCreateBody,
    @Audit() audit: AuditContext,
    @IdempotencyKey() idempotency?: IdempotencyRequest,
  ): Promise<{ widget: Widget; secret: string }> {
    return this.bus.send(SessionRpc.createWidget, { workspaceId, config, audit, idempotency });
  }

  /** The operator realtime feed (SPEC §10): a short-lived token for one workspace's socket. */
  @Route(ROUTES.admin.createOperatorRealtimeToken)
  @Access.inWorkspace('agent')
  realtimeToken(
    @Param('ws', new IdParam('workspace')) workspaceId: string,
    @CurrentCaller() caller: Caller,
    @Req() request: AdminRequest,
  ): Promise<{ token: string; expiresAt: string }> {
    const principal: OperatorPrincipal =
      caller.kind === 'root'
        ? { kind: caller.kind, id: null, name: null }
        : caller.kind === 'operator'
          ? { kind: caller.kind, id: caller.id, name: caller.name, credential: credentialRef(hashToken(request.bearerToken!)) }
          : { kind: caller.kind, id: caller.id, name: caller.name };
    return this.bus.send(SessionRpc.operatorRealtimeToken, { workspaceId, principal });
  }
}
