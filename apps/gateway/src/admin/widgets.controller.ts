import { Body, Param } from '@nestjs/common';
import { NatsBus } from '@widget/common';
import { AuditContext, Page, ROUTES, SessionRpc, Widget, WidgetPatch, widgetPatchSchema } from '@widget/contracts';
import { ZodPipe } from '../http/zod.pipe';
import { IdParam } from '../http/id-param.pipe';
import { AdminController, Route } from '../http/route-decorators';
import { Access, Audit } from '../auth/access';
import { WidgetDirectory } from '../auth/widget-directory';

const widgetParam = new IdParam('widget');

@AdminController()
export class WidgetsController {
  constructor(
    private readonly bus: NatsBus,
    private readonly widgets: WidgetDirectory,
  ) {}

  @Route(ROUTES.admin.getWidget)
  @Access.onResource('admin', 'widget')
  get(@Param('id', widgetParam) widgetId: string): Promise<Widget> {
    return this.bus.send(SessionRpc.getWidget, { widgetId });
  }

  @Route(ROUTES.admin.listWidgets)
  @Access.inWorkspace('admin')
  async list(@Param('ws', new IdParam('workspace')) workspaceId: string): Promise<Page<Widget>> {
    return { data: await this.bus.send(SessionRpc.listWidgets, { workspaceId }), nextCursor: null };
  }

  @Route(ROUTES.admin.patchWidget)
  @Access.onResource('admin', 'widget')
  async patch(@Param('id', widgetParam) widgetId: string, @Body(new ZodPipe(widgetPatchSchema)) patch: WidgetPatch, @Audit() audit: AuditContext): Promise<Widget> {
    const widget = await this.bus.send(SessionRpc.patchWidget, { widgetId, patch, audit });
    // The broadcast (session.widget.updated) left before the reply, but on another NATS connection, so this replica
    // may read the reply first: it drops its own copy now, and its next request sees the change.
    this.widgets.forget(widgetId);
    return widget;
  }

  @Route(ROUTES.admin.rotateWidgetSecret)
  @Access.onResource('admin', 'widget')
  rotateSecret(@Param('id', widgetParam) widgetId: string, @Audit() audit: AuditContext): Promise<{ secret: string }> {
    return this.bus.send(SessionRpc.rotateSecret, { widgetId, audit });
  }
}
