import { Injectable } from '@nestjs/common';
import type { PersonKeys } from '@widget/contracts';
import { DataSource, EntityManager } from 'typeorm';

/**
 * What a person's events are filed under (SPEC §17): their session, or, for
 * the lifecycle facts of an identified user's conversations and messages
 * (which carry no session: their audience is the user), their end user in
 * `properties.userId`. Session ids (`ses_`) and end-user ids (`usr_`) never
 * collide, so one key and one index (events_person_idx, whose expression this
 * must stay) serve both.
 */
const PERSON_KEY = `coalesce(session_id, properties->>'userId')`;

/** One event as a person's export shows it. */
export interface ExportedEvent {
  eventId: string;
  type: string;
  occurredAt: string;
  receivedAt: string;
  widgetId: string | null;
  sessionId: string | null;
  source: 'client' | 'system';
  properties: Record<string, unknown> | null;
}

/** Where an export page ended: the order is (occurredAt, eventId, person key), which no two stored events share. */
export interface EventPosition {
  /** occurred_at in UTC to the microsecond (`2026-01-31T12:00:00.123456Z`): cast back exactly, whatever the server's DateStyle. */
  at: string;
  eventId: string;
  key: string;
}

type ExportRow = Omit<ExportedEvent, 'occurredAt' | 'receivedAt'> & { occurredAt: Date; receivedAt: Date; at_text: string; person_key: string };

/** `events_YYYYMM` (events.ensure_partitions' names) holds that UTC month; other partitions (the default) any time. */
const monthStart = (partition: string): number | null => {
  const m = /^events_(\d{4})(\d{2})$/.exec(partition);
  return m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, 1) : null;
};
const quoted = (name: string) => `"${name.replace(/"/g, '""')}"`;

@Injectable()
export class EventsPrivacyRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Deletes the person's events in `m` (the erasure's transaction), and the
   * de-duplication ledger's rows of their ids: their sessions' client ids and
   * the ids of their lifecycle facts. Returns how many of each.
   */
  async erase(m: EntityManager, person: PersonKeys): Promise<{ events: number; event_ids: number }> {
    const rows: { events: number; event_ids: number }[] = await m.query(
      `WITH gone AS (
         DELETE FROM events.events WHERE workspace_id = $1 AND ${PERSON_KEY} = ANY($2::text[])
         RETURNING source, event_id
       ), ids AS (
         DELETE FROM events.event_ids
          WHERE workspace_id = $1
            AND (scope = ANY($3::text[]) OR (scope = 'system' AND event_id IN (SELECT event_id FROM gone WHERE source = 'system')))
         RETURNING 1
       )
       SELECT (SELECT count(*) FROM gone)::int AS events, (SELECT count(*) FROM ids)::int AS event_ids`,
      [person.workspaceId, [...person.sessionIds, ...person.userIds], person.sessionIds],
    );
    return rows[0];
  }

  /** The person's events after `after`, oldest first; `limit` at most, each with the position it ends at. */
  async export(person: PersonKeys, after: EventPosition | null, limit: number): Promise<{ event: ExportedEvent; position: EventPosition }[]> {
    const rows: ExportRow[] = await this.dataSource.query(
      `SELECT event_id AS "eventId", type, occurred_at AS "occurredAt", received_at AS "receivedAt", widget_id AS "widgetId",
              session_id AS "sessionId", source, properties, to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at_text, ${PERSON_KEY} AS person_key
         FROM events.events
        WHERE workspace_id = $1 AND ${PERSON_KEY} = ANY($2::text[])
          AND ($3::timestamptz IS NULL OR (occurred_at, event_id, ${PERSON_KEY}) > ($3::timestamptz, $4::text, $5::text))
        ORDER BY occurred_at, event_id, ${PERSON_KEY}
        LIMIT $6`,
      [person.workspaceId, [...person.sessionIds, ...person.userIds], after?.at ?? null, after?.eventId ?? null, after?.key ?? null, limit],
    );
    return rows.map(({ at_text, person_key, occurredAt, receivedAt, ...rest }) => ({
      event: { ...rest, occurredAt: new Date(occurredAt).toISOString(), receivedAt: new Date(receivedAt).toISOString() },
      position: { at: at_text, eventId: rest.eventId, key: person_key },
    }));
  }

  /**
   * The partitions that may hold events older than `cutoff`: a month
   * partition starting at or after it cannot. Partitions are read each sweep:
   * events.ensure_partitions adds one a month.
   */
  async partitionsBefore(cutoff: Date): Promise<string[]> {
    const rows: { name: string }[] = await this.dataSource.query(
      `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = 'events.events'::regclass ORDER BY c.relname`,
    );
    return rows.map((r) => r.name).filter((name) => (monthStart(name) ?? -Infinity) < cutoff.getTime());
  }

  /**
   * Deletes at most `limit` events of the workspace older than `cutoff` from
   * one partition, in one statement (a short transaction of its own), and
   * returns how many. Oldest first: ORDER BY makes it walk the
   * (workspace_id, occurred_at, type) index from its start, where a plain
   * LIMIT let the planner pick a sequential scan that rereads what earlier
   * batches left dead. Rows another replica's sweep (or an erasure) has
   * locked are skipped, never waited for; the picked rows are deleted by
   * their physical address (a TID scan) in this partition alone.
   */
  async deleteOlderBatch(partition: string, workspaceId: string, cutoff: Date, limit: number): Promise<number> {
    const table = `events.${quoted(partition)}`;
    const rows: { deleted: number }[] = await this.dataSource.query(
      `WITH gone AS (
         DELETE FROM ${table} WHERE ctid = ANY(ARRAY(
           SELECT ctid FROM ${table} WHERE workspace_id = $1 AND occurred_at < $2 ORDER BY occurred_at LIMIT $3 FOR UPDATE SKIP LOCKED
         ))
         RETURNING 1
       )
       SELECT count(*)::int AS deleted FROM gone`,
      [workspaceId, cutoff, limit],
    );
    return rows[0].deleted;
  }
}
