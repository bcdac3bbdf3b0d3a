import { ParsedMail, simpleParser } from 'mailparser';
import { createTransport } from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { freePort, Stack, startStack } from '@widget/testing';

/** What the test's SMTP server received: the envelope and the parsed mail. */
export interface ReceivedMail {
  from: string;
  to: string[];
  parsed: ParsedMail;
  raw: string;
}

/**
 * A real SMTP server (smtp-server) standing in for the deployment's mail relay:
 * the stack's SMTP_URL points at it. `stop()` and `start()` on the same port
 * play an outage.
 */
export class SmtpReceiver {
  readonly mails: ReceivedMail[] = [];
  private server: SMTPServer | null = null;
  private waiters: { match: (m: ReceivedMail) => boolean; resolve: (m: ReceivedMail) => void }[] = [];

  constructor(readonly port: number) {}

  async start(): Promise<void> {
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks);
          void simpleParser(raw).then((parsed) => {
            const mail: ReceivedMail = {
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              to: session.envelope.rcptTo.map((r) => r.address),
              parsed,
              raw: raw.toString('utf8'),
            };
            this.mails.push(mail);
            this.waiters = this.waiters.filter((w) => (w.match(mail) ? (w.resolve(mail), false) : true));
            callback();
          }, callback);
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.listen(this.port, '127.0.0.1', () => resolve()).once('error', reject);
    });
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  to(address: string): ReceivedMail[] {
    return this.mails.filter((m) => m.to.includes(address));
  }

  /** The first mail (received already or later) that matches. */
  next(match: (m: ReceivedMail) => boolean, timeoutMs = 20_000): Promise<ReceivedMail> {
    const seen = this.mails.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching mail within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({
        match,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      });
    });
  }
}

/** A visitor's mail client: nodemailer sending straight into the stack's reply listener. */
export async function sendReply(port: number, mail: { from: string; to: string; subject?: string; text: string; html?: string; inReplyTo?: string }): Promise<{ response: string }> {
  const transport = createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true, logger: false });
  try {
    return await transport.sendMail({ subject: 'Re: your conversation', ...mail });
  } finally {
    transport.close();
  }
}

/** A mail as raw bytes (a malformed one), with its envelope; resolves with the SMTP error, or null when accepted. */
export async function rawReply(port: number, envelope: { from: string; to: string }, raw: string): Promise<{ responseCode?: number; response?: string } | null> {
  const transport = createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true, logger: false });
  try {
    await transport.sendMail({ envelope, raw });
    return null;
  } catch (err) {
    return err as { responseCode?: number; response?: string };
  } finally {
    transport.close();
  }
}

/**
 * A stack of its own with the integrations service, mailing through a new SmtpReceiver and taking the visitors'
 * answers on a free port for `inboundDomain`; `env` adds a spec's own delays and limits.
 */
export async function startMailStack(inboundDomain: string, env: Record<string, string>): Promise<{ stack: Stack; smtp: SmtpReceiver; inboundPort: number }> {
  const smtp = new SmtpReceiver(await freePort());
  await smtp.start();
  const inboundPort = await freePort();
  const stack = await startStack({
    services: ['session', 'team', 'conversation', 'integrations'],
    realtime: true,
    env: {
      SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
      // The worker's own namespace (on the stack's own NATS server): the contracts a spec sends with carry it.
      NATS_SUBJECT_PREFIX: process.env.NATS_SUBJECT_PREFIX ?? '',
      EMAIL_FROM: 'Acme Support <support@acme.test>',
      EMAIL_INBOUND_DOMAIN: inboundDomain,
      EMAIL_INBOUND_HOST: '127.0.0.1',
      EMAIL_INBOUND_PORT: String(inboundPort),
      EMAIL_LINK_ORIGIN: 'https://support.acme.test',
      EMAIL_POLL: '200ms',
      ...env,
    },
  });
  return { stack, smtp, inboundPort };
}
