import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectConfig } from '@widget/common';
import { ATTACHMENT_UNSENT_TTL_MS } from '@widget/contracts';
import type { ConversationConfig } from '../config';
import { AttachmentsService } from './attachments.service';

/**
 * Deletes attachments not sent within the hour, finished or not (an upload cut
 * off by a restart too), with their bytes, and works off the queued S3 deletions
 * (attachment_purges). Every replica runs it; replicas take different rows and deletes are idempotent.
 */
@Injectable()
export class AttachmentSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('AttachmentSweeper');
  private timer?: NodeJS.Timeout;
  private running = false;

  constructor(
    private readonly attachments: AttachmentsService,
    @InjectConfig() private readonly config: ConversationConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.run(), this.config.ATTACHMENT_SWEEP_INTERVAL_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  async run(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while ((await this.attachments.sweep(new Date(), ATTACHMENT_UNSENT_TTL_MS)) > 0);
      // S3 objects of deleted attachments (erasures, retention, this sweep) whose first deletion failed or was cut off.
      await this.attachments.purgeDue();
    } catch (err) {
      this.logger.error(`attachment sweep failed: ${(err as Error).message}`);
    } finally {
      this.running = false;
    }
  }
}
