import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { deleteCounted, Queryable } from '@widget/common';
import type { PersonKeys, Webhook, WebhookDelivery, WebhookDeliveryStatus, WebhookEventType } from '@widget/contracts';
import { DataSource } from 'typeorm';

export interface WebhookRow {
  id: string;
  workspace_id: string;
  url: string;
  events: WebhookEventType[];
  description: string | null;
  secret_sealed: string;
  enabled: boolean;
  disabled_at: Date | null;
  disabled_reason: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface DeliveryRow {
  id: string;
  webhook_id: string;
  workspace_id: string;
  event: WebhookDelivery['event'];
  body: string;
  status: WebhookDeliveryStatus;
  attempts: number;
  last_status: number | null;
  last_error: string | null;
  first_attempt_at: Date | null;
  next_attempt_at: Date | null;
  created_at: Date;
  delivered_at: Date | null;
}

export interface NewDelivery {
  id: string;
  webhookId: string;
  workspaceId: string;
  event: WebhookDelivery['event'];
  eventKey: string | null;
  sessionId: string | null;
  userId: string | null;
  body: string;
}

/** An endpoint a replica claimed, with what it needs to sign and send. */
export interface ClaimedWebhook {
  id: string;
  url: string;
  secret_sealed: string;
}

/** TypeORM answers an UPDATE … RETURNING as [rows, affected] and a SELECT or INSERT as rows. */
function rowsOf<T>(result: unknown): T[] {
  const list = result as unknown[];
  return (Array.isArray(list[0]) ? list[0] : list) as T[];
}

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

export const toWebhook = (r: WebhookRow): Webhook => ({
  id: r.id,
  url: r.url,
  events: r.events,
  description: r.description,
  enabled: r.enabled,
  disabledAt: iso(r.disabled_at),
  disabledReason: r.disabled_reason,
  createdAt: new Date(r.created_at).toISOString(),
  updatedAt: new Date(r.updated_at).toISOString(),
});

export const toDelivery = (r: DeliveryRow): WebhookDelivery => ({
  id: r.id,
  webhookId: r.webhook_id,
  event: r.event,
  status: r.status,
  attempts: r.attempts,
  lastStatus: r.last_status,
  lastError: r.last_error,
  nextAttemptAt: r.status === 'pending' ? iso(r.next_attempt_at) : null,
  createdAt: new Date(r.created_at).toISOString(),
  deliveredAt: iso(r.delivered_at),
});

const WEBHOOK_COLUMNS = 'id, workspace_id, url, events, description, secret_sealed, enabled, disabled_at, disabled_reason, created_at, updated_at';
const DELIVERY_COLUMNS =
  'id, webhook_id, workspace_id, event, body, status, attempts, last_status, last_error, first_attempt_at, next_attempt_at, created_at, delivered_at';

/** The SQL of webhooks and their deliveries (schema `integrations`). */
@Injectable()
export class WebhooksRepository {
  constructor(@InjectDataSource() readonly dataSource: DataSource) {}

  async insert(m: Queryable, row: Omit<WebhookRow, 'enabled' | 'disabled_at' | 'disabled_reason' | 'updated_at'>): Promise<WebhookRow> {
    const [created]: WebhookRow[] = await m.query(
      `INSERT INTO integrations.webhooks (id, workspace_id, url, events, description, secret_sealed, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING ${WEBHOOK_COLUMNS}`,
      [row.id, row.workspace_id, row.url, row.events, row.description, row.secret_sealed, row.created_at],
    );
    return created;
  }

  async countIn(m: Queryable, workspaceId: string): Promise<number> {
    const [{ n }]: { n: string }[] = await m.query(`SELECT count(*) AS n FROM integrations.webhooks WHERE workspace_id = $1`, [workspaceId]);
    return Number(n);
  }

