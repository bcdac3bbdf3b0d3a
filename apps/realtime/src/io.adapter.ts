import { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import type { IncomingMessage } from 'node:http';
import type { Server, ServerOptions } from 'socket.io';
import type { RealtimeConfig } from './config';
import { SocketHub } from './socket-hub';

/** The public path of SPEC §10; the gateway proxies it unchanged. */
export const REALTIME_PATH = '/widget/v1/realtime';

/** socket.io on the app's own HTTP server, configured from the environment. */
export class RealtimeIoAdapter extends IoAdapter {
  constructor(
    app: INestApplicationContext,
    private readonly config: RealtimeConfig,
    private readonly hub: SocketHub,
  ) {
    super(app);
  }

  override createIOServer(port: number, options?: Partial<ServerOptions>): Server {
    return super.createIOServer(port, {
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
    });
  }
}
