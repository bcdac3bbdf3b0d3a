import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectConfig, InjectLogger, NatsBus, Scheduler, yieldShareOfTime } from '@widget/common';
import type { Logger } from 'pino';
import { RetentionPolicy, SessionRpc } from '@widget/contracts';
import type { EventsConfig } from '../config';
import { EventsPrivacyRepository } from '../persistence/privacy.repository';

const DAY_MS = 86_400_000;
const FIRST_SWEEP_MAX_MS = 30_000;

/**
 * SPEC §17 retention: every RETENTION_SWEEP_INTERVAL_MS (the first time
 * within 30 s of start-up) asks the session service which workspaces limit
 * how long events are kept (`retention.eventDays`) and deletes their older
 * events, partition by partition, in statements of at most RETENTION_SWEEP_BATCH_ROWS rows,
 * each its own short transaction. Replicas may sweep at the same time: each
 * skips the rows another has locked. When the session service does not
 * answer, nothing is deleted and the next sweep tries again.
 */
@Injectable()
export class RetentionSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger: Logger;
  private running?: Promise<void>;
  private stopping = false;

  constructor(
    private readonly repo: EventsPrivacyRepository,
    private readonly bus: NatsBus,
    @InjectConfig() private readonly config: EventsConfig,
    private readonly scheduler: Scheduler,
    @InjectLogger() logger: Logger,
  ) {
    this.logger = logger.child({ component: 'RetentionSweeper' });
  }

  onApplicationBootstrap(): void {
    // Start-up neither waits for the session service nor fails without it. The first sweep
    // comes within 30 s (a replica restarted more often than the interval still sweeps), at a
    // random moment, so replicas started together do not all ask at once.
    const interval = this.config.RETENTION_SWEEP_INTERVAL_MS;
    const firstInMs = Math.floor(Math.random() * Math.min(FIRST_SWEEP_MAX_MS, interval));
    this.scheduler.every('event-retention', interval, () => this.sweep(), { firstInMs, onStop: () => (this.stopping = true) });
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.running;
  }

  /** One sweep at a time per replica; a call while one runs joins it. */
  sweep(): Promise<void> {
    this.running ??= this.run().finally(() => (this.running = undefined));
    return this.running;
  }

  private async run(): Promise<void> {
    if (this.stopping) return;
    let policies: RetentionPolicy[];
    try {
      policies = await this.bus.send(SessionRpc.retentionPolicies, {});
    } catch (err) {
      this.logger.warn(`retention policies unavailable, no events deleted until the next sweep: ${(err as Error).message}`);
      return;
    }
    const now = Date.now();
    for (const { workspaceId, retention } of policies) {
      if (this.stopping) return;
      if (!retention.eventDays) continue;
      try {
        const deleted = await this.sweepWorkspace(workspaceId, new Date(now - retention.eventDays * DAY_MS));
        if (deleted > 0) this.logger.info(`retention: deleted ${deleted} event(s) of workspace ${workspaceId} older than ${retention.eventDays} day(s)`);
      } catch (err) {
        this.logger.error(`retention sweep of workspace ${workspaceId} failed: ${(err as Error).message}`);
      }
    }
  }

  private async sweepWorkspace(workspaceId: string, cutoff: Date): Promise<number> {
    const batch = this.config.RETENTION_SWEEP_BATCH_ROWS;
    let deleted = 0;
    for (const partition of await this.repo.partitionsBefore(cutoff)) {
      for (;;) {
        if (this.stopping) return deleted;
        const started = performance.now();
        const n = await this.repo.deleteOlderBatch(partition, workspaceId, cutoff, batch);
        deleted += n;
        // Fewer than a batch: this partition has no more (or another replica holds the rest).
        if (n < batch) break;
        await yieldShareOfTime(started, this.config.RETENTION_SWEEP_SHARE);
      }
    }
    return deleted;
  }
}
