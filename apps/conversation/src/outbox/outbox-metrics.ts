import { Injectable, OnModuleInit } from '@nestjs/common';
import { Metrics } from '@widget/common';
import { DataSource } from 'typeorm';

interface Backlog {
  pending: number;
  oldestAgeSeconds: number;
}

/**
 * The outbox backlog on /metrics, read from PostgreSQL on each scrape: rows
 * not yet published, and the age of the oldest one. Both stay near 0 while
 * NATS is up; a growing age means events are waiting (NATS away, the relay
 * stuck). The table is shared, so every replica reports the same numbers.
 */
@Injectable()
export class OutboxMetrics implements OnModuleInit {
  /** One query serves both gauges of a scrape (prom-client collects them concurrently). */
  private reading: Promise<Backlog> | null = null;

  constructor(
    private readonly metrics: Metrics,
    private readonly dataSource: DataSource,
  ) {}

  onModuleInit(): void {
    this.metrics.gaugeFromCallback('outbox_backlog', 'Outbox rows written but not yet published to NATS.', async () => (await this.read()).pending);
    this.metrics.gaugeFromCallback(
      'outbox_backlog_age_seconds',
      'Age in seconds of the oldest outbox row not yet published (0 when none is waiting).',
      async () => (await this.read()).oldestAgeSeconds,
    );
  }

  private read(): Promise<Backlog> {
    this.reading ??= this.query().finally(() => (this.reading = null));
    return this.reading;
  }

  private async query(): Promise<Backlog> {
    // The partial index outbox_pending_idx covers `sent_at IS NULL`.
    const [row] = await this.dataSource.query<Array<{ pending: string; age: number | null }>>(
      `SELECT count(*) AS pending, extract(epoch FROM now() - min(created_at))::float8 AS age
       FROM conversation.outbox WHERE sent_at IS NULL`,
    );
    return { pending: Number(row.pending), oldestAgeSeconds: Math.max(0, row.age ?? 0) };
  }
}