  list(workspaceId: string): Promise<WebhookRow[]> {
    return this.dataSource.query(`SELECT ${WEBHOOK_COLUMNS} FROM integrations.webhooks WHERE workspace_id = $1 ORDER BY id`, [workspaceId]);
  }

  /** A webhook of this workspace (another workspace's id is simply not found), locked when `m` is a transaction that asks. */
  async find(workspaceId: string, id: string, m: Queryable = this.dataSource, lock = false): Promise<WebhookRow | null> {
    const rows: WebhookRow[] = await m.query(
      `SELECT ${WEBHOOK_COLUMNS} FROM integrations.webhooks WHERE workspace_id = $1 AND id = $2${lock ? ' FOR UPDATE' : ''}`,
      [workspaceId, id],
    );
    return rows[0] ?? null;
  }

  async update(
    m: Queryable,
    id: string,
    next: Pick<WebhookRow, 'url' | 'events' | 'description' | 'enabled' | 'disabled_at' | 'disabled_reason'>,
    updatedAt: Date,
  ): Promise<WebhookRow> {
    const [row] = rowsOf<WebhookRow>(await m.query(
      `UPDATE integrations.webhooks SET url = $2, events = $3, description = $4, enabled = $5, disabled_at = $6, disabled_reason = $7, updated_at = $8
       WHERE id = $1 RETURNING ${WEBHOOK_COLUMNS}`,
      [id, next.url, next.events, next.description, next.enabled, next.disabled_at, next.disabled_reason, updatedAt],
    ));
    return row;
  }

  async remove(m: Queryable, id: string): Promise<void> {
    await m.query(`DELETE FROM integrations.webhooks WHERE id = $1`, [id]);
  }

  /** The enabled endpoints of a workspace that take this event. */
  /** `workspace\ntype` of every type an enabled webhook of these workspaces takes (one query, no transaction). */
  async subscribedTypes(workspaceIds: string[]): Promise<Set<string>> {
    const unique = [...new Set(workspaceIds)];
    if (unique.length === 0) return new Set();
    const rows: { key: string }[] = await this.dataSource.query(
      `SELECT DISTINCT w.workspace_id || E'\\n' || e AS key FROM integrations.webhooks w, unnest(w.events) e WHERE w.workspace_id = ANY($1::text[]) AND w.enabled`,
      [unique],
    );
    return new Set(rows.map((r) => r.key));
  }

  subscribers(m: Queryable, workspaceId: string, event: WebhookEventType): Promise<{ id: string }[]> {
    return m.query(`SELECT id FROM integrations.webhooks WHERE workspace_id = $1 AND enabled AND $2 = ANY(events)`, [workspaceId, event]);
  }

  /**
   * One delivery per webhook and event: a second insert for the same event key does nothing. It is due and made
   * on the database's clock (`now()`): the worker claims, retries and prunes deliveries by comparing with
   * `now()` in SQL on every replica, so one clock decides when one is due.
   */
  async insertDelivery(m: Queryable, d: NewDelivery): Promise<DeliveryRow | null> {
    const rows: DeliveryRow[] = await m.query(
      `INSERT INTO integrations.webhook_deliveries (id, webhook_id, workspace_id, event, event_key, session_id, user_id, body, status, next_attempt_at, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending', now(), now())
       ON CONFLICT (webhook_id, event_key) DO NOTHING RETURNING ${DELIVERY_COLUMNS}`,
      [d.id, d.webhookId, d.workspaceId, d.event, d.eventKey, d.sessionId, d.userId, d.body],
    );
    return rows[0] ?? null;
  }

  /** Newest first; the cursor is the last id of the previous page. */
  async deliveries(webhookId: string, cursor: string | undefined, limit: number): Promise<DeliveryRow[]> {
    return this.dataSource.query(
      `SELECT ${DELIVERY_COLUMNS} FROM integrations.webhook_deliveries
        WHERE webhook_id = $1 AND ($2::text IS NULL OR id < $2) ORDER BY id DESC LIMIT $3`,
      [webhookId, cursor ?? null, limit],
    );
  }

