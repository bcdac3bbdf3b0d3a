import { Query } from '@nestjs/common';
import { NatsBus } from '@widget/common';
import { configQuery, PublicWidgetConfig, ROUTES, SessionRpc } from '@widget/contracts';
import { z } from 'zod';
import { ZodPipe } from '../http/zod.pipe';
import { Route, WidgetController } from '../http/route-decorators';

@WidgetController()
export class ConfigController {
  constructor(private readonly bus: NatsBus) {}

  @Route(ROUTES.widget.getConfig)
  config(@Query(new ZodPipe(configQuery)) query: z.infer<typeof configQuery>): Promise<PublicWidgetConfig> {
    return this.bus.send(SessionRpc.publicConfig, { workspaceId: query.workspace_id, widgetId: query.widget_id });
  }
}
