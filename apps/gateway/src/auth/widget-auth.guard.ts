import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AppError, Errors, originAllowed } from '@widget/common';
import { FeatureName, idOf } from '@widget/contracts';
import { SessionCache } from './session-cache';
import { AUTH_MODE, AuthMode, readBearer, REQUIRED_FEATURE, WidgetRequest } from './request-state';
import { WidgetDirectory } from './widget-directory';

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const widgetIdSchema = idOf('widget');

/**
 * The edge checks of every /widget/v1 route, in order: the session token, the
 * widget (exists, enabled), the Origin of mutating requests against the
 * widget's allow-list, then the route's feature switch.
 */
@Injectable()
export class WidgetAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly sessions: SessionCache,
    private readonly widgets: WidgetDirectory,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<WidgetRequest>();
    const mode = this.reflector.getAllAndOverride<AuthMode>(AUTH_MODE, [context.getHandler(), context.getClass()]) ?? 'required';
    const token = readBearer(request);
    request.bearerToken = token;

    if (mode !== 'none') {
      if (token) request.session = await this.sessions.authenticate(token, request.id);
      else if (mode === 'required') throw new AppError('auth_required', 'Send the session token as a Bearer token.', { reason: 'missing_token' });
    }

    const widgetId = request.session?.widgetId ?? widgetIdFromBody(request.body);
    if (widgetId) {
      request.widget = await this.widgets.get(widgetId, request.id);
      if (!request.widget.enabled && mode !== 'none') throw Errors.widgetDisabled();
      // anonymousAllowed turned off: existing anonymous sessions stop working at once (identify, an optional-auth route, still can).
      if (mode === 'required' && request.session?.identityType === 'anonymous' && !request.widget.anonymousAllowed) {
        throw Errors.anonymousNotAllowed();
      }
    }

    if (MUTATING.has(request.method) && request.widget) {
      const origin = request.headers.origin;
      if (!origin) throw Errors.invalidOrigin('origin_missing');
      if (!originAllowed(origin, request.widget.allowedOrigins)) throw Errors.invalidOrigin('origin_not_allowed');
    }

    const feature = this.reflector.getAllAndOverride<FeatureName | undefined>(REQUIRED_FEATURE, [context.getHandler(), context.getClass()]);
    if (feature && request.widget && !request.widget.features[feature]) throw Errors.widgetDisabled('feature_disabled');
    return true;
  }
}

/** Session-less widget requests (anonymous start, identify) name their widget in the body. */
function widgetIdFromBody(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const { widgetId } = body as { widgetId?: unknown };
  return widgetIdSchema.safeParse(widgetId).success ? (widgetId as string) : undefined;
}
