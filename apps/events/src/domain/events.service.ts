import { Injectable } from '@nestjs/common';
import { Errors } from '@widget/common';
import { EVENT_COUNTS_MAX_DAYS, EventCounts, EventCountsQuery, EVENTS_PER_BATCH_MAX, IngestReply, SessionContext } from '@widget/contracts';
import { Attribution, EventRow, EventsRepository } from '../persistence/events.repository';
import { checkEvent } from './ingest';

const DAY_MS = 86_400_000;
const isoDay = (t: number) => new Date(t).toISOString().slice(0, 10);

@Injectable()
export class EventsService {
  constructor(private readonly repo: EventsRepository) {}

  /** Good events are stored, bad ones rejected by index; a repeated id counts as a duplicate. */
  async ingest(session: SessionContext, events: unknown[]): Promise<IngestReply> {
    if (!Array.isArray(events) || events.length > EVENTS_PER_BATCH_MAX) {
      throw Errors.validation([{ field: 'events', reason: `must be an array of at most ${EVENTS_PER_BATCH_MAX} events` }]);
    }
    const now = Date.now();
    const rejected: IngestReply['rejected'] = [];
    const rows: EventRow[] = [];
    const seen = new Set<string>();
    let duplicates = 0;
    events.forEach((raw, index) => {
      const checked = checkEvent(raw, now);
      if ('reason' in checked) rejected.push({ index, reason: checked.reason });
      else if (seen.has(checked.row.eventId)) duplicates++;
      else {
        seen.add(checked.row.eventId);
        rows.push(checked.row);
      }
    });
    const by: Attribution = { workspaceId: session.workspaceId, widgetId: session.widgetId, sessionId: session.sessionId, source: 'client' };
    const accepted = await this.repo.insertBatch(by, rows);
    return { accepted, duplicates: duplicates + rows.length - accepted, rejected };
  }

  async counts(workspaceId: string, query: EventCountsQuery): Promise<EventCounts> {
    const to = query.to ?? isoDay(Date.now());
    const from = query.from ?? isoDay(Date.parse(`${to}T00:00:00Z`) - 6 * DAY_MS);
    if (from > to) throw Errors.validation([{ field: 'from', reason: 'must not be after to' }]);
    if ((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS + 1 > EVENT_COUNTS_MAX_DAYS) {
      throw Errors.validation([{ field: 'from', reason: `the range may span at most ${EVENT_COUNTS_MAX_DAYS} days` }]);
    }
    return { workspaceId, from, to, data: await this.repo.counts(workspaceId, from, to, query.type) };
  }
}
