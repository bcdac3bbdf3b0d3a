import { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { REALTIME_PATH } from '@widget/contracts';
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Server, ServerOptions } from 'socket.io';
import { PlainWsServer } from './codecs/plain-ws';
import type { RealtimeConfig } from './config';
import { SocketHub } from './socket-hub';

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
    // socket.io's engine has attached its 'upgrade' listener by now: the plain codec goes in front of it.
    this.plain.attach(this.httpServer as HttpServer);
    return server;
  }
}
