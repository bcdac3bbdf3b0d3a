import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectConfig, InjectLogger, natsConnectOptions, Scheduler } from '@widget/common';
import type { Logger } from 'pino';
import { ConversationEvents } from '@widget/contracts';
import { connect, Events, JSONCodec, NatsConnection } from 'nats';
import type { ConversationConfig } from '../config';
import { OutboxRepository, OutboxRow } from '../persistence/outbox.repository';

const FLUSH_TIMEOUT_MS = 2000;
/**
 * Rows published right after commit are confirmed (one flush, one UPDATE) this
 * long later, together with those published meanwhile: at a trickle of sends
 * one UPDATE then marks several rows instead of one each. Kept well under
 * OUTBOX_MIN_AGE_MS, so the poller does not take rows still waiting here.
 */
const CONFIRM_LINGER_MS = 50;
const BATCH = 200;
const PRUNE_EVERY_MS = 60_000;
const codec = JSONCodec();

/**
 * Publishes the outbox. Right after a commit the writer hands its rows to
 * `publishCommitted` (the low-latency path); a poller publishes whatever that
 * path missed (NATS down at commit, a crash between commit and publish). A row
 * counts as sent only once a flush round-trip proved NATS has it, so delivery
 * is at-least-once; event ids make the rare duplicate harmless.
 *
 * It keeps its own NATS connection: publishing must be confirmable (flush)
 * and must not be buffered blindly while disconnected, which the Nest client
 * behind NatsBus does not offer.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger: Logger;
  private nc: NatsConnection | null = null;
  /** Epoch ms from which publishing is allowed; Infinity while disconnected. */
  private availableAt = Number.POSITIVE_INFINITY;
  private draining = false;
  /** Published right after commit, not yet confirmed and marked sent. */
  private unconfirmed: string[] = [];
  private confirming: Promise<void> | null = null;

  constructor(
    private readonly repo: OutboxRepository,
    @InjectConfig() private readonly config: ConversationConfig,
    private readonly scheduler: Scheduler,
    @InjectLogger() logger: Logger,
  ) {
    this.logger = logger.child({ component: 'OutboxRelay' });
  }

  async onApplicationBootstrap(): Promise<void> {
    this.nc = await connect({
      ...natsConnectOptions(this.config, 'conversation', 'conversation-outbox'),
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
    });
    this.availableAt = Date.now();
    void this.watchStatus(this.nc);
    this.scheduler.every('outbox-poll', this.config.OUTBOX_POLL_MS, () => this.drain());
    this.scheduler.every('outbox-prune', PRUNE_EVERY_MS, () => this.prune());
  }

  async onApplicationShutdown(): Promise<void> {
    await this.confirming;
    const nc = this.nc;
    this.nc = null;
    if (nc && !nc.isClosed()) await nc.drain().catch(() => nc.close());
  }

  /** After commit: publish now when NATS is there, else leave the rows to the poller. */
  publishCommitted(rows: OutboxRow[]): void {
    if (rows.length === 0 || !this.publishAll(rows)) return;
    for (const row of rows) this.unconfirmed.push(row.id);
    this.confirming ??= this.confirmPublished().finally(() => (this.confirming = null));
  }

  /** Ephemeral events (typing) have no outbox row: stale ones are worthless after an outage. */
  publishEphemeral(row: OutboxRow): void {
    this.publishAll([row]);
  }

  private publishAll(rows: OutboxRow[]): boolean {
    const nc = this.nc;
    if (!nc || nc.isClosed() || Date.now() < this.availableAt) return false;
    for (const row of rows) {
      const subject = ConversationEvents[row.event as keyof typeof ConversationEvents]?.subject;
      if (!subject) {
        this.logger.error(`outbox row ${row.id} names an unknown event "${row.event}"`);
        continue;
      }
      try {
        // The same wire shape as NatsBus.emit, so every consumer decodes every event alike.
        nc.publish(subject, codec.encode({ pattern: subject, data: row.payload }));
      } catch (err) {
        // Only a row NATS refuses outright lands here (e.g. over max_payload): retrying cannot help,
        // and leaving it pending would block the rows behind it, so it is logged and counted as done.
        this.logger.error(`outbox row ${row.id} cannot be published: ${(err as Error).message}`);
      }
    }
    return true;
  }

  /**
   * One flush and one UPDATE for all the rows published while the previous
   * round was in flight or lingered: concurrent sends share them.
   */
  private async confirmPublished(): Promise<void> {
    const linger = Math.min(CONFIRM_LINGER_MS, Math.floor(this.config.OUTBOX_MIN_AGE_MS / 4));
    while (this.unconfirmed.length > 0) {
      if (linger > 0) await new Promise((resolve) => setTimeout(resolve, linger));
      const ids = this.unconfirmed;
      this.unconfirmed = [];
      try {
        await this.flush();
        await this.repo.markSent(ids);
      } catch (err) {
        this.logger.warn(`outbox publish not confirmed (${(err as Error).message}); the poller will retry`);
      }
    }
  }

  /** One pass over the backlog; rows stay locked until their publish is confirmed. */
  async drain(): Promise<void> {
    if (this.draining || !this.nc || Date.now() < this.availableAt) return;
    this.draining = true;
    try {
      let taken = BATCH;
      while (taken === BATCH) {
        taken = await this.repo.transaction(async (manager) => {
          const rows = await this.repo.lockPending(this.config.OUTBOX_MIN_AGE_MS, BATCH, manager);
          if (rows.length === 0 || !this.publishAll(rows)) return 0;
          await this.flush();
          await this.repo.markSent(
            rows.map((r) => r.id),
            manager,
          );
          return rows.length;
        });
      }
    } catch (err) {
      this.logger.warn(`outbox drain failed (${(err as Error).message}); retrying`);
    } finally {
      this.draining = false;
    }
  }

  private async flush(): Promise<void> {
    const nc = this.nc;
    if (!nc) throw new Error('not connected');
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('flush timed out')), FLUSH_TIMEOUT_MS);
    });
    try {
      await Promise.race([nc.flush(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async prune(): Promise<void> {
    await this.repo.prune(this.config.OUTBOX_RETENTION_MINUTES).catch((err: Error) => this.logger.warn(`outbox prune failed: ${err.message}`));
  }

  private async watchStatus(nc: NatsConnection): Promise<void> {
    for await (const status of nc.status()) {
      if (status.type === Events.Disconnect) {
        this.availableAt = Number.POSITIVE_INFINITY;
      } else if (status.type === Events.Reconnect) {
        this.availableAt = Date.now() + this.config.OUTBOX_RECONNECT_GRACE_MS;
        this.logger.info('NATS is back; publishing the outbox backlog after the grace period');
      }
    }
  }
}
