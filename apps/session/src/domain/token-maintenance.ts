import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { InjectConfig, InjectLogger, Scheduler } from '@widget/common';
import type { Logger } from 'pino';
import type { SessionConfig } from '../config';
import { SessionRepository } from '../persistence/session.repository';

/**
 * Deletes what can no longer be used: expired realtime tokens (visitor and
 * operator) and JWT ids a day past their token's expiry (a replay of such a
 * token fails on exp anyway). Every replica runs it; the deletes are idempotent.
 */
@Injectable()
export class TokenMaintenance implements OnApplicationBootstrap {
  private readonly logger: Logger;

  constructor(
    private readonly repo: SessionRepository,
    @InjectConfig() private readonly config: SessionConfig,
    private readonly scheduler: Scheduler,
    @InjectLogger() logger: Logger,
  ) {
    this.logger = logger.child({ component: 'TokenMaintenance' });
  }

  onApplicationBootstrap(): void {
    this.scheduler.every('token-maintenance', this.config.SESSION_MAINTENANCE_INTERVAL_MS, () => this.run());
  }

  async run(): Promise<void> {
    try {
      await this.repo.purgeExpired();
    } catch (err) {
      this.logger.error(`token maintenance failed: ${(err as Error).message}`);
    }
  }
}
