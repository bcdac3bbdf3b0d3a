import { Param, Query } from '@nestjs/common';
import { NatsBus } from '@widget/common';
import { EventCounts, eventCountsQuery, EventCountsQuery, EventsRpc, ROUTES } from '@widget/contracts';
import { IdParam } from '../http/id-param.pipe';
import { AdminController, Route } from '../http/route-decorators';
import { ZodPipe } from '../http/zod.pipe';
import { Access } from '../auth/access';

@AdminController()
export class AdminEventsController {
  constructor(private readonly bus: NatsBus) {}

  /** Counts per UTC day and type; from/to inclusive (default: the last 7 days). */
  @Route(ROUTES.admin.getEventCounts)
  @Access.inWorkspace('admin')
  counts(@Param('ws', new IdParam('workspace')) workspaceId: string, @Query(new ZodPipe(eventCountsQuery)) query: EventCountsQuery): Promise<EventCounts> {
    return this.bus.send(EventsRpc.counts, { workspaceId, ...query });
  }
}
