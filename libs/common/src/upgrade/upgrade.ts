import { REALTIME_PATH } from '@widget/contracts';
import { IncomingMessage, Server, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { AppError, toEnvelope } from '../errors';

export type UpgradeListener = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
/** A claimed upgrade; `next()` hands it to the listeners registered before, as if it had not been claimed. */
export type ClaimedUpgradeListener = (req: IncomingMessage, socket: Duplex, head: Buffer, next: () => void) => void;

/**
 * An upgrade to the realtime path without socket.io's `EIO` query: the plain
 * WebSocket protocol of SPEC §10 (socket.io's engine always sends `EIO`).
 */
export function isPlainRealtimeUpgrade(req: IncomingMessage): boolean {
  const url = new URL(req.url ?? '/', 'http://upgrade.invalid');
  const path = url.pathname.endsWith('/') ? url.pathname.slice(0, -1) : url.pathname;
  return path === REALTIME_PATH && !url.searchParams.has('EIO');
}

/**
 * Puts `handle` in front of the server's 'upgrade' listeners for the upgrades
 * `claims` picks; every other upgrade goes to the listeners registered before
 * (socket.io's engine, the gateway's proxy) exactly as if nothing had changed.
 * Call it once those listeners exist.
 */
export function claimUpgrades(server: Server, claims: (req: IncomingMessage) => boolean, handle: ClaimedUpgradeListener): void {
  const earlier = server.listeners('upgrade') as UpgradeListener[];
  server.removeAllListeners('upgrade');
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const next = () => {
      for (const listener of earlier) listener.call(server, req, socket, head);
    };
    if (claims(req)) return handle(req, socket, head, next);
    next();
  });
}

/** Answers a not-yet-upgraded socket with the HTTP error envelope (SPEC §3) and closes it. */
export function refuseUpgrade(socket: Duplex, err: AppError, requestId: string, headers: Record<string, string> = {}): void {
  const body = JSON.stringify(toEnvelope(err, requestId));
  socket.end(
    `HTTP/1.1 ${err.status} ${STATUS_CODES[err.status] ?? 'Error'}\r\n` +
      'Content-Type: application/json; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      `X-Request-Id: ${requestId}\r\n` +
      Object.entries(headers)
        .map(([name, value]) => `${name}: ${value}\r\n`)
        .join('') +
      'Connection: close\r\n\r\n' +
      body,
  );
}
