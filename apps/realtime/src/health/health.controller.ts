import { Controller, Get, HttpCode, Res } from '@nestjs/common';
import { NatsBus } from '@widget/common';
import { SocketHub } from '../socket-hub';

interface ReplyLike {
  status(code: number): ReplyLike;
  send(body: unknown): void;
}

/** Probes on the socket.io port: ready while NATS is connected and the replica is not draining. */
@Controller('health')
export class HealthController {
  constructor(
    private readonly bus: NatsBus,
    private readonly hub: SocketHub,
  ) {}

  @Get('live')
  @HttpCode(200)
  live() {
    return { status: 'ok', service: 'realtime' };
  }

  @Get('ready')
  ready(@Res() reply: ReplyLike): void {
    const checks = { nats: this.bus.connected, accepting: !this.hub.draining };
    const ready = checks.nats && checks.accepting;
    reply.status(ready ? 200 : 503).send({ status: ready ? 'ok' : 'unavailable', service: 'realtime', checks, sockets: this.hub.connections });
  }
}
