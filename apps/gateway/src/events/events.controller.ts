import { Body } from '@nestjs/common';
import { NatsBus } from '@widget/common';
import { EventsRpc, ingestBody, IngestReply, ROUTES, SessionContext } from '@widget/contracts';
import { z } from 'zod';
import { CurrentSession } from '../auth/request-state';
import { Route, WidgetController } from '../http/route-decorators';
import { ZodPipe } from '../http/zod.pipe';

@WidgetController()
export class EventsController {
  constructor(private readonly bus: NatsBus) {}

  /** 202: the batch as a whole is checked here, each event by the events service (rejected by index). */
  @Route(ROUTES.widget.ingestEvents)
  ingest(@CurrentSession() session: SessionContext, @Body(new ZodPipe(ingestBody)) body: z.infer<typeof ingestBody>): Promise<IngestReply> {
    return this.bus.send(EventsRpc.ingest, { session, events: body.events });
  }
}
