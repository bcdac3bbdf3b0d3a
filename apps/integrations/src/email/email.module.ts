import { Module, OnModuleInit } from '@nestjs/common';
import { Metrics, unitOfWorkProviders } from '@widget/common';
import { queueGauges } from '../domain/queue-gauges';
import { EmailHandler } from './email.handler';
import { EmailPrivacy } from './email-privacy';
import { EmailRepository } from './email.repository';
import { EmailWorker } from './email-worker';
import { InboundMailServer } from './inbound-server';
import { MailQueueRepository } from './mail-queue.repository';
import { MailSender } from './mail-sender';
import { MemberMailService } from './member-mail.service';
import { TranscriptsService } from './transcripts.service';
import { UnreadRepliesService } from './unread-replies.service';
import { VisitorMailService } from './visitor-mail.service';
import { WebhookDisabledMail } from './webhook-disabled.mail';

/** SPEC §15 email (docs/email.md): mail out through SMTP_URL, replies in on EMAIL_INBOUND_PORT, transcripts. */
@Module({
  controllers: [EmailHandler],
  providers: [
    // The write path of the email RPCs (invitation, transcript request, unsubscribe) and the disabled-webhook mail.
    ...unitOfWorkProviders(),
    EmailRepository,
    MailQueueRepository,
    MailSender,
    VisitorMailService,
    UnreadRepliesService,
    TranscriptsService,
    MemberMailService,
    EmailWorker,
    InboundMailServer,
    EmailPrivacy,
    WebhookDisabledMail,
  ],
  // The webhooks feature tells owners through it (WebhooksModule: EndpointDisabledNotifier).
  exports: [EmailPrivacy, WebhookDisabledMail],
})
export class EmailModule implements OnModuleInit {
  constructor(
    private readonly queue: MailQueueRepository,
    private readonly metrics: Metrics,
  ) {}

  onModuleInit(): void {
    queueGauges(this.metrics, 'mail_queue', 'Mail', () => this.queue.backlog());
  }
}
