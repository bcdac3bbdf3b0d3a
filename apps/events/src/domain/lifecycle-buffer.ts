import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { InjectConfig } from '@widget/common';
import type { EventsConfig } from '../config';
import { EventsRepository, SystemRow } from '../persistence/events.repository';

/**
 * Lifecycle facts arrive one NATS message each (a session started, a message
 * sent…), and each paid an INSERT of its own (round trip, statement, commit).
 * They wait here at most EVENTS_LIFECYCLE_FLUSH_MS, or until
 * EVENTS_LIFECYCLE_BATCH_MAX are buffered, and are written with one
 * statement whatever their workspace or session. De-duplication stays the
 * ledger's (a redelivery in the same batch is dropped here first, as the
 * statement needs distinct ids). At shutdown, after the NATS subscriptions
 * have drained and before the database closes, what is left is written.
 */
@Injectable()
export class LifecycleBuffer implements OnApplicationShutdown {
  private readonly logger = new Logger('LifecycleBuffer');
  private rows = new Map<string, SystemRow>();
  private timer?: NodeJS.Timeout;
  private readonly writing = new Set<Promise<void>>();

  constructor(
    private readonly repo: EventsRepository,
    @InjectConfig() private readonly config: EventsConfig,
  ) {}

  /**
   * Buffers one fact and returns at once: its handler does not wait for the
   * write (NATS core delivery has no acknowledgement to hold back), which
   * lets the per-message objects die young instead of living through a flush.
   */
  add(row: SystemRow): void {
    // A fact without a workspace would fail the whole statement (NOT NULL): refused alone, as before.
    if (typeof row.workspaceId !== 'string' || row.workspaceId === '') {
      this.logger.warn(`lifecycle fact ${row.eventId} has no workspace id; not recorded`);
      return;
    }
    const key = `${row.workspaceId}\n${row.eventId}`;
    if (!this.rows.has(key)) this.rows.set(key, row);
    if (this.rows.size >= this.config.EVENTS_LIFECYCLE_BATCH_MAX) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.config.EVENTS_LIFECYCLE_FLUSH_MS);
  }

  /** Writes what is buffered; resolves when that, and every write started before, is done. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.rows.size > 0) {
      const rows = [...this.rows.values()];
      this.rows = new Map();
      const write: Promise<void> = this.repo
        .insertSystem(rows)
        .then(
          () => undefined,
          (err: unknown) => this.logger.error(`${rows.length} lifecycle fact(s) not recorded: ${(err as Error).message}`),
        )
        .finally(() => this.writing.delete(write));
      this.writing.add(write);
    }
    return Promise.all(this.writing).then(() => undefined);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.flush();
  }
}
