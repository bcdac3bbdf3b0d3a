import { applyDecorators, Controller, HttpCode, RequestMapping, RequestMethod, UseGuards } from '@nestjs/common';
import { ADMIN_BASE, Route as RouteEntry, WIDGET_BASE } from '@widget/contracts';
import { AdminAccessGuard } from '../auth/admin-access.guard';
import { Auth, AuthMode, RequireFeature } from '../auth/request-state';
import { WidgetAuthGuard } from '../auth/widget-auth.guard';
import { ActionLimitGuard, LimitAction } from '../limits/limit-guards';

export { ADMIN_BASE, WIDGET_BASE };

/** A public widget API controller: session auth, origin and feature checks run first, then the route's action budget. */
export const WidgetController = (path = '') => applyDecorators(Controller(`${WIDGET_BASE}/${path}`), UseGuards(WidgetAuthGuard, ActionLimitGuard));

/** An operator API controller: the caller is resolved and each route's declared access rule checked first (auth/access.ts). */
export const AdminController = (path = '') => applyDecorators(Controller(`${ADMIN_BASE}/${path}`), UseGuards(AdminAccessGuard));

const AUTH_MODES: Record<'none' | 'optional' | 'session', AuthMode> = { none: 'none', optional: 'optional', session: 'required' };

/**
 * A route of the table in libs/contracts (`@Route(ROUTES.widget.sendMessage)`), in a `@WidgetController()` or
 * `@AdminController()` without a path of its own: the method and path, the usual success status (a handler that
 * answers another one of the route's statuses sets it on the reply), and for widget routes the token it needs,
 * its action budget and its feature switch. Who may call an admin route stays beside it (`@Access…`), checked by
 * apps/gateway/test/admin-access.e2e-spec.ts against a table of its own.
 */
export function Route(route: RouteEntry): MethodDecorator {
  const decorators = [RequestMapping({ path: route.path.slice(1), method: RequestMethod[route.method] }), HttpCode(route.status[0])];
  if (route.api === 'widget' && route.auth !== 'admin') {
    decorators.push(Auth(AUTH_MODES[route.auth]));
    if (route.limit) decorators.push(LimitAction(route.limit));
    if (route.feature) decorators.push(RequireFeature(route.feature));
  }
  return applyDecorators(...decorators);
}