  async findDelivery(m: Queryable, workspaceId: string, id: string): Promise<DeliveryRow | null> {
    const rows: DeliveryRow[] = await m.query(
      `SELECT ${DELIVERY_COLUMNS} FROM integrations.webhook_deliveries WHERE workspace_id = $1 AND id = $2 FOR UPDATE`,
      [workspaceId, id],
    );
    return rows[0] ?? null;
  }

  /** Due now again (on the database's clock, as insertDelivery); a failed delivery gets a fresh retry window. */
  async rearm(m: Queryable, id: string): Promise<DeliveryRow> {
    const [row] = rowsOf<DeliveryRow>(await m.query(
      `UPDATE integrations.webhook_deliveries
          SET status = 'pending', next_attempt_at = now(), rearmed = true,
              first_attempt_at = CASE WHEN status = 'failed' THEN NULL ELSE first_attempt_at END
        WHERE id = $1 RETURNING ${DELIVERY_COLUMNS}`,
      [id],
    ));
    return row;
  }

  // ---- Delivery (the worker) ----

  /**
   * Claims up to `limit` enabled endpoints with a delivery due, none of which
   * another replica holds: each is held for `leaseMs` (renewed per attempt),
   * so one endpoint gets one attempt at a time and replicas never send the
   * same delivery together. SKIP LOCKED: replicas claiming at once take different endpoints.
   */
  claimEndpoints(limit: number, leaseMs: number): Promise<ClaimedWebhook[]> {
    return this.dataSource.query(
      `UPDATE integrations.webhooks w SET busy_until = now() + $2 * interval '1 millisecond'
        WHERE w.id IN (
          SELECT c.id FROM integrations.webhooks c
           WHERE c.enabled AND (c.busy_until IS NULL OR c.busy_until < now())
             AND EXISTS (SELECT 1 FROM integrations.webhook_deliveries d
                          WHERE d.webhook_id = c.id AND d.status = 'pending' AND d.next_attempt_at <= now())
           ORDER BY c.busy_until NULLS FIRST
           LIMIT $1 FOR UPDATE SKIP LOCKED)
        RETURNING w.id, w.url, w.secret_sealed`,
      [limit, leaseMs],
    ).then((result: unknown) => rowsOf<ClaimedWebhook>(result));
  }

  /** Renews the hold on an endpoint before an attempt. */
  async renew(webhookId: string, leaseMs: number): Promise<void> {
    await this.dataSource.query(`UPDATE integrations.webhooks SET busy_until = now() + $2 * interval '1 millisecond' WHERE id = $1`, [webhookId, leaseMs]);
  }

  async release(webhookId: string): Promise<void> {
    await this.dataSource.query(`UPDATE integrations.webhooks SET busy_until = NULL WHERE id = $1`, [webhookId]);
  }

  /** The oldest delivery of the endpoint that is due now; its first attempt's time is set when it has none. */
  async nextDue(webhookId: string): Promise<DeliveryRow | null> {
    const rows = rowsOf<DeliveryRow>(await this.dataSource.query(
      `UPDATE integrations.webhook_deliveries SET first_attempt_at = coalesce(first_attempt_at, now()), rearmed = false
        WHERE id = (SELECT id FROM integrations.webhook_deliveries
                     WHERE webhook_id = $1 AND status = 'pending' AND next_attempt_at <= now()
                     ORDER BY next_attempt_at, id LIMIT 1)
        RETURNING ${DELIVERY_COLUMNS}`,
      [webhookId],
    ));
    return rows[0] ?? null;
  }

  /** A retry asked during the attempt (`rearmed`) keeps the delivery due: the operator's retry still goes out. */
  async succeeded(id: string, status: number): Promise<void> {
    await this.dataSource.query(
      `UPDATE integrations.webhook_deliveries SET attempts = attempts + 1, last_status = $2, last_error = NULL, delivered_at = now(),
              status = CASE WHEN rearmed THEN 'pending' ELSE 'succeeded' END,
              next_attempt_at = CASE WHEN rearmed THEN now() ELSE NULL END
        WHERE id = $1`,
      [id, status],
    );
  }

