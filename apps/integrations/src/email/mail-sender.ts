import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { InjectConfig, InjectLogger } from '@widget/common';
import type { Logger } from 'pino';
import { createTransport, Transporter } from 'nodemailer';
import type { IntegrationsConfig } from '../config';
import { ClaimedMail, MailQueueRepository } from './mail-queue.repository';

/** The longest wait between two attempts of one mail. */
export const MAIL_RETRY_MAX_MS = 3_600_000;
const BATCH = 10;

/** Wait before attempt `attempts + 1`: EMAIL_RETRY_BASE, doubled each time, at most an hour. */
export const mailRetryDelay = (attempts: number, baseMs: number): number => Math.min(MAIL_RETRY_MAX_MS, baseMs * 2 ** Math.max(0, attempts - 1));

/** The server refused this recipient for good (5xx to RCPT TO): more attempts would not help. */
const refusedForGood = (err: { responseCode?: number; command?: string }): boolean => (err.responseCode ?? 0) >= 500 && err.command === 'RCPT TO';

/**
 * Hands the queued mail to SMTP_URL (nodemailer). A failure (the server down,
 * a 4xx, a time-out) leaves the mail queued for a later attempt; the chat never
 * waits for any of it. Logs name the mail id and the error code, never an address.
 */
@Injectable()
export class MailSender implements OnApplicationShutdown {
  private readonly logger: Logger;
  private readonly transport: Transporter | null;

  constructor(
    private readonly queue: MailQueueRepository,
    @InjectConfig() private readonly config: IntegrationsConfig,
    @InjectLogger() logger: Logger,
  ) {
    this.logger = logger.child({ component: 'MailSender' });
    this.transport = config.SMTP_URL
      ? createTransport(config.SMTP_URL, { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000, logger: false, debug: false })
      : null;
  }

  /** No SMTP_URL: nothing is mailed and nothing is queued (SPEC §15). */
  get enabled(): boolean {
    return this.transport !== null;
  }

  /** Sends what is due, a batch at a time, until nothing is; returns how many were sent. */
  async sendDue(): Promise<number> {
    if (!this.transport) return 0;
    let sent = 0;
    for (;;) {
      const batch = await this.queue.claimDue(BATCH);
      for (const mail of batch) if (await this.send(mail)) sent++;
      if (batch.length < BATCH) return sent;
    }
  }

  private async send(mail: ClaimedMail): Promise<boolean> {
    const { content } = mail;
    try {
      await this.transport!.sendMail({
        from: this.config.EMAIL_FROM,
        to: mail.recipient,
        subject: content.subject,
        text: content.text,
        html: content.html,
        replyTo: content.replyTo,
        headers: content.headers,
        // The same Message-ID on every attempt: a server that took it once may drop the copy.
        messageId: `<${mail.id}@${messageIdDomain(this.config)}>`,
      });
      await this.queue.markSent(mail.id);
      return true;
    } catch (err) {
      const e = err as { code?: string; responseCode?: number; command?: string; message?: string };
      const forGood = refusedForGood(e);
      const delay = forGood ? null : mailRetryDelay(mail.attempts, this.config.EMAIL_RETRY_BASE);
      await this.queue.markFailed(mail.id, e.message ?? String(err), delay);
      this.logger.warn(`mail ${mail.id} (${mail.kind}) attempt ${mail.attempts} failed: ${e.code ?? 'error'} ${e.responseCode ?? ''}; ${forGood ? 'refused for good' : `next in ${delay} ms`}`);
      return false;
    }
  }

  onApplicationShutdown(): void {
    this.transport?.close();
  }
}

function messageIdDomain(config: IntegrationsConfig): string {
  const at = config.EMAIL_FROM.lastIndexOf('@');
  const domain = at >= 0 ? config.EMAIL_FROM.slice(at + 1).replace(/[>\s].*$/, '') : '';
  return domain || config.EMAIL_INBOUND_DOMAIN || 'localhost';
}
