import { CanActivate, ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { hashToken, InjectConfig, Limiter, safeEqual } from '@widget/common';
import type { LimitActionName } from '@widget/contracts';
import type { FastifyReply } from 'fastify';
import { OperatorCallers } from '../auth/operator-callers';
import { SessionCache } from '../auth/session-cache';
import { readBearer, WidgetRequest } from '../auth/request-state';
import type { GatewayConfig } from '../config';
import { ADMIN_BASE, WIDGET_BASE } from '../http/route-decorators';
import { chargeReply } from './limiter';
import type { LimitName } from './limits.config';

/** What a widget route costs beyond the per-session request budget. */
export type SessionAction = LimitActionName;
export const LIMIT_ACTION = 'widget:limit-action';
export const LimitAction = (action: SessionAction) => SetMetadata(LIMIT_ACTION, action);

async function charged(context: ExecutionContext, charge: () => Promise<void>): Promise<boolean> {
  await chargeReply(context.switchToHttp().getResponse<FastifyReply>(), charge);
  return true;
}

/** Actions charged one point per request to the session: the edge guard charges them with the session's budget. */
function plainAction(action: SessionAction | undefined): action is Exclude<SessionAction, 'sessionStart' | 'events' | 'uploads' | 'aiAnswers'> {
  return action !== undefined && action !== 'sessionStart' && action !== 'events' && action !== 'uploads' && action !== 'aiAnswers';
}

/**
 * First guard of every HTTP route. A widget request with a session token this
 * replica already holds as valid is charged to that session; any other widget
 * request (no token, a made-up one, one not yet resolved) to the client
 * address, before the token is looked up, so floods of bad tokens cost the
 * session service nothing once the address is spent. Session starts are
 * also charged to the address. The operator API has its own budget per key.
 * A cached session's plain action budget (a message, a conversation…) is
 * charged here with the session's, in the same round trip to Redis; the
 * others are ActionLimitGuard's, after the token is checked.
 */
@Injectable()
export class EdgeLimitGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly limiter: Limiter<LimitName>,
    private readonly sessions: SessionCache,
    private readonly callers: OperatorCallers,
  ) {}

  canActivate(context: ExecutionContext): Promise<boolean> | boolean {
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<WidgetRequest>();
    const path = request.url;
    const token = readBearer(request);
    if (path.startsWith(`/${ADMIN_BASE}/`)) {
      // A known caller spends its own budget (the root key, an operator, a key); anything else the address's.
      const caller = token ? this.callers.peek(token) : undefined;
      if (caller) return charged(context, () => this.limiter.consume('admin', caller.kind === 'root' ? 'root' : caller.id));
      return charged(context, () => this.limiter.consume('address', request.ip));
    }
    if (!path.startsWith(`/${WIDGET_BASE}/`)) return true;
    const session = token ? this.sessions.peek(token) : undefined;
    const action = this.reflector.getAllAndOverride<SessionAction | undefined>(LIMIT_ACTION, [context.getHandler(), context.getClass()]);
    if (session && plainAction(action)) {
      request.actionCharged = true;
      return charged(context, () =>
        this.limiter.consumeAll([
          { name: 'session', key: session.sessionId },
          { name: action, key: session.sessionId },
        ]),
      );
    }
    return charged(context, async () => {
      if (session) await this.limiter.consume('session', session.sessionId);
      else await this.limiter.consume('address', request.ip);
      if (action === 'sessionStart' && !session) await this.limiter.consume('addressSessions', request.ip);
    });
  }
}

/** After WidgetAuthGuard: the per-session action budgets, the events' bytes, and the workspace's daily AI quota. */
@Injectable()
export class ActionLimitGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly limiter: Limiter<LimitName>,
  ) {}

  canActivate(context: ExecutionContext): Promise<boolean> | boolean {
    const action = this.reflector.getAllAndOverride<SessionAction | undefined>(LIMIT_ACTION, [context.getHandler(), context.getClass()]);
    const request = context.switchToHttp().getRequest<WidgetRequest>();
    const session = request.session;
    if (!action || action === 'sessionStart' || !session || request.actionCharged) return true;
    return charged(context, async () => {
      if (action === 'events') {
        const events = (request.body as { events?: unknown } | undefined)?.events;
        const count = Array.isArray(events) ? Math.max(1, events.length) : 1;
        const bytes = Number(request.headers['content-length']) || Buffer.byteLength(JSON.stringify(request.body ?? ''));
        await this.limiter.consume('events', session.sessionId, count);
        await this.limiter.consume('eventBytes', session.sessionId, bytes);
        return;
      }
      await this.limiter.consume(action, session.sessionId);
      if (action === 'uploads') await this.limiter.consume('uploadBytes', session.sessionId, Math.max(1, Number(request.headers['content-length']) || 1));
      if (action === 'aiAnswers') {
        // The address's share first: a client that spent it costs the workspace's quota nothing more.
        await this.limiter.consume('addressAiAnswers', `${session.workspaceId}:${request.ip}`);
        await this.limiter.consume('workspaceAiAnswers', session.workspaceId);
      }
    });
  }
}
