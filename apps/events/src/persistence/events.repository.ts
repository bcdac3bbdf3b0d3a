import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export interface EventRow {
  eventId: string;
  type: string;
  occurredAt: Date;
  properties: Record<string, unknown> | null;
}

export interface Attribution {
  workspaceId: string;
  widgetId: string | null;
  sessionId: string | null;
  source: 'client' | 'system';
}

/**
 * One statement per batch: the id ledger takes the rows whose (workspace, id)
 * is new, under its primary key (so concurrent batches cannot both win), and
 * only those reach events.events. Row ids within a batch must be distinct.
 */
const INSERT_BATCH = `
  WITH input AS (
    SELECT * FROM unnest($2::text[], $3::text[], $4::timestamptz[], $5::jsonb[]) AS t(event_id, type, occurred_at, properties)
  ), fresh AS (
    INSERT INTO events.event_ids (workspace_id, event_id)
    SELECT $1, event_id FROM input
    ON CONFLICT DO NOTHING
    RETURNING event_id
  )
  INSERT INTO events.events (workspace_id, event_id, type, occurred_at, widget_id, session_id, source, properties)
  SELECT $1, i.event_id, i.type, i.occurred_at, $6, $7, $8, i.properties
  FROM input i JOIN fresh f USING (event_id)
  RETURNING event_id`;

@Injectable()
export class EventsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Stores the new ones; returns how many were new. */
  async insertBatch(by: Attribution, rows: EventRow[]): Promise<number> {
    if (rows.length === 0) return 0;
    const inserted: unknown[] = await this.dataSource.query(INSERT_BATCH, [
      by.workspaceId,
      rows.map((r) => r.eventId),
      rows.map((r) => r.type),
      rows.map((r) => r.occurredAt.toISOString()),
      rows.map((r) => (r.properties === null ? null : JSON.stringify(r.properties))),
      by.widgetId,
      by.sessionId,
      by.source,
    ]);
    return inserted.length;
  }

  /** Counts per UTC day and type, days in [from, to] inclusive. */
  async counts(workspaceId: string, from: string, to: string, type?: string): Promise<{ day: string; type: string; count: number }[]> {
    const rows: { day: string; type: string; count: string }[] = await this.dataSource.query(
      `SELECT to_char((occurred_at AT TIME ZONE 'UTC')::date, 'YYYY-MM-DD') AS day, type, count(*) AS count
       FROM events.events
       WHERE workspace_id = $1
         AND occurred_at >= ($2::date)::timestamp AT TIME ZONE 'UTC'
         AND occurred_at < ($3::date + 1)::timestamp AT TIME ZONE 'UTC'
         AND ($4::text IS NULL OR type = $4)
       GROUP BY 1, 2
       ORDER BY 1, 2`,
      [workspaceId, from, to, type ?? null],
    );
    return rows.map((r) => ({ day: r.day, type: r.type, count: Number(r.count) }));
  }

  /** Monthly partitions for the accepted window and a little ahead; returns how many were made. */
  async ensurePartitions(fromDay: string, toDay: string): Promise<number> {
    const rows: { made: number }[] = await this.dataSource.query(`SELECT events.ensure_partitions($1::date, $2::date) AS made`, [fromDay, toDay]);
    return rows[0]?.made ?? 0;
  }

  /** The id ledger only needs to outlive the window in which a duplicate could still be accepted. */
  async purgeIdsBefore(cutoff: Date): Promise<void> {
    await this.dataSource.query(`DELETE FROM events.event_ids WHERE received_at < $1`, [cutoff]);
  }
}
