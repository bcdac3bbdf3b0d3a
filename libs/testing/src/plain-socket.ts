import { HANDSHAKE_KEYS, REALTIME_PATH } from '@widget/contracts';
import WebSocket from 'ws';
import { TEST_ORIGIN } from './factories';

export interface PlainSocketOptions {
  /** Realtime, session or operator token, sent as `?session_token=`. */
  token?: string;
  /** Upgrade Origin; null sends none. Default: the test widget's allowed origin. */
  origin?: string | null;
  lastMessageId?: string;
  query?: Record<string, string>;
  /** More upgrade request headers (e.g. X-Forwarded-For, to be another client address behind TRUST_PROXY). */
  headers?: Record<string, string>;
}

/** A bare `ws` client on the plain WebSocket protocol, with every frame it received, in order. */
export interface PlainSocket {
  ws: WebSocket;
  frames: any[];
  pings: number;
  send(frame: unknown): void;
  /** The first frame received (before or after the call) that satisfies `match` and was not returned by an earlier call. */
  next(match?: (frame: any) => boolean, timeoutMs?: number): Promise<any>;
  /** Resolves with the close code and reason. */
  closed(timeoutMs?: number): Promise<{ code: number; reason: string }>;
  close(): void;
}

export function plainSocketUrl(baseUrl: string, options: PlainSocketOptions = {}): string {
  const url = new URL(REALTIME_PATH, baseUrl.replace(/^http/, 'ws'));
  if (options.token !== undefined) url.searchParams.set(HANDSHAKE_KEYS.token.query, options.token);
  if (options.lastMessageId) url.searchParams.set(HANDSHAKE_KEYS.lastMessageId.query, options.lastMessageId);
  for (const [k, v] of Object.entries(options.query ?? {})) url.searchParams.set(k, v);
  return url.toString();
}

function client(baseUrl: string, options: PlainSocketOptions): WebSocket {
  const origin = options.origin === undefined ? TEST_ORIGIN : options.origin;
  return new WebSocket(plainSocketUrl(baseUrl, options), { headers: { ...(origin ? { origin } : {}), ...options.headers }, handshakeTimeout: 10_000 });
}

/** Opens a plain WebSocket and waits for the upgrade; rejects when it is refused. */
export function openPlainSocket(baseUrl: string, options: PlainSocketOptions = {}): Promise<PlainSocket> {
  const ws = client(baseUrl, options);
  const frames: any[] = [];
  const waiters = new Set<() => void>();
  const taken = new Set<number>();
  let closeInfo: { code: number; reason: string } | null = null;
  const socket: PlainSocket = {
    ws,
    frames,
    pings: 0,
    send: (frame) => ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame)),
    next(match = () => true, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        // The first matching frame not handed out before, from the whole history: an event may arrive before the HTTP reply that caused it.
        const check = () => {
          const index = frames.findIndex((f, i) => !taken.has(i) && match(f));
          if (index < 0) return;
          taken.add(index);
          done();
          resolve(frames[index]);
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`no matching frame within ${timeoutMs} ms; got ${JSON.stringify(frames)}`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    closed(timeoutMs = 10_000) {
      if (closeInfo) return Promise.resolve(closeInfo);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`socket not closed within ${timeoutMs} ms`)), timeoutMs);
        ws.once('close', (code, reason) => {
          clearTimeout(timer);
          resolve({ code, reason: reason.toString() });
        });
      });
    },
    close: () => ws.close(),
  };
  ws.on('message', (data) => {
    frames.push(JSON.parse(data.toString()));
    for (const check of [...waiters]) check();
  });
  ws.on('ping', () => socket.pings++);
  ws.on('close', (code, reason) => (closeInfo = { code, reason: reason.toString() }));
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(socket));
    ws.once('unexpected-response', (_req, res) => {
      ws.terminate();
      reject(new Error(`upgrade refused with ${res.statusCode}`));
    });
    ws.once('error', reject);
  });
}

/** The HTTP answer to an upgrade that must be refused: status, headers and the parsed error envelope. */
export function refusedPlainUpgrade(baseUrl: string, options: PlainSocketOptions = {}): Promise<{ status: number; headers: Record<string, unknown>; body: any }> {
  const ws = client(baseUrl, options);
  return new Promise((resolve, reject) => {
    ws.once('open', () => {
      ws.terminate();
      reject(new Error('the upgrade was accepted but should have been refused'));
    });
    ws.once('unexpected-response', (_req, res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => {
        ws.terminate();
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text ? JSON.parse(text) : null });
      });
    });
    ws.once('error', (err) => {
      if (!/Unexpected server response/.test(err.message)) reject(err);
    });
  });
}
