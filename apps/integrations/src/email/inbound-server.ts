import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AppError, InjectConfig, InjectLogger, NatsBus } from '@widget/common';
import type { Logger } from 'pino';
import { ConversationRpc, MESSAGE_TEXT_MAX } from '@widget/contracts';
import { simpleParser } from 'mailparser';
import { createHash } from 'node:crypto';
import { SMTPServer, SMTPServerAddress, SMTPServerDataStream, SMTPServerSession } from 'smtp-server';
import type { IntegrationsConfig } from '../config';
import { EmailRepository, StoredToken } from './email.repository';
import { hashEmailToken, normalAddress, tokenOfRecipient } from './reply-address';
import { replyText } from './reply-text';

/** An SMTP refusal: `code` is the reply code the client hears (5xx: do not retry; 4xx: retry later). */
class Refusal extends Error {
  constructor(
    readonly responseCode: number,
    message: string,
    /** What the log says (never an address or a token). */
    readonly reason: string,
  ) {
    super(message);
  }
}

const unknownRecipient = () => new Refusal(550, '5.1.1 No such recipient', 'unknown_token');
const otherSender = () => new Refusal(550, '5.7.1 Sender not allowed to reply to this conversation', 'other_sender');

type ReplySession = SMTPServerSession & { reply?: StoredToken };

/**
 * SPEC §15, email in: an SMTP listener (smtp-server) on EMAIL_INBOUND_PORT,
 * for `reply+<token>@EMAIL_INBOUND_DOMAIN`, normally behind the site's MTA.
 * Everything that can be refused is refused during the SMTP dialogue with a
 * 5xx, before anything is stored: an unknown or expired token (RCPT TO), a
 * sender other than the address the mail went to (MAIL FROM and the From
 * header), a mail over EMAIL_INBOUND_MAX_BYTES, a malformed one, one with no
 * new text. An accepted reply becomes a visitor message with channel `email`
 * through the conversation service's normal path (outbox, realtime). A
 * failure of that path answers 451, so the sending server tries again.
 */
@Injectable()
export class InboundMailServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger: Logger;
  private server: SMTPServer | null = null;

  constructor(
    private readonly bus: NatsBus,
    private readonly repo: EmailRepository,
    @InjectConfig() private readonly config: IntegrationsConfig,
    @InjectLogger() logger: Logger,
  ) {
    this.logger = logger.child({ component: 'InboundMail' });
  }

  async onApplicationBootstrap(): Promise<void> {
    const domain = this.config.EMAIL_INBOUND_DOMAIN;
    if (!domain) return;
    const server = new SMTPServer({
      name: domain,
      banner: 'replies only',
      authOptional: true,
      disabledCommands: ['AUTH', 'STARTTLS'],
      size: this.config.EMAIL_INBOUND_MAX_BYTES,
      logger: false,
      onRcptTo: (address, session, callback) => settle(this.acceptRecipient(address, session as ReplySession, domain), callback, (r) => this.refused(r)),
      onData: (stream, session, callback) => settle(this.acceptData(stream, session as ReplySession), callback, (r) => this.refused(r)),
    });
    server.on('error', (err) => this.logger.warn(`SMTP session error: ${(err as { code?: string }).code ?? err.message}`));
    await new Promise<void>((resolve, reject) => {
      const listening = server.listen(this.config.EMAIL_INBOUND_PORT, this.config.EMAIL_INBOUND_HOST, () => resolve());
      listening.once('error', reject);
    });
    this.server = server;
    this.logger.info(`accepting replies for ${domain} on port ${this.config.EMAIL_INBOUND_PORT}`);
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private refused(r: Refusal): void {
    this.logger.warn(`reply refused (${r.responseCode} ${r.reason})`);
  }

  private async acceptRecipient(address: SMTPServerAddress, session: ReplySession, domain: string): Promise<void> {
    if (session.reply) throw new Refusal(452, '4.5.3 One reply address per message', 'second_recipient');
    const token = tokenOfRecipient(address.address, domain);
    const stored = token ? await this.repo.findToken(hashEmailToken(token), 'reply') : null;
    if (!stored) throw unknownRecipient();
    const sender = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
    if (normalAddress(sender) !== normalAddress(stored.email)) throw otherSender();
    session.reply = stored;
  }

  private async acceptData(stream: SMTPServerDataStream, session: ReplySession): Promise<string> {
    const raw = await readAll(stream);
    if (stream.sizeExceeded) throw new Refusal(552, '5.3.4 Message too big', 'too_big');
    const reply = session.reply;
    if (!reply) throw unknownRecipient();
    const parsed = await simpleParser(raw).catch(() => {
      throw new Refusal(550, '5.6.0 Malformed message', 'malformed');
    });
    const from = parsed.from?.value[0]?.address;
    if (!from) throw new Refusal(550, '5.6.0 Malformed message: no From', 'malformed');
    if (normalAddress(from) !== normalAddress(reply.email)) throw otherSender();
    const text = replyText(parsed.text ?? '');
    if (text.length === 0) throw new Refusal(550, '5.6.0 No new text above the quoted message', 'empty');
    if (text.length > MESSAGE_TEXT_MAX) throw new Refusal(552, `5.3.4 A reply holds at most ${MESSAGE_TEXT_MAX} characters`, 'too_long');

    // The mail's own id (or its bytes): the same mail delivered twice is one message.
    const emailId = createHash('sha256').update(parsed.messageId ?? raw).digest('hex');
    try {
      const { owner } = await this.bus.send(ConversationRpc.adminGet, { conversationId: reply.conversationId });
      const { message } = await this.bus.send(ConversationRpc.emailReply, { conversationId: reply.conversationId, owner, text, emailId });
      this.logger.info(`reply by email posted as ${message.id} in ${reply.conversationId}`);
      return 'Reply accepted';
    } catch (err) {
      // Gone (erased, retention) or refused by the conversation service: for good. Anything else: try again later.
      if (err instanceof AppError && err.status < 500) throw new Refusal(550, '5.1.1 This conversation no longer takes replies', err.code);
      throw new Refusal(451, '4.3.0 Try again later', 'upstream');
    }
  }
}

function readAll(stream: SMTPServerDataStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

/** smtp-server's callbacks from a promise: a Refusal becomes its reply code, anything else a 451. */
function settle<T>(work: Promise<T>, callback: (err?: Error | null, message?: T) => void, log: (r: Refusal) => void): void {
  work.then(
    (value) => callback(null, value),
    (err: unknown) => {
      const refusal = err instanceof Refusal ? err : new Refusal(451, '4.3.0 Try again later', `error ${(err as { code?: string })?.code ?? ''}`.trim());
      log(refusal);
      callback(refusal);
    },
  );
}
