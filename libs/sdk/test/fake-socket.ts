import { EventEmitter } from 'node:events';
import type { SocketEnvelope } from '../src/core/realtime';

/** The options a socket was opened with (what the specs read of them). */
export interface FakeSocketOptions {
  auth: Record<string, unknown>;
  transports: string[];
  path: string;
}

/** A stand-in for a socket.io client socket, for the SDK's unit specs: the spec fires its events. */
export class FakeSocket extends EventEmitter {
  connected = false;
  anyHandler: ((name: string, envelope: SocketEnvelope) => void) | null = null;
  constructor(readonly options: FakeSocketOptions) {
    super();
  }
  onAny(handler: (name: string, envelope: SocketEnvelope) => void) {
    this.anyHandler = handler;
    return this;
  }
  offAny() {
    this.anyHandler = null;
    return this;
  }
  disconnect() {
    this.connected = false;
    return this;
  }
  /** The server sends one event. */
  deliver(envelope: SocketEnvelope) {
    this.anyHandler?.(envelope.type, envelope);
  }
}
