import { Injectable } from '@nestjs/common';
import type { Server } from 'socket.io';

/** Server-to-client envelope (SPEC §10): the domain event minus its audience. */
export interface SocketEnvelope {
  id: string;
  type: string;
  createdAt: string;
  payload: unknown;
}

/**
 * This replica's socket.io server, handed over by the gateway once it exists,
 * so NATS listeners and the shutdown path reach sockets without depending on
 * the gateway class.
 */
@Injectable()
export class SocketHub {
  private server: Server | null = null;
  /** Set on SIGTERM: the engine refuses new transports so clients land on another replica. */
  draining = false;

  attach(server: Server): void {
    this.server = server;
  }

  emitTo(room: string, envelope: SocketEnvelope): void {
    this.server?.to(room).emit(envelope.type, envelope);
  }

  /** A forced disconnect: socket.io clients do not reconnect on their own ('io server disconnect'). */
  disconnectRoom(room: string): void {
    this.server?.in(room).disconnectSockets(true);
  }

  /** Closes every transport: clients see 'transport close' and reconnect, to another replica. */
  closeTransports(): number {
    if (!this.server) return 0;
    const sockets = [...this.server.of('/').sockets.values()];
    for (const socket of sockets) socket.conn.close();
    return sockets.length;
  }

  get connections(): number {
    return this.server?.engine.clientsCount ?? 0;
  }
}
