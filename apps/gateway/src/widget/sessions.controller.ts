import { Body, Res } from '@nestjs/common';
import { AppError, hashToken, NatsBus } from '@widget/common';
import {
  anonymousSessionBody,
  AnonymousSessionBody,
  identifyBody,
  IdentifyBody,
  ROUTES,
  SessionContext,
  SessionReply,
  SessionRpc,
  SessionView,
  updateSessionBody,
  UpdateSessionBody,
} from '@widget/contracts';
import type { FastifyReply } from 'fastify';
import { BearerToken, CurrentSession } from '../auth/request-state';
import { SessionCache } from '../auth/session-cache';
import { ZodPipe } from '../http/zod.pipe';
import { Route, WidgetController } from '../http/route-decorators';

@WidgetController()
export class SessionsController {
  constructor(
    private readonly bus: NatsBus,
    private readonly sessions: SessionCache,
  ) {}

  /** 201 with a new session, or 200 resuming the Bearer one when it belongs to the same widget. */
  @Route(ROUTES.widget.startAnonymousSession)
  async anonymous(
    @Body(new ZodPipe(anonymousSessionBody)) body: AnonymousSessionBody,
    @BearerToken() resumeToken: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SessionReply> {
    const { created, ...result } = await this.bus.send(SessionRpc.anonymous, { ...body, resumeToken });
    reply.status(created ? 201 : 200);
    return result;
  }

  @Route(ROUTES.widget.identify)
  async identify(
    @Body(new ZodPipe(identifyBody)) body: IdentifyBody,
    @BearerToken() sessionToken: string | undefined,
    @CurrentSession() session?: SessionContext,
  ): Promise<SessionReply> {
    const { workspaceId: bodyWorkspaceId, widgetId: bodyWidgetId, ...identity } = body;
    const workspaceId = session?.workspaceId ?? bodyWorkspaceId;
    const widgetId = session?.widgetId ?? bodyWidgetId;
    if (!workspaceId || !widgetId) {
      throw new AppError('auth_required', 'Send the session token as a Bearer token, or workspaceId and widgetId.', { reason: 'missing_token' });
    }
    const reply = await this.bus.send(SessionRpc.identify, { session: session ?? null, sessionToken: session ? sessionToken : undefined, workspaceId, widgetId, ...identity });
    // The anonymous token may be retired: this replica drops its copy itself (see shutdown).
    if (session && sessionToken && reply.token !== sessionToken) this.sessions.forget(hashToken(sessionToken));
    return reply;
  }

  /** The SDK's update(): profile and traits of the visitor (≤ 4 KB); never creates a user. */
  @Route(ROUTES.widget.updateSession)
  update(@Body(new ZodPipe(updateSessionBody)) body: UpdateSessionBody, @CurrentSession() session: SessionContext): Promise<{ session: SessionView }> {
    return this.bus.send(SessionRpc.updateCurrent, { session, ...body });
  }

  @Route(ROUTES.widget.refreshSession)
  refresh(@CurrentSession() session: SessionContext, @BearerToken() token: string): Promise<SessionReply> {
    return this.bus.send(SessionRpc.refresh, { session, token });
  }

  @Route(ROUTES.widget.shutdownSession)
  async shutdown(@CurrentSession() session: SessionContext, @BearerToken() token: string): Promise<void> {
    await this.bus.send(SessionRpc.shutdown, { session });
    // session.revoked left before this reply, but reaches this replica on another NATS connection and may be read
    // after it: this replica drops its own copy now, so the client's next request here is refused too.
    this.sessions.forget(hashToken(token));
  }

  @Route(ROUTES.widget.createRealtimeToken)
  realtimeToken(@CurrentSession() session: SessionContext): Promise<{ token: string; expiresAt: string }> {
    return this.bus.send(SessionRpc.realtimeToken, { session });
  }
}
