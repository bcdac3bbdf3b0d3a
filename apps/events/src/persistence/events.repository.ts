import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export interface EventRow {
  eventId: string;
  type: string;
  occurredAt: Date;
  /** JSON text of the properties object (serialized once, where it was checked), or null. */
  properties: string | null;
}

export interface Attribution {
  workspaceId: string;
  widgetId: string | null;
  sessionId: string | null;
  source: 'client' | 'system';
}

/** A lifecycle fact: each row carries its own attribution. */
export type SystemRow = EventRow & Omit<Attribution, 'source'>;

/**
 * One statement per batch: the id ledger (primary key (workspace, scope, id);
 * the scope is the session for client events, 'system' for lifecycle facts) takes
 * the batch's ids and events.events its rows, so concurrent batches with the
 * same ids cannot both win. Row ids within a batch must be distinct.
 *
 * First the plain statement: in the common case no id of the batch is stored
 * yet, and a plain INSERT costs PostgreSQL about a quarter less than ON CONFLICT
 * (no speculative insertion). A stored id fails it whole (unique_violation on
 * event_ids_pkey, nothing kept), and the batch is written again by the
 * `skipStored` statement, whose ledger insert takes only the new ids (ON
 * CONFLICT DO NOTHING RETURNING) and which stores only those rows.
 *
 * The rows travel as one JSON array of tuples, parsed once by PostgreSQL
 * (jsonb): node builds it by concatenation, with no per-element array
 * escaping, and properties are serialized once (by the check). Only the count
 * of stored rows comes back.
 */
function batchStatement(input: string, attribution: string, skipStored: boolean): string {
  const ledger = skipStored
    ? `fresh AS (
    INSERT INTO events.event_ids (workspace_id, scope, event_id)
    SELECT workspace_id, scope, event_id FROM input
    ON CONFLICT DO NOTHING
    RETURNING workspace_id, scope, event_id
  )`
    : `ledger AS (
    INSERT INTO events.event_ids (workspace_id, scope, event_id)
    SELECT workspace_id, scope, event_id FROM input
  )`;
  return `
  WITH input AS (${input}), ${ledger}, stored AS (
    INSERT INTO events.events (workspace_id, event_id, type, occurred_at, widget_id, session_id, source, properties)
    SELECT i.workspace_id, i.event_id, i.type, i.occurred_at, ${attribution}, i.properties
    FROM input i${skipStored ? ' JOIN fresh f USING (workspace_id, scope, event_id)' : ''}
    RETURNING 1
  )
  SELECT count(*)::int AS stored FROM stored`;
}

/** A client batch: `[id, type, occurredAt, properties]` tuples, attributed by the parameters. */
const CLIENT_INPUT = `
    SELECT $1::text AS workspace_id, coalesce($4::text, '') AS scope, e->>0 AS event_id, e->>1 AS type, (e->>2)::timestamptz AS occurred_at, NULLIF(e->3, 'null') AS properties
    FROM jsonb_array_elements($2::jsonb) AS e`;
const INSERT_BATCH = batchStatement(CLIENT_INPUT, '$3, $4, $5', false);
const INSERT_BATCH_SKIP_STORED = batchStatement(CLIENT_INPUT, '$3, $4, $5', true);

/** Lifecycle facts of many sessions and workspaces: `[workspace, id, type, occurredAt, widget, session, properties]`. */
const SYSTEM_INPUT = `
    SELECT e->>0 AS workspace_id, 'system'::text AS scope, e->>1 AS event_id, e->>2 AS type, (e->>3)::timestamptz AS occurred_at,
           e->>4 AS widget_id, e->>5 AS session_id, NULLIF(e->6, 'null') AS properties
    FROM jsonb_array_elements($1::jsonb) AS e`;
const INSERT_SYSTEM = batchStatement(SYSTEM_INPUT, "i.widget_id, i.session_id, 'system'", false);
const INSERT_SYSTEM_SKIP_STORED = batchStatement(SYSTEM_INPUT, "i.widget_id, i.session_id, 'system'", true);

/** The plain statement failed on an id stored before (or by a concurrent batch, once that one committed). */
const isStoredBefore = (err: unknown) => {
  const driverError = (err as { driverError?: { code?: string; constraint?: string } }).driverError;
  return driverError?.code === '23505' && driverError.constraint === 'event_ids_pkey';
};

/** A JSON string, or null (also for undefined: an attribute a domain event lacked). */
const str = (s: string | null | undefined) => (typeof s === 'string' ? JSON.stringify(s) : 'null');

/**
 * Ledger rows go in key order: two statements inserting the same ids in
 * opposite orders would each wait for the other's uncommitted row (deadlock,
 * one batch lost); in one order, the second waits and then skips them.
 */
const byId = (a: EventRow, b: EventRow) => (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0);
const byKey = (a: SystemRow, b: SystemRow) => (a.workspaceId < b.workspaceId ? -1 : a.workspaceId > b.workspaceId ? 1 : byId(a, b));

@Injectable()
export class EventsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Stores the new ones; returns how many were new. */
  async insertBatch(by: Attribution, rows: EventRow[]): Promise<number> {
    if (rows.length === 0) return 0;
    let json = '[';
    for (const r of [...rows].sort(byId)) {
      if (json.length > 1) json += ',';
      json += `[${str(r.eventId)},${str(r.type)},"${r.occurredAt.toISOString()}",${r.properties ?? 'null'}]`;
    }
    json += ']';
    return this.insertOnce(INSERT_BATCH, INSERT_BATCH_SKIP_STORED, [by.workspaceId, json, by.widgetId, by.sessionId, by.source]);
  }

  /**
   * Lifecycle facts, any mix of workspaces and sessions, in one statement;
   * returns how many were new. (workspace, id) pairs must be distinct.
   */
  async insertSystem(rows: SystemRow[]): Promise<number> {
    if (rows.length === 0) return 0;
    let json = '[';
    for (const r of [...rows].sort(byKey)) {
      if (json.length > 1) json += ',';
      json += `[${str(r.workspaceId)},${str(r.eventId)},${str(r.type)},"${r.occurredAt.toISOString()}",${str(r.widgetId)},${str(r.sessionId)},${r.properties ?? 'null'}]`;
    }
    json += ']';
    return this.insertOnce(INSERT_SYSTEM, INSERT_SYSTEM_SKIP_STORED, [json]);
  }

  /** The plain statement, then, if an id was stored before, the one that skips stored ids; returns how many rows were stored. */
  private async insertOnce(plain: string, skipStored: string, params: unknown[]): Promise<number> {
    let rows: { stored: number }[];
    try {
      rows = await this.dataSource.query(plain, params);
    } catch (err) {
      if (!isStoredBefore(err)) throw err;
      rows = await this.dataSource.query(skipStored, params);
    }
    return rows[0].stored;
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
