import { Controller } from '@nestjs/common';
import { Handles } from '@widget/common';
import { EventsRpc, RpcReply, RpcRequest } from '@widget/contracts';
import { EventsService } from '../domain/events.service';

type Req<K extends keyof typeof EventsRpc> = RpcRequest<(typeof EventsRpc)[K]>;
type Res<K extends keyof typeof EventsRpc> = Promise<RpcReply<(typeof EventsRpc)[K]>>;

/** Events subjects: NATS in, domain service out, nothing else. */
@Controller()
export class EventsHandler {
  constructor(private readonly events: EventsService) {}

  @Handles(EventsRpc.ingest)
  ingest(req: Req<'ingest'>): Res<'ingest'> {
    return this.events.ingest(req.session, req.events);
  }

  @Handles(EventsRpc.counts)
  counts(req: Req<'counts'>): Res<'counts'> {
    const { workspaceId, ...query } = req;
    return this.events.counts(workspaceId, query);
  }
}
