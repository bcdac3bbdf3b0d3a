import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectConfig } from '@widget/common';
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
  private readonly logger = new Logger('EmailWorker');
  private timer?: NodeJS.Timeout;
  private running: Promise<void> | null = null;

  constructor(
    private readonly unread: UnreadRepliesService,
    private readonly sender: MailSender,
    @InjectConfig() private readonly config: IntegrationsConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.sender.enabled) return;
    this.timer = setInterval(() => void this.tick(), this.config.EMAIL_POLL);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
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
