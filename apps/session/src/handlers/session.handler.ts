import { Controller } from '@nestjs/common';
import { Handles } from '@widget/common';
import { RpcReply, RpcRequest, SessionRpc } from '@widget/contracts';
import { SessionsService } from '../domain/sessions.service';
import { WidgetsService } from '../domain/widgets.service';

type Req<K extends keyof typeof SessionRpc> = RpcRequest<(typeof SessionRpc)[K]>;
type Res<K extends keyof typeof SessionRpc> = Promise<RpcReply<(typeof SessionRpc)[K]>>;

/** Widget-facing session subjects: NATS in, domain service out, nothing else. */
@Controller()
export class SessionHandler {
  constructor(
    private readonly sessions: SessionsService,
    private readonly widgets: WidgetsService,
  ) {}

  @Handles(SessionRpc.publicConfig)
  publicConfig(req: Req<'publicConfig'>): Res<'publicConfig'> {
    return this.widgets.publicConfig(req.workspaceId, req.widgetId);
  }

  @Handles(SessionRpc.widgetAccess)
  widgetAccess(req: Req<'widgetAccess'>): Res<'widgetAccess'> {
    return this.widgets.access(req.widgetId);
  }

  @Handles(SessionRpc.originAllowedAnywhere)
  async originAllowedAnywhere(req: Req<'originAllowedAnywhere'>): Res<'originAllowedAnywhere'> {
    return { allowed: await this.widgets.originAllowedAnywhere(req.origin) };
  }

  @Handles(SessionRpc.anonymous)
  anonymous(req: Req<'anonymous'>): Res<'anonymous'> {
    return this.sessions.anonymous(req);
  }

  @Handles(SessionRpc.identify)
  identify(req: Req<'identify'>): Res<'identify'> {
    return this.sessions.identify(req.session, req, req);
  }

  @Handles(SessionRpc.updateCurrent)
  updateCurrent(req: Req<'updateCurrent'>): Res<'updateCurrent'> {
    const { session, ...body } = req;
    return this.sessions.updateCurrent(session, body);
  }

  @Handles(SessionRpc.refresh)
  refresh(req: Req<'refresh'>): Res<'refresh'> {
    return this.sessions.refresh(req.session, req.token);
  }

  @Handles(SessionRpc.shutdown)
  async shutdown(req: Req<'shutdown'>): Res<'shutdown'> {
    await this.sessions.shutdown(req.session);
    return { revoked: true };
  }

  @Handles(SessionRpc.realtimeToken)
  realtimeToken(req: Req<'realtimeToken'>): Res<'realtimeToken'> {
    return this.sessions.realtimeToken(req.session);
  }

  @Handles(SessionRpc.authenticate)
  authenticate(req: Req<'authenticate'>): Res<'authenticate'> {
    return this.sessions.authenticate(req.token);
  }

  @Handles(SessionRpc.operatorRealtimeToken)
  operatorRealtimeToken(req: Req<'operatorRealtimeToken'>): Res<'operatorRealtimeToken'> {
    return this.sessions.operatorRealtimeToken(req.workspaceId, req.principal);
  }

  @Handles(SessionRpc.authenticateRealtime)
  authenticateRealtime(req: Req<'authenticateRealtime'>): Res<'authenticateRealtime'> {
    return this.sessions.authenticateRealtime(req.token);
  }
}
