import { Injectable } from '@nestjs/common';
import type { ServerEvent } from '@widget/contracts';
import type { Connection } from './core/connection';

/**
 * This replica's sockets of both protocols, by room and by widget: the one
 * place NATS listeners, widget checks and the shutdown path reach them.
 */
@Injectable()
export class SocketHub {
  private readonly rooms = new Map<string, Set<Connection>>();
  private readonly joined = new Map<Connection, string[]>();
  /** Set on SIGTERM: new transports are refused so clients land on another replica. */
  draining = false;

  join(connection: Connection, rooms: string[]): void {
    this.joined.set(connection, rooms);
    for (const room of rooms) {
      let members = this.rooms.get(room);
      if (!members) this.rooms.set(room, (members = new Set()));
      members.add(connection);
    }
  }

  /** Idempotent: a connection leaves every room it joined. */
  leave(connection: Connection): void {
    for (const room of this.joined.get(connection) ?? []) {
      const members = this.rooms.get(room);
      members?.delete(connection);
      if (members?.size === 0) this.rooms.delete(room);
    }
    this.joined.delete(connection);
  }

  members(room: string): Connection[] {
    return [...(this.rooms.get(room) ?? [])];
  }

  emitTo(room: string, event: ServerEvent): void {
    for (const connection of this.rooms.get(room) ?? []) if (connection.open) connection.send(event);
  }

  /** Visitor sockets of one widget (for the checks a widget change triggers). */
  ofWidget(widgetId: string): Connection[] {
    return [...this.joined.keys()].filter((c) => c.viewer.kind === 'visitor' && c.viewer.session.widgetId === widgetId);
  }

  /** Closes every transport: clients see a transport close and reconnect, to another replica. */
  closeTransports(): number {
    const all = [...this.joined.keys()];
    for (const connection of all) connection.drop();
    return all.length;
  }

  get connections(): number {
    return this.joined.size;
  }
}
