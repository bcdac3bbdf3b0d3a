import { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import type { MessageMappingProperties } from '@nestjs/websockets';
import { isObservable, lastValueFrom, Observable } from 'rxjs';
import { REALTIME_PATH } from '@widget/contracts';
import { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import type { Server, ServerOptions } from 'socket.io';
import { PlainWsServer } from './codecs/plain-ws';
import type { RealtimeConfig } from './config';
import { SocketHub } from './socket-hub';

/**
 * engine.io answers a WebSocket upgrade through a response object of its own
 * that holds the upgrade's IncomingMessage, and keeps that object for the
 * connection's whole life (a 'close' listener of the TCP socket): about
 * 1.1 KB a socket in a heap snapshot at 3,000 sockets, once the request
 * itself is not needed. Recorded here per request by an engine middleware;
 * `releaseUpgradeRequest` drops the response's hold once the socket is in.
 */
const upgradeResponses = new WeakMap<IncomingMessage, { req: unknown }>();

/** Lets the upgrade's request go (call once the socket was admitted and the request is not read again). */
export function releaseUpgradeRequest(req: IncomingMessage | null | undefined): void {
  const res = req ? upgradeResponses.get(req) : undefined;
  if (res) res.req = null;
}

/** socket.io on the app's own HTTP server, configured from the environment; the plain WebSocket claims its upgrades beside it. */
export class RealtimeIoAdapter extends IoAdapter {
  constructor(
    app: INestApplicationContext,
    private readonly config: RealtimeConfig,
    private readonly hub: SocketHub,
    private readonly plain: PlainWsServer,
  ) {
    super(app);
  }

  override createIOServer(port: number, options?: Partial<ServerOptions>): Server {
    const server = super.createIOServer(port, {
      ...options,
      path: REALTIME_PATH,
      serveClient: false,
      pingInterval: this.config.PING_INTERVAL_MS,
      pingTimeout: this.config.PING_TIMEOUT_MS,
      maxHttpBufferSize: this.config.MAX_FRAME_BYTES,
      // No CORS headers here: the gateway answers CORS for the public origin (see docs/realtime.md).
      cors: undefined,
      // While draining, refuse new transports at the engine level: clients treat that as a transport
      // error and retry (landing on another replica), unlike a middleware refusal, which is final.
      allowRequest: (_req: IncomingMessage, callback: (err: string | null | undefined, success: boolean) => void) => callback(this.hub.draining ? 'shutting_down' : null, !this.hub.draining),
    }) as Server;
    server.engine.use((req: IncomingMessage, res: unknown, next: (err?: Error) => void) => {
      // Polling requests get Node's own ServerResponse, which goes with the request.
      if (!(res instanceof ServerResponse)) upgradeResponses.set(req, res as { req: unknown });
      next();
    });
    // socket.io's engine has attached its 'upgrade' listener by now: the plain codec goes in front of it.
    this.plain.attach(this.httpServer as HttpServer);
    return server;
  }

  /**
   * The gateway's `@SubscribeMessage` handlers as plain listeners (issue 26): Nest's IoAdapter builds an rxjs
   * pipeline per socket and handler (fromEvent, mergeMap, takeUntil a shared disconnect stream), kilobytes a
   * socket at 20k sockets; a listener that awaits the handler and acks its answer does the same work.
   */
  override bindMessageHandlers(socket: Parameters<IoAdapter['bindMessageHandlers']>[0], handlers: MessageMappingProperties[], _transform: (data: unknown) => Observable<unknown>): void {
    for (const { message, callback, isAckHandledManually } of handlers as (MessageMappingProperties & { isAckHandledManually?: boolean })[]) {
      socket.on(message as string, (...args: unknown[]) => {
        const ack = typeof args[args.length - 1] === 'function' ? (args.pop() as (answer: unknown) => void) : undefined;
        const data = args.length <= 1 ? args[0] : args;
        void (async () => {
          const result = await callback(data, ack);
          const answer = isObservable(result) ? await lastValueFrom(result, { defaultValue: undefined }) : result;
          if (answer === undefined || answer === null) return;
          const event = answer as { event?: string; data?: unknown };
          if (event.event) return void socket.emit(event.event, event.data);
          if (!isAckHandledManually && ack) ack(answer);
        })();
      });
    }
  }
}
