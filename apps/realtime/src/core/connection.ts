import type { ServerEvent, SocketErrorEnvelope } from '@widget/contracts';
import { REALTIME_CLOSE_CODES } from '@widget/contracts';
import type { TypingState } from '../typing/typing.service';
import type { Viewer } from './viewer';

export type CloseReason = keyof typeof REALTIME_CLOSE_CODES;

/**
 * One socket as the delivery core sees it, whatever its protocol: the codecs
 * (socket.io, plain WebSocket) implement this and nothing else.
 */
export interface Connection {
  readonly viewer: Viewer;
  /** The handshake's request id: replay and log lines of this socket carry it. */
  readonly requestId: string;
  readonly typing: TypingState;
  readonly open: boolean;
  /** One event: socket.io emits it under its `type`, the plain WebSocket sends it as a JSON text frame. */
  send(event: ServerEvent): void;
  /** Ends the socket for good after a last error (socket.io: `error` event, then a server disconnect; plain: error frame, then close 4401/4403). */
  end(envelope: SocketErrorEnvelope, reason: CloseReason): void;
  /** Closes only the transport: the client reconnects (to another replica while draining) and meets the handshake again. */
  drop(): void;
}
