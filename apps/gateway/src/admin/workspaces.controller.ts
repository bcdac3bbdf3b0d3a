import { Body, HttpCode, Param, Post } from '@nestjs/common';
import { NatsBus } from '@widget/common';
import { IdempotencyRequest, SessionRpc, Widget, WidgetCreateBody, widgetCreateSchema, workspaceBody, Workspace } from '@widget/contracts';
import { z } from 'zod';
import { ZodPipe } from '../http/zod.pipe';
import { IdParam } from '../http/id-param.pipe';
import { IdempotencyKey } from '../http/idempotency-key';
import { AdminController } from '../http/route-decorators';

@AdminController('workspaces')
export class WorkspacesController {
  constructor(private readonly bus: NatsBus) {}

  @Post()
  create(@Body(new ZodPipe(workspaceBody)) body: z.infer<typeof workspaceBody>, @IdempotencyKey() idempotency?: IdempotencyRequest): Promise<Workspace> {
    return this.bus.send(SessionRpc.createWorkspace, { ...body, idempotency });
  }

  @Post(':ws/widgets')
  createWidget(
    @Param('ws', new IdParam('workspace')) workspaceId: string,
    @Body(new ZodPipe(widgetCreateSchema)) config: WidgetCreateBody,
    @IdempotencyKey() idempotency?: IdempotencyRequest,
  ): Promise<{ widget: Widget; secret: string }> {
    return this.bus.send(SessionRpc.createWidget, { workspaceId, config, idempotency });
  }

  /** The operator realtime feed (SPEC §10): a short-lived token for one workspace's socket. */
  @Post(':ws/realtime-token')
  @HttpCode(200)
  realtimeToken(@Param('ws', new IdParam('workspace')) workspaceId: string): Promise<{ token: string; expiresAt: string }> {
    return this.bus.send(SessionRpc.operatorRealtimeToken, { workspaceId });
  }
}
