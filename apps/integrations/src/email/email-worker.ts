import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectConfig, InjectLogger, Scheduler } from '@widget/common';
import type { Logger } from 'pino';
import type { IntegrationsConfig } from '../config';
import { MailSender } from './mail-sender';
import { UnreadRepliesService } from './unread-replies.service';

/**
 * Every EMAIL_POLL, each replica works off what is due: unread bursts into
 * mail, then mail to the SMTP server. Rows are claimed with SKIP LOCKED, so
 * replicas share the work and never do one twice. Without SMTP_URL it never runs.
 */
@Injectable()
export class EmailWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger: Logger;
  private running: Promise<void> | null = null;

  constructor(
    private readonly unread: UnreadRepliesService,
    private readonly sender: MailSender,
    @InjectConfig() private readonly config: IntegrationsConfig,
    private readonly scheduler: Scheduler,
    @InjectLogger() logger: Logger,
  ) {
    this.logger = logger.child({ component: 'EmailWorker' });
  }

  onApplicationBootstrap(): void {
    if (!this.sender.enabled) return;
    this.scheduler.every('email', this.config.EMAIL_POLL, () => this.tick());
  }

  async onApplicationShutdown(): Promise<void> {
    await this.running;
  }

  tick(): Promise<void> {
    this.running ??= this.work().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async work(): Promise<void> {
    try {
      await this.unread.processDue();
      await this.sender.sendDue();
    } catch (err) {
      this.logger.error(`email work failed: ${(err as Error).message}`);
    }
  }
}
