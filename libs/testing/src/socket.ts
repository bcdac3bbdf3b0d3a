import { io, Socket } from 'socket.io-client';
import { TEST_ORIGIN } from './factories';
import { RunningApp, spawnApp, StackInfo } from './stack';

import { REALTIME_PATH } from '@widget/contracts';
export { REALTIME_PATH };

export interface SocketOptions {
  /** Realtime or session token, sent as `auth.token`. */
  token?: string;
  /** Handshake Origin; null sends none. Default: the test widget's allowed origin. */
  origin?: string | null;
  lastMessageId?: string;
  /** Extra handshake `auth` fields (e.g. `since`), merged after token and lastMessageId. */
  auth?: Record<string, unknown>;
  query?: Record<string, string>;
  transports?: ('polling' | 'websocket')[];
  /** Off by default so a refused handshake fails the test instead of retrying. */
  reconnection?: boolean;
  /** More handshake request headers (e.g. X-Forwarded-For, to be another client address behind TRUST_PROXY). */
  headers?: Record<string, string>;
}

/** A socket.io client on `baseUrl` (the gateway's public URL, or a realtime replica's own). */
export function connectSocket(baseUrl: string, options: SocketOptions = {}): Socket {
  const origin = options.origin === undefined ? TEST_ORIGIN : options.origin;
  return io(baseUrl, {
    path: REALTIME_PATH,
    auth: { ...(options.token !== undefined && { token: options.token }), ...(options.lastMessageId && { lastMessageId: options.lastMessageId }), ...options.auth },
    query: options.query,
    transports: options.transports ?? ['websocket'],
    extraHeaders: { ...(origin ? { origin } : {}), ...options.headers },
    reconnection: options.reconnection ?? false,
    forceNew: true,
    timeout: 10_000,
  });
}

/** Resolves once connected; rejects with the handshake's error (its `data` is the envelope when refused). */
export function waitConnected(socket: Socket, timeoutMs = 10_000): Promise<Socket> {
  if (socket.connected) return Promise.resolve(socket);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`socket did not connect within ${timeoutMs} ms`)), timeoutMs);
    const done = (err?: Error) => {
      clearTimeout(timer);
      socket.off('connect', onConnect);
      socket.off('connect_error', onError);
      if (err) reject(err);
      else resolve(socket);
    };
    const onConnect = () => done();
    const onError = (err: Error) => done(err);
    socket.on('connect', onConnect);
    socket.on('connect_error', onError);
  });
}

/** Connects and waits; closes the socket when the handshake fails. */
export async function openSocket(baseUrl: string, options: SocketOptions = {}): Promise<Socket> {
  const socket = connectSocket(baseUrl, options);
  try {
    return await waitConnected(socket);
  } catch (err) {
    socket.close();
    throw err;
  }
}

/**
 * Connects with a recorder of event `name` attached before the handshake. What the server sends right after
 * accepting (a reconnect replay) can arrive in the same TCP read as the connect packet; socket.io-client then
 * emits them all in one task, before a listener attached after `openSocket` resolves could see them.
 */
export async function openRecording<T = any>(baseUrl: string, name: string, options: SocketOptions = {}): Promise<{ socket: Socket; seen: T[] }> {
  const socket = connectSocket(baseUrl, options);
  const seen = recordEvents<T>(socket, name);
  try {
    return { socket: await waitConnected(socket), seen };
  } catch (err) {
    socket.close();
    throw err;
  }
}

/** The refusal of a handshake that must fail: `{ message, data }` with the envelope in `data`. */
export async function refusedHandshake(baseUrl: string, options: SocketOptions = {}): Promise<Error & { data?: any }> {
  const socket = connectSocket(baseUrl, options);
  try {
    await waitConnected(socket);
  } catch (err) {
    return err as Error & { data?: any };
  } finally {
    socket.close();
  }
  throw new Error('the handshake was accepted but should have been refused');
}

/** Every payload of event `name` from now on, in arrival order. */
export function recordEvents<T = any>(socket: Socket, name: string): T[] {
  const seen: T[] = [];
  socket.on(name, (payload: T) => seen.push(payload));
  return seen;
}

/** The next payload of event `name` that satisfies `match`. */
export function nextEvent<T = any>(socket: Socket, name: string, match: (payload: T) => boolean = () => true, timeoutMs = 10_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off(name, listener);
      reject(new Error(`no "${name}" event within ${timeoutMs} ms`));
    }, timeoutMs);
    const listener = (payload: T) => {
      if (!match(payload)) return;
      clearTimeout(timer);
      socket.off(name, listener);
      resolve(payload);
    };
    socket.on(name, listener);
  });
}

/** Resolves with the disconnect reason ('io server disconnect', 'transport close', …). */
export function nextDisconnect(socket: Socket, timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no disconnect within ${timeoutMs} ms`)), timeoutMs);
    socket.once('disconnect', (reason: string) => {
      clearTimeout(timer);
      resolve(reason);
    });
  });
}

export type ExtraReplica = Pick<RunningApp, 'url' | 'logFile' | 'stop'>;

/** One more realtime replica on a running stack's NATS namespace (for multi-replica and shutdown tests). */
export function spawnRealtimeReplica(stack: StackInfo): Promise<ExtraReplica> {
  return spawnApp(stack, 'realtime');
}
