import { Body, HttpCode, Post } from '@nestjs/common';
import { NatsBus } from '@widget/common';
import { EventsRpc, ingestBody, IngestReply, SessionContext } from '@widget/contracts';
import { z } from 'zod';
import { CurrentSession, RequireFeature } from '../auth/request-state';
import { WidgetController } from '../http/route-decorators';
import { ZodPipe } from '../http/zod.pipe';
import { LimitAction } from '../limits/limit-guards';

@WidgetController('events')
@RequireFeature('events')
export class EventsController {
  constructor(private readonly bus: NatsBus) {}

  /** 202: the batch as a whole is checked here, each event by the events service (rejected by index). */
  @Post()
  @LimitAction('events')
  @HttpCode(202)
  ingest(@CurrentSession() session: SessionContext, @Body(new ZodPipe(ingestBody)) body: z.infer<typeof ingestBody>): Promise<IngestReply> {
    return this.bus.send(EventsRpc.ingest, { session, events: body.events });
  }
}