  /** A failed attempt: due again after `retryInMs`, or failed for good (null) and the endpoint disabled, in one transaction. */
  async attemptFailed(id: string, outcome: { status: number | null; error: string | null }, retryInMs: number | null): Promise<{ disabled: WebhookRow | null }> {
    return this.dataSource.transaction(async (m) => {
      const [row] = rowsOf<{ webhook_id: string; status: string }>(await m.query(
        `UPDATE integrations.webhook_deliveries SET attempts = attempts + 1, last_status = $2, last_error = $3,
                status = CASE WHEN $4::bigint IS NULL AND NOT rearmed THEN 'failed' ELSE 'pending' END,
                next_attempt_at = CASE WHEN rearmed THEN now() WHEN $4::bigint IS NULL THEN NULL ELSE now() + $4 * interval '1 millisecond' END
          WHERE id = $1 RETURNING webhook_id, status`,
        [id, outcome.status, outcome.error, retryInMs],
      ));
      if (!row || row.status !== 'failed') return { disabled: null };
      const disabled = rowsOf<WebhookRow>(await m.query(
        `UPDATE integrations.webhooks SET enabled = false, disabled_at = now(), disabled_reason = 'delivery_failed', updated_at = now()
          WHERE id = $1 AND enabled RETURNING ${WEBHOOK_COLUMNS}`,
        [row.webhook_id],
      ));
      return { disabled: disabled[0] ?? null };
    });
  }

  /** The delivery log's old entries (ended before the cutoff), and the handled-event records older than the stream keeps events. */
  async prune(logDays: number, consumedHours: number): Promise<void> {
    await this.dataSource.query(
      `DELETE FROM integrations.webhook_deliveries WHERE status <> 'pending' AND coalesce(delivered_at, created_at) < now() - $1 * interval '1 day'`,
      [logDays],
    );
    await this.dataSource.query(`DELETE FROM integrations.consumed_events WHERE consumed_at < now() - $1 * interval '1 hour'`, [consumedHours]);
  }

  /** Deliveries waiting, and how long the oldest due one has waited (the /metrics gauges). */
  async backlog(): Promise<{ pending: number; oldestDueSeconds: number }> {
    const [row]: { pending: string; age: number | null }[] = await this.dataSource.query(
      `SELECT count(*) AS pending, extract(epoch FROM now() - min(next_attempt_at) FILTER (WHERE next_attempt_at <= now()))::float8 AS age
         FROM integrations.webhook_deliveries WHERE status = 'pending'`,
    );
    return { pending: Number(row.pending), oldestDueSeconds: Math.max(0, row.age ?? 0) };
  }

  // ---- Personal data (SPEC §17): the bodies of deliveries about a person ----

  erasePerson(m: Queryable, p: PersonKeys): Promise<number> {
    return deleteCounted(
      m,
      `DELETE FROM integrations.webhook_deliveries WHERE workspace_id = $1 AND (session_id = ANY($2) OR user_id = ANY($3))`,
      [p.workspaceId, p.sessionIds, p.userIds],
    );
  }

  exportPerson(p: PersonKeys, afterId: string | null, limit: number): Promise<{ id: string }[]> {
    return this.dataSource.query(
      `SELECT id, webhook_id AS "webhookId", event, body::jsonb AS body, status, created_at AS "createdAt"
         FROM integrations.webhook_deliveries
        WHERE workspace_id = $1 AND (session_id = ANY($2) OR user_id = ANY($3)) AND ($4::text IS NULL OR id > $4)
        ORDER BY id LIMIT $5`,
      [p.workspaceId, p.sessionIds, p.userIds, afterId, limit],
    );
  }
}
