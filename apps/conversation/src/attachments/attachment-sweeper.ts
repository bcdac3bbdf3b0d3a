import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { InjectConfig, InjectLogger, Scheduler } from '@widget/common';
import type { Logger } from 'pino';
import { ATTACHMENT_UNSENT_TTL_MS } from '@widget/contracts';
import type { ConversationConfig } from '../config';
import { AttachmentsService } from './attachments.service';

/**
 * Deletes attachments not sent within the hour, finished or not (an upload cut
 * off by a restart too), with their bytes, and works off the queued S3 deletions
 * (attachment_purges). Every replica runs it; replicas take different rows and deletes are idempotent.
 */
@Injectable()
export class AttachmentSweeper implements OnApplicationBootstrap {
  private readonly logger: Logger;
  private running = false;

  constructor(
    private readonly attachments: AttachmentsService,
    @InjectConfig() private readonly config: ConversationConfig,
    private readonly scheduler: Scheduler,
    @InjectLogger() logger: Logger,
  ) {
    this.logger = logger.child({ component: 'AttachmentSweeper' });
  }

  onApplicationBootstrap(): void {
    this.scheduler.every('attachment-sweep', this.config.ATTACHMENT_SWEEP_INTERVAL_MS, () => this.run());
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
