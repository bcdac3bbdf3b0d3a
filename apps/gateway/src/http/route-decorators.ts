import { applyDecorators, Controller, UseGuards } from '@nestjs/common';
import { AdminAccessGuard } from '../auth/admin-access.guard';
import { WidgetAuthGuard } from '../auth/widget-auth.guard';
import { ActionLimitGuard } from '../limits/limit-guards';

export const WIDGET_BASE = 'widget/v1';
export const ADMIN_BASE = 'admin/v1';

/** A public widget API controller: session auth, origin and feature checks run first, then the route's action budget. */
export const WidgetController = (path = '') => applyDecorators(Controller(`${WIDGET_BASE}/${path}`), UseGuards(WidgetAuthGuard, ActionLimitGuard));

/** An operator API controller: the caller is resolved and each route's declared access rule checked first (auth/access.ts). */
export const AdminController = (path = '') => applyDecorators(Controller(`${ADMIN_BASE}/${path}`), UseGuards(AdminAccessGuard));
