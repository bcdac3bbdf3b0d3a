import { Injectable } from '@nestjs/common';
import type { VisitorEvent } from '@widget/contracts';
import type { Queryable } from '@widget/common';
import { DataSource, EntityManager } from 'typeorm';

export interface OutboxRow {
  id: string;
  /** Key of ConversationEvents. */
  event: string;
  payload: VisitorEvent<unknown>;
}

@Injectable()
export class OutboxRepository {
  constructor(private readonly dataSource: DataSource) {}

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  /** Written in the caller's transaction: the events exist exactly when the change they announce does. */
  async insert(rows: OutboxRow[], manager: Queryable): Promise<void> {
    if (rows.length === 0) return;
    const params: unknown[] = [];
    const values = rows.map((row, i) => {
      params.push(row.id, row.event, JSON.stringify(row.payload));
      return `($${i * 3 + 1}, $${i * 3 + 2}, $${i * 3 + 3}::jsonb)`;
    });
    await manager.query(`INSERT INTO conversation.outbox (id, event, payload) VALUES ${values.join(', ')}`, params);
  }

  /**
   * Unsent rows older than `minAgeMs`, oldest first, locked for this
   * transaction; SKIP LOCKED lets each replica take a different batch.
   */
  lockPending(minAgeMs: number, limit: number, manager: EntityManager): Promise<OutboxRow[]> {
    return manager.query(
      `SELECT id, event, payload FROM conversation.outbox
       WHERE sent_at IS NULL AND created_at <= now() - make_interval(secs => $1::double precision / 1000)
       ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED`,
      [minAgeMs, limit],
    );
  }

  async markSent(ids: string[], manager?: EntityManager): Promise<void> {
    if (ids.length === 0) return;
    await (manager ?? this.dataSource.manager).query(`UPDATE conversation.outbox SET sent_at = now() WHERE id = ANY($1) AND sent_at IS NULL`, [ids]);
  }

  async prune(retentionMinutes: number): Promise<void> {
    await this.dataSource.query(`DELETE FROM conversation.outbox WHERE sent_at < now() - make_interval(mins => $1)`, [retentionMinutes]);
  }
}
