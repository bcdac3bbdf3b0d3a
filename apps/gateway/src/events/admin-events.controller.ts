import { Get, Param, Query } from '@nestjs/common';
import { NatsBus } from '@widget/common';
import { EventCounts, eventCountsQuery, EventCountsQuery, EventsRpc } from '@widget/contracts';
import { IdParam } from '../http/id-param.pipe';
import { AdminController } from '../http/route-decorators';
import { ZodPipe } from '../http/zod.pipe';
import { Access } from '../auth/access';

@AdminController('workspaces')
export class AdminEventsController {
  constructor(private readonly bus: NatsBus) {}

  /** Counts per UTC day and type; from/to inclusive (default: the last 7 days). */
  @Get(':ws/events/counts')
  @Access.inWorkspace('admin')
  counts(@Param('ws', new IdParam('workspace')) workspaceId: string, @Query(new ZodPipe(eventCountsQuery)) query: EventCountsQuery): Promise<EventCounts> {
    return this.bus.send(EventsRpc.counts, { workspaceId, ...query });
  }
}
