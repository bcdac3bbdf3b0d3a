import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

/** One request as the receiver saw it. */
export interface Received {
  id: string;
  timestamp: string;
  signature: string;
  body: string;
  /** The body parsed: `{ type, timestamp, data }`. */
  json: { type: string; timestamp: string; data: any };
  /** When the receiver answered (null while it holds the request, or when the sender went away). */
  status: number | null;
}

/** What to do with a request: answer with a status now (a redirect with its Location), or hold it (the test releases it, or the sender gives up). */
export type Reply = number | { status: number; location: string } | 'hold';

/**
 * An HTTP endpoint on 127.0.0.1 that records every webhook request and
 * answers as the test says (`reply(request, n)`: n counts the requests so
 * far, from 1). A held request is answered by `release()` or never.
 */
export class WebhookReceiver {
  readonly received: Received[] = [];
  private readonly held: { res: ServerResponse; entry: Received }[] = [];
  private waiters: (() => void)[] = [];
  private server!: Server;

  private constructor(
    private reply: (request: Received, n: number) => Reply,
    private readonly tls: boolean,
  ) {}

  /** Plain http, or https with `tls` (a PEM key and certificate). */
  static async start(reply: (request: Received, n: number) => Reply = () => 200, tls?: { key: string; cert: string }): Promise<WebhookReceiver> {
    const receiver = new WebhookReceiver(reply, tls !== undefined);
    const handler = (req: IncomingMessage, res: ServerResponse) => void receiver.handle(req, res);
    receiver.server = tls ? createTlsServer(tls, handler) : createServer(handler);
    await new Promise<void>((resolve) => receiver.server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  get url(): string {
    return `${this.tls ? 'https' : 'http'}://127.0.0.1:${this.port}/hooks`;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** Changes how the next requests are answered. */
  answer(reply: (request: Received, n: number) => Reply): void {
    this.reply = reply;
  }

  /** Resolves once `predicate` holds over what was received (checked on each request), or fails after `timeoutMs`. */
  async until(predicate: (received: Received[]) => boolean, timeoutMs = 60_000): Promise<Received[]> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.received)) {
      if (Date.now() > deadline) throw new Error(`receiver: condition not met in ${timeoutMs} ms; got ${this.received.length} request(s): ${this.received.map((r) => r.json?.type).join(', ')}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 200);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.received;
  }

  /** Answers every held request with `status`. */
  release(status = 200): void {
    for (const { res, entry } of this.held.splice(0)) {
      if (res.destroyed || res.writableEnded) continue;
      entry.status = status;
      res.writeHead(status).end();
    }
  }

  get holding(): number {
    return this.held.filter(({ res }) => !res.destroyed && !res.writableEnded).length;
  }

  async stop(): Promise<void> {
    this.release(200);
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    let json: Received['json'];
    try {
      json = JSON.parse(body);
    } catch {
      json = { type: '(not json)', timestamp: '', data: null };
    }
    const header = (name: string) => String(req.headers[name] ?? '');
    const entry: Received = { id: header('webhook-id'), timestamp: header('webhook-timestamp'), signature: header('webhook-signature'), body, json, status: null };
    this.received.push(entry);
    const reply = this.reply(entry, this.received.length);
    if (reply === 'hold') this.held.push({ res, entry });
    else if (typeof reply === 'number') {
      entry.status = reply;
      res.writeHead(reply).end();
    } else {
      entry.status = reply.status;
      res.writeHead(reply.status, { location: reply.location }).end();
    }
    this.waiters.splice(0).forEach((wake) => wake());
  }
}

/** The receivers one spec starts (`start`, as WebhookReceiver.start), all stopped by `stopAll()` in its afterAll. */
export class ReceiverPool {
  private readonly started: WebhookReceiver[] = [];

  readonly start = async (...args: Parameters<typeof WebhookReceiver.start>): Promise<WebhookReceiver> => {
    const receiver = await WebhookReceiver.start(...args);
    this.started.push(receiver);
    return receiver;
  };

  async stopAll(): Promise<void> {
    await Promise.all(this.started.splice(0).map((r) => r.stop()));
  }
}
