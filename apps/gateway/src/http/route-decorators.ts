import { applyDecorators, Controller, UseGuards } from '@nestjs/common';
import { AdminKeyGuard } from '../auth/admin-key.guard';
import { WidgetAuthGuard } from '../auth/widget-auth.guard';

export const WIDGET_BASE = 'widget/v1';
export const ADMIN_BASE = 'admin/v1';

/** A public widget API controller: session auth, origin and feature checks run first. */
export const WidgetController = (path = '') => applyDecorators(Controller(`${WIDGET_BASE}/${path}`), UseGuards(WidgetAuthGuard));

/** An operator API controller: the admin key is checked first. */
export const AdminController = (path = '') => applyDecorators(Controller(`${ADMIN_BASE}/${path}`), UseGuards(AdminKeyGuard));
