import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectConfig } from '@widget/common';
import type { SessionConfig } from '../config';
import { SessionRepository } from '../persistence/session.repository';

/**
 * Deletes what can no longer be used: expired realtime tokens (visitor and
 * operator) and JWT ids a day past their token's expiry (a replay of such a
 * token fails on exp anyway). Every replica runs it; the deletes are idempotent.
 */
@Injectable()
export class TokenMaintenance implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('TokenMaintenance');
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly repo: SessionRepository,
    @InjectConfig() private readonly config: SessionConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.run(), this.config.SESSION_MAINTENANCE_INTERVAL_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  async run(): Promise<void> {
    try {
      await this.repo.purgeExpired();
    } catch (err) {
      this.logger.error(`token maintenance failed: ${(err as Error).message}`);
    }
  }
}
