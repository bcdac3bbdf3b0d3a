import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
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

  @MessagePattern(SessionRpc.publicConfig.subject)
  publicConfig(@Payload() req: Req<'publicConfig'>): Res<'publicConfig'> {
    return this.widgets.publicConfig(req.workspaceId, req.widgetId);
  }

  @MessagePattern(SessionRpc.widgetAccess.subject)
  widgetAccess(@Payload() req: Req<'widgetAccess'>): Res<'widgetAccess'> {
    return this.widgets.access(req.widgetId);
  }

  @MessagePattern(SessionRpc.originAllowedAnywhere.subject)
  async originAllowedAnywhere(@Payload() req: Req<'originAllowedAnywhere'>): Res<'originAllowedAnywhere'> {
    return { allowed: await this.widgets.originAllowedAnywhere(req.origin) };
  }

  @MessagePattern(SessionRpc.anonymous.subject)
  anonymous(@Payload() req: Req<'anonymous'>): Res<'anonymous'> {
    return this.sessions.anonymous(req);
  }

  @MessagePattern(SessionRpc.identify.subject)
  identify(@Payload() req: Req<'identify'>): Res<'identify'> {
    return this.sessions.identify(req.session, req, req);
  }

  @MessagePattern(SessionRpc.updateCurrent.subject)
  updateCurrent(@Payload() req: Req<'updateCurrent'>): Res<'updateCurrent'> {
    const { session, ...body } = req;
    return this.sessions.updateCurrent(session, body);
  }

  @MessagePattern(SessionRpc.refresh.subject)
  refresh(@Payload() req: Req<'refresh'>): Res<'refresh'> {
    return this.sessions.refresh(req.session, req.token);
  }

  @MessagePattern(SessionRpc.shutdown.subject)
  async shutdown(@Payload() req: Req<'shutdown'>): Res<'shutdown'> {
    await this.sessions.shutdown(req.session);
    return { revoked: true };
  }

  @MessagePattern(SessionRpc.realtimeToken.subject)
  realtimeToken(@Payload() req: Req<'realtimeToken'>): Res<'realtimeToken'> {
    return this.sessions.realtimeToken(req.session);
  }

  @MessagePattern(SessionRpc.authenticate.subject)
  authenticate(@Payload() req: Req<'authenticate'>): Res<'authenticate'> {
    return this.sessions.authenticate(req.token);
  }

  @MessagePattern(SessionRpc.operatorRealtimeToken.subject)
  operatorRealtimeToken(@Payload() req: Req<'operatorRealtimeToken'>): Res<'operatorRealtimeToken'> {
    return this.sessions.operatorRealtimeToken(req.workspaceId, req.principal);
  }

  @MessagePattern(SessionRpc.authenticateOperatorRealtime.subject)
  authenticateOperatorRealtime(@Payload() req: Req<'authenticateOperatorRealtime'>): Res<'authenticateOperatorRealtime'> {
    return this.sessions.authenticateOperatorRealtime(req.token);
  }

  @MessagePattern(SessionRpc.authenticateRealtime.subject)
  authenticateRealtime(@Payload() req: Req<'authenticateRealtime'>): Res<'authenticateRealtime'> {
    return this.sessions.authenticateRealtime(req.token);
  }
}
