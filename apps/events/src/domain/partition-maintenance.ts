import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { InjectConfig, InjectLogger, Scheduler } from '@widget/common';
import type { Logger } from 'pino';
import { EVENT_MAX_AGE_MS } from '@widget/contracts';
import type { EventsConfig } from '../config';
import { EventsRepository } from '../persistence/events.repository';

const DAY_MS = 86_400_000;
const isoDay = (t: number) => new Date(t).toISOString().slice(0, 10);

/**
 * Keeps a month of partitions ready ahead of the clock (so no accepted event
 * lands in the default partition) and trims the id ledger past the window in
 * which a duplicate could still be accepted.
 */
@Injectable()
export class PartitionMaintenance implements OnApplicationBootstrap {
  private readonly logger: Logger;

  constructor(
    private readonly repo: EventsRepository,
    @InjectConfig() private readonly config: EventsConfig,
    private readonly scheduler: Scheduler,
    @InjectLogger() logger: Logger,
  ) {
    this.logger = logger.child({ component: 'PartitionMaintenance' });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.run();
    this.scheduler.every('event-partitions', this.config.EVENTS_MAINTENANCE_INTERVAL_MS, () => this.run());
  }

  async run(): Promise<void> {
    const now = Date.now();
    try {
      const made = await this.repo.ensurePartitions(isoDay(now - EVENT_MAX_AGE_MS - DAY_MS), isoDay(now + 35 * DAY_MS));
      if (made > 0) this.logger.info(`created ${made} event partition(s)`);
      await this.repo.purgeIdsBefore(new Date(now - this.config.EVENTS_DEDUP_RETENTION_DAYS * DAY_MS));
    } catch (err) {
      this.logger.error(`event partition maintenance failed: ${(err as Error).message}`);
    }
  }
}
