import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { FeatureName, SessionContext, WidgetAccess } from '@widget/contracts';
import type { FastifyRequest } from 'fastify';

/** What the guards learn about a widget request, attached to it for the controllers. */
export interface WidgetRequest extends FastifyRequest {
  session?: SessionContext;
  widget?: WidgetAccess;
  bearerToken?: string;
  /** The route's action budget was charged with the session's, by EdgeLimitGuard (one round trip to Redis). */
  actionCharged?: boolean;
}

/** `required` (default): a valid session token; `optional`: checked when sent; `none`: not read. */
export type AuthMode = 'required' | 'optional' | 'none';
export const AUTH_MODE = 'widget:auth-mode';
export const Auth = (mode: AuthMode) => SetMetadata(AUTH_MODE, mode);

export const REQUIRED_FEATURE = 'widget:feature';
/** The route answers widget_disabled / feature_disabled when the widget turned this feature off. */
export const RequireFeature = (feature: FeatureName) => SetMetadata(REQUIRED_FEATURE, feature);

export const CurrentSession = createParamDecorator((_: unknown, ctx: ExecutionContext) => {
  return ctx.switchToHttp().getRequest<WidgetRequest>().session;
});

export const CurrentWidget = createParamDecorator((_: unknown, ctx: ExecutionContext) => {
  return ctx.switchToHttp().getRequest<WidgetRequest>().widget;
});

export const BearerToken = createParamDecorator((_: unknown, ctx: ExecutionContext) => {
  return ctx.switchToHttp().getRequest<WidgetRequest>().bearerToken;
});

export const RequestId = createParamDecorator((_: unknown, ctx: ExecutionContext) => {
  return ctx.switchToHttp().getRequest<FastifyRequest>().id;
});

/** `Authorization: Bearer <token>` → the token; undefined when absent or blank. */
export function readBearer(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}
