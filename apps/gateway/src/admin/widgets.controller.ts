import { Body, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { NatsBus } from '@widget/common';
import { AuditContext, SessionRpc, Widget, WidgetPatch, widgetPatchSchema } from '@widget/contracts';
import { ZodPipe } from '../http/zod.pipe';
import { IdParam } from '../http/id-param.pipe';
import { AdminController } from '../http/route-decorators';
import { Access, Audit } from '../auth/access';

const widgetParam = new IdParam('widget');

@AdminController('widgets')
export class WidgetsController {
  constructor(private readonly bus: NatsBus) {}

  @Get(':id')
  @Access.onResource('admin', 'widget')
  get(@Param('id', widgetParam) widgetId: string): Promise<Widget> {
    return this.bus.send(SessionRpc.getWidget, { widgetId });
  }

  @Patch(':id')
  @Access.onResource('admin', 'widget')
  patch(@Param('id', widgetParam) widgetId: string, @Body(new ZodPipe(widgetPatchSchema)) patch: WidgetPatch, @Audit() audit: AuditContext): Promise<Widget> {
    return this.bus.send(SessionRpc.patchWidget, { widgetId, patch, audit });
  }

  @Post(':id/rotate-secret')
  @Access.onResource('admin', 'widget')
  @HttpCode(200)
  rotateSecret(@Param('id', widgetParam) widgetId: string, @Audit() audit: AuditContext): Promise<{ secret: string }> {
    return this.bus.send(SessionRpc.rotateSecret, { widgetId, audit });
  }
}
